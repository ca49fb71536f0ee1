"""Hypothesis strategies: valid instances of every model, and arbitrary (API-flavoured) JSON."""

from __future__ import annotations

import enum
from datetime import UTC
from typing import Any

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

__all__ = ["MODELS", "api_json", "corrupted", "json_values"]


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


user_uis = st.builds(UserUI, id=_opt(ids), name=_opt(texts), email=_opt(texts))
users = st.builds(
    User,
    id=_opt(ids),
    name=_opt(texts),
    email=_opt(texts),
    title=_opt(texts),
    enabled=_opt(st.booleans()),
    guest=_opt(st.booleans()),
)
invitations = st.builds(
    Invitation,
    user=_opt(user_uis),
    status=_opt(tolerant_enum(InvitationStatus)),
    required=_opt(st.booleans()),
    is_co_host=_opt(st.booleans()),
)
meetings = st.builds(
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
recurrence_exceptions = st.builds(
    RecurrenceException,
    original_date=_opt(utc_datetimes),
    start_date=_opt(utc_datetimes),
    duration=_opt(st.integers()),
)
recurrence_patterns = st.builds(
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
meeting_instances = st.builds(
    MeetingInstance, id=_opt(ids), meeting=_opt(meetings), original_date=_opt(utc_datetimes)
)
meeting_recurrences = st.builds(
    MeetingRecurrence,
    meeting=_opt(meetings),
    pattern=_opt(recurrence_patterns),
    meeting_instances=_tuples(meeting_instances),
)
calendar_entries = st.builds(CalendarEntry, start=_opt(utc_datetimes), end=_opt(utc_datetimes))
_base = {
    "client_sync_id": _opt(ids),
    "last_modified": _opt(utc_datetimes),
    "state": _opt(tolerant_enum(SyncState)),
}
_BASE_KEYS = {"ClientSyncId", "LastModified", "State"}
sync_objects = st.builds(SyncObject, **_base)
sync_meetings = st.builds(SyncMeeting, meeting=_opt(meetings), **_base)
sync_meeting_recurrences = st.builds(
    SyncMeetingRecurrence, meeting_recurrence=_opt(meeting_recurrences), **_base
)
sync_calendar_entries = st.builds(SyncCalendarEntry, calendar_entry=_opt(calendar_entries), **_base)
sync_calendar_recurrences = st.builds(
    SyncCalendarRecurrence, pattern=_opt(recurrence_patterns), **_base
)
sync_tasks = st.builds(SyncTask, extra=_extra(_BASE_KEYS), **_base)
task_synchronizations = st.builds(
    TaskSynchronization,
    sync_token=_opt(texts),
    tasks=_tuples(sync_tasks),
    extra=_extra({"SyncToken", "Tasks"}),
)
meeting_synchronizations = st.builds(
    MeetingSynchronization,
    calendar_entries=_tuples(sync_calendar_entries),
    calendar_recurrences=_tuples(sync_calendar_recurrences),
    meeting_recurrences=_tuples(sync_meeting_recurrences),
    meetings=_tuples(sync_meetings),
    sync_token=_opt(texts),
)
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

MODELS: dict[type, st.SearchStrategy[Any]] = {
    ApiError: api_errors,
    CalendarEntry: calendar_entries,
    Invitation: invitations,
    Meeting: meetings,
    MeetingInstance: meeting_instances,
    MeetingRecurrence: meeting_recurrences,
    MeetingSynchronization: meeting_synchronizations,
    OAuthErrorBody: oauth_error_bodies,
    OAuthTokenResponse: oauth_token_responses,
    RecurrenceException: recurrence_exceptions,
    RecurrencePattern: recurrence_patterns,
    SyncCalendarEntry: sync_calendar_entries,
    SyncCalendarRecurrence: sync_calendar_recurrences,
    SyncMeeting: sync_meetings,
    SyncMeetingRecurrence: sync_meeting_recurrences,
    SyncObject: sync_objects,
    SyncTask: sync_tasks,
    TaskSynchronization: task_synchronizations,
    User: users,
    UserUI: user_uis,
}

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
