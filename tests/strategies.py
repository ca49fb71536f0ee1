"""Hypothesis strategies: valid instances of every model, and arbitrary (API-flavoured) JSON."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC
from typing import Any

import attrs
from hypothesis import strategies as st

from meetingbooster_async._converter import unstructure
from meetingbooster_async._enums import (
    DayOfWeek,
    InvitationStatus,
    OAuthErrorState,
    RecurrenceType,
    SyncState,
    UnknownEnumValue,
)
from meetingbooster_async._models import (
    ApiError,
    CalendarEntry,
    Invitation,
    Meeting,
    MeetingInstance,
    MeetingRecurrence,
    MeetingSynchronization,
    OAuthErrorBody,
    OAuthTokenResponse,
    RecurrenceException,
    RecurrencePattern,
    SyncCalendarEntry,
    SyncCalendarRecurrence,
    SyncMeeting,
    SyncMeetingRecurrence,
    SyncObject,
    SyncTask,
    TaskSynchronization,
    User,
    UserUI,
)
from meetingbooster_async._wire import INPUT_ALIASES, OPEN_CLASSES, wire_key

__all__ = ["MODELS", "MODELS_WITH_UNKNOWN_KEYS", "api_json", "corrupted", "json_values"]


def _opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def _tuples(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.lists(strategy, max_size=2).map(tuple)


texts = st.text(max_size=12)
utc_datetimes = st.datetimes(timezones=st.just(UTC))
ids = st.one_of(
    st.uuids().map(str),
    st.uuids().map(lambda u: str(u).upper()),
    st.integers(min_value=0, max_value=10**9).map(str),  # legacy ids
    texts,
)
day_masks = st.integers(min_value=0, max_value=255).map(DayOfWeek)
pascal_keys = st.from_regex(r"[A-Z][A-Za-z]{0,10}", fullmatch=True)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)


def tolerant_enum(cls: type[enum.Enum]) -> st.SearchStrategy[Any]:
    """A member, or an :class:`UnknownEnumValue` the enum does not know (string or integer)."""
    known = {m.value for m in cls}
    unknown_text = texts.filter(lambda s: s not in known)
    return st.one_of(
        st.sampled_from(cls),
        unknown_text.map(UnknownEnumValue),
        st.integers().map(UnknownEnumValue),
    )


def _extra(reserved: set[str]) -> st.SearchStrategy[dict[str, Any]]:
    keys = pascal_keys.filter(lambda k: k not in reserved)
    return st.dictionaries(keys, json_values, max_size=3)


def _reserved(cls: type) -> set[str]:
    """Every key ``cls`` reads: its wire keys and their accepted misspellings."""
    keys = {wire_key(cls, f.name) for f in attrs.fields(cls) if f.name != "extra"}
    return keys | set(INPUT_ALIASES.get(cls, {}))


def _unknown_keys(cls: type) -> st.SearchStrategy[dict[str, Any]]:
    return _extra(_reserved(cls))


def _no_unknown_keys(cls: type) -> st.SearchStrategy[dict[str, Any]]:
    # The open (undocumented) task models always carry unknown keys, even in strict mode.
    return _unknown_keys(cls) if cls in OPEN_CLASSES else st.just({})


def _build_models(
    extra: Callable[[type], st.SearchStrategy[dict[str, Any]]],
) -> dict[type, st.SearchStrategy[Any]]:
    """A strategy per model; ``extra(cls)`` draws the unknown keys each object carries."""

    def build(cls: type, **fields: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        if "extra" in attrs.fields_dict(cls):
            fields["extra"] = extra(cls)
        return st.builds(cls, **fields)

    user_uis = build(UserUI, id=_opt(ids), name=_opt(texts), email=_opt(texts))
    invitations = build(
        Invitation,
        user=_opt(user_uis),
        status=_opt(tolerant_enum(InvitationStatus)),
        required=_opt(st.booleans()),
        is_co_host=_opt(st.booleans()),
    )
    meetings = build(
        Meeting,
        id=_opt(ids),
        title=_opt(texts),
        purpose=_opt(texts),
        location=_opt(texts),
        start=_opt(utc_datetimes),
        end=_opt(utc_datetimes),
        host=_opt(user_uis),
        invitations=_tuples(invitations),
        send_invitations=_opt(st.booleans()),
        invitation_send_time=_opt(utc_datetimes),
        create_teams_meeting=_opt(st.booleans()),
        actual_start=_opt(utc_datetimes),
        actual_end=_opt(utc_datetimes),
        all_day_event=_opt(st.booleans()),
        modified_time=_opt(utc_datetimes),
    )
    recurrence_exceptions = build(
        RecurrenceException,
        original_date=_opt(utc_datetimes),
        start_date=_opt(utc_datetimes),
        duration=_opt(st.integers()),
    )
    recurrence_patterns = build(
        RecurrencePattern,
        recurrence_type=_opt(tolerant_enum(RecurrenceType)),
        interval=_opt(st.integers()),
        day_of_week_mask=_opt(day_masks),
        day_of_month=_opt(st.integers()),
        instance=_opt(st.integers()),
        duration=_opt(st.integers()),
        start_date=_opt(utc_datetimes),
        end_date=_opt(utc_datetimes),
        occurrences=_opt(st.integers()),
        exceptions=_tuples(recurrence_exceptions),
        standard_offset=_opt(st.integers()),
        daylight_offset=_opt(st.integers()),
        standard_date=_opt(utc_datetimes),
        daylight_date=_opt(utc_datetimes),
    )
    meeting_instances = build(
        MeetingInstance, id=_opt(ids), meeting=_opt(meetings), original_date=_opt(utc_datetimes)
    )
    meeting_recurrences = build(
        MeetingRecurrence,
        meeting=_opt(meetings),
        pattern=_opt(recurrence_patterns),
        meeting_instances=_tuples(meeting_instances),
    )
    calendar_entries = build(CalendarEntry, start=_opt(utc_datetimes), end=_opt(utc_datetimes))
    base = {
        "client_sync_id": _opt(ids),
        "last_modified": _opt(utc_datetimes),
        "state": _opt(tolerant_enum(SyncState)),
    }
    sync_tasks = build(SyncTask, **base)
    sync_meetings = build(SyncMeeting, meeting=_opt(meetings), **base)
    sync_meeting_recurrences = build(
        SyncMeetingRecurrence, meeting_recurrence=_opt(meeting_recurrences), **base
    )
    sync_calendar_entries = build(SyncCalendarEntry, calendar_entry=_opt(calendar_entries), **base)
    sync_calendar_recurrences = build(
        SyncCalendarRecurrence, pattern=_opt(recurrence_patterns), **base
    )
    return {
        ApiError: api_errors,
        CalendarEntry: calendar_entries,
        Invitation: invitations,
        Meeting: meetings,
        MeetingInstance: meeting_instances,
        MeetingRecurrence: meeting_recurrences,
        MeetingSynchronization: build(
            MeetingSynchronization,
            calendar_entries=_tuples(sync_calendar_entries),
            calendar_recurrences=_tuples(sync_calendar_recurrences),
            meeting_recurrences=_tuples(sync_meeting_recurrences),
            meetings=_tuples(sync_meetings),
            sync_token=_opt(texts),
        ),
        OAuthErrorBody: oauth_error_bodies,
        OAuthTokenResponse: oauth_token_responses,
        RecurrenceException: recurrence_exceptions,
        RecurrencePattern: recurrence_patterns,
        SyncCalendarEntry: sync_calendar_entries,
        SyncCalendarRecurrence: sync_calendar_recurrences,
        SyncMeeting: sync_meetings,
        SyncMeetingRecurrence: sync_meeting_recurrences,
        SyncObject: build(SyncObject, **base),
        SyncTask: sync_tasks,
        TaskSynchronization: build(
            TaskSynchronization, sync_token=_opt(texts), tasks=_tuples(sync_tasks)
        ),
        User: build(
            User,
            id=_opt(ids),
            name=_opt(texts),
            email=_opt(texts),
            title=_opt(texts),
            enabled=_opt(st.booleans()),
            guest=_opt(st.booleans()),
        ),
        UserUI: user_uis,
    }


oauth_token_responses = st.builds(
    OAuthTokenResponse,
    access_token=texts,
    refresh_token=_opt(texts),
    expires_in=_opt(st.integers()),
)
oauth_error_bodies = st.builds(
    OAuthErrorBody,
    error=st.sampled_from(["unauthorized_client", "invalid_grant"]) | texts,
    error_description=_opt(texts),
    error_state=_opt(tolerant_enum(OAuthErrorState)),
    retry_in_seconds=_opt(st.integers()),
)


def _api_error(message: str | None, others: dict[str, Any]) -> ApiError:
    # A valid ApiError is one a body produces: ``raw`` is the body, ``message`` read from it.
    raw = dict(others) if message is None else {**others, "Message": message}
    return ApiError(message=message, raw=raw)


api_errors = st.builds(_api_error, _opt(texts), _extra({"Message"}))

#: Valid instances that strict structuring accepts (unknown keys only on the open task models).
MODELS = _build_models(_no_unknown_keys)
#: Valid instances with unknown keys on every level (lenient structuring keeps them).
MODELS_WITH_UNKNOWN_KEYS = _build_models(_unknown_keys)

# Keys and values the API uses, so that fuzzed JSON reaches deep into the models.
_API_KEYS = [
    "CalendarEntries", "CalendaerEntries", "CalendarRecurrences", "MeetingRecurrences",
    "Meetings", "SyncToken", "ClientSyncId", "LastModified", "State", "Meeting",
    "MeetingRecurrence", "CalendarEntry", "Pattern", "MeetingInstances", "Id", "Title",
    "Start", "End", "Host", "Invitations", "User", "Status", "Required", "SendInvitations",
    "RecurrenceType", "DayOfWeekMask", "Occurences", "Occurrences", "Exceptions",
    "OriginalDate", "StartDate", "Duration", "Enabled",
]  # fmt: skip
_API_VALUES = [
    "2024-03-04T09:00:00Z", "2024-03-04T09:00:00.1234567+02:00", "2024-02-30T09:00:00Z",
    "NEW", "DELETED", "WEEKLY", "PENDING", "true", "60", "-1",
]  # fmt: skip


def _api_objects(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(_API_KEYS) | texts, inner, max_size=6)


_api_values = st.recursive(
    json_scalars | st.floats() | st.sampled_from(_API_VALUES),
    lambda inner: (
        st.lists(inner, max_size=4)
        | _api_objects(inner)
        | st.lists(_api_objects(inner), min_size=1, max_size=3)
    ),
    max_leaves=20,
)
# Arbitrary JSON, biased towards objects with the API's keys so that fuzzing reaches deep.
api_json = _api_values | _api_objects(_api_values)


def _nodes(value: Any, path: str) -> list[tuple[Any, Any, str]]:
    """Every (container, key, JSON path) below ``value``."""
    found: list[tuple[Any, Any, str]] = []
    if isinstance(value, dict | list):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            child = f"{path}.{key}" if isinstance(key, str) else f"{path}[{key}]"
            found.append((value, key, child))
            found.extend(_nodes(item, child))
    return found


@st.composite
def corrupted(draw: st.DrawFn, cls: type) -> tuple[Any, str]:
    """A valid wire form of ``cls`` with one node replaced by arbitrary JSON, and its path."""
    wire = unstructure(draw(MODELS[cls]))
    nodes = _nodes(wire, "$")
    if not nodes:
        return draw(_api_values), "$"
    container, key, path = draw(st.sampled_from(nodes))
    container[key] = draw(_api_values)
    return wire, path
