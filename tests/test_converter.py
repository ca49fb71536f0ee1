"""The wire rules: round trips, every documented quirk, error paths, fuzzing. No event loop."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import cattrs
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetingbooster_async._converter import (
    SerializationError,
    make_converter,
    structure,
    unstructure,
)
from meetingbooster_async._enums import (
    DayOfWeek,
    InvitationStatus,
    OAuthErrorState,
    RecurrenceType,
    SyncState,
    UnknownEnumValue,
)
from meetingbooster_async._errors import MeetingBoosterError, ResponseValidationError
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
    SyncTask,
    TaskSynchronization,
    User,
    UserUI,
)

from .helpers import assert_json_path
from .strategies import MODELS, MODELS_WITH_UNKNOWN_KEYS, api_json, corrupted

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PASCAL = re.compile(r"[A-Z][A-Za-z]*")
SNAKE = re.compile(r"[a-z]+(_[a-z]+)*")
Z_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z")
SNAKE_CASE_MODELS = (OAuthTokenResponse, OAuthErrorBody)


def _norm(key: str) -> str:
    return key.replace("_", "").lower()


# --- properties ------------------------------------------------------------------------------


def _check_wire_form(value: Any, wire: Any) -> None:
    """Walk a model and its unstructured form together."""
    if isinstance(value, tuple):
        assert isinstance(wire, list) and len(wire) == len(value)
        for item, wire_item in zip(value, wire, strict=True):
            _check_wire_form(item, wire_item)
    elif isinstance(value, datetime):
        assert isinstance(wire, str) and Z_DATETIME.fullmatch(wire), wire
        assert ("." in wire) == (value.microsecond != 0)
    elif attrs.has(type(value)) and not isinstance(value, ApiError | UnknownEnumValue):
        assert isinstance(wire, dict)
        key_form = SNAKE if isinstance(value, SNAKE_CASE_MODELS) else PASCAL
        assert all(key_form.fullmatch(key) for key in wire), list(wire)
        set_fields = [
            f for f in attrs.fields(type(value)) if getattr(value, f.name) not in (None, (), {})
        ]
        modelled = [k for k in wire if k not in getattr(value, "extra", {})]
        assert len(modelled) == len([f for f in set_fields if f.name != "extra"])
        for field in set_fields:
            item = getattr(value, field.name)
            if isinstance(item, datetime | tuple) or attrs.has(type(item)):
                matches = [wire[k] for k in modelled if _norm(k) == _norm(field.name)]
                assert len(matches) == 1
                _check_wire_form(item, matches[0])


@pytest.mark.parametrize("cls", list(MODELS), ids=lambda c: c.__name__)
@FAST
@given(data=st.data())
def test_unstructure_writes_api_keys_and_z_datetimes_and_structure_inverts_it(
    cls: type, data: st.DataObject
) -> None:
    value = data.draw(MODELS[cls])
    wire = unstructure(value)
    _check_wire_form(value, wire)
    assert structure(json.loads(json.dumps(wire)), cls, strict=True) == value


@pytest.mark.parametrize("cls", list(MODELS_WITH_UNKNOWN_KEYS), ids=lambda c: c.__name__)
@settings(FAST, max_examples=40)  # the nested classes are drawn again inside their parents
@given(data=st.data())
def test_unknown_keys_on_every_level_round_trip_unchanged_in_lenient_mode(
    cls: type, data: st.DataObject
) -> None:
    value = data.draw(MODELS_WITH_UNKNOWN_KEYS[cls])
    wire = json.loads(json.dumps(unstructure(value)))
    _check_wire_form(value, wire)
    assert structure(wire, cls) == value
    assert unstructure(structure(wire, cls)) == wire


def _outcome(data: Any, strict: bool) -> MeetingSynchronization | ResponseValidationError:
    """The model, or the validation error; any other exception fails the test."""
    try:
        result = structure(data, MeetingSynchronization, strict=strict)
    except ResponseValidationError as exc:
        return exc
    assert isinstance(result, MeetingSynchronization)
    return result


@FAST
@given(corrupted(MeetingSynchronization))
def test_a_corrupted_body_fails_at_the_corrupted_node_or_not_at_all(
    case: tuple[Any, str],
) -> None:
    data, corrupted_path = case
    for strict in (False, True):
        outcome = _outcome(data, strict)
        if isinstance(outcome, ResponseValidationError):
            assert outcome.path.startswith(corrupted_path), (outcome.path, corrupted_path)


@FAST
@given(api_json)
def test_arbitrary_json_gives_a_model_or_a_validation_error(data: Any) -> None:
    for strict in (False, True):
        outcome = _outcome(data, strict)
        if isinstance(outcome, ResponseValidationError):
            # The path leads to a node of this very body, and past the root whenever the root
            # is an object: a bad field is named, not the whole body.
            missing = "required key missing" in str(outcome)
            assert_json_path(data, outcome.path, missing_key=missing)
            assert outcome.path != "$" or not isinstance(data, dict), data


# --- the docs' own examples (docs/meetingbooster-api.md §2.3, §2.4, §4) -----------------------

MEETING = """{
  "Id": "3f1c2a9e-6b7d-4e21-9c3a-2d5e8f0a1b4c",
  "Title": "Quarterly planning",
  "Purpose": "Agree Q3 priorities",
  "Location": "Room 4",
  "Start": "2024-03-05T09:00:00Z",
  "End": "2024-03-05T10:30:00Z",
  "Host": {"Id": "7a0e5c11-2b3d-4f6a-8e9b-1c2d3e4f5a6b", "Name": "Ann Lee", "Email": "ann@example.com"},
  "Invitations": [
    {"User": {"Id": "c4b3a2d1-0e9f-4a8b-b7c6-d5e4f3a2b1c0", "Name": "Bob", "Email": "bob@example.com"},
     "Status": "PENDING", "Required": true, "IsCoHost": false}
  ],
  "SendInvitations": true,
  "InvitationSendTime": null,
  "CreateTeamsMeeting": false,
  "ActualStart": null,
  "ActualEnd": null
}"""  # noqa: E501

EXAMPLES: list[tuple[type, str]] = [
    (Meeting, MEETING),
    (Meeting, '{"AllDayEvent": false, "ModifiedTime": "2017-05-17T08:21:10Z"}'),
    (User, '{"Id": "0b9d8c7e-1a2b-4c3d-9e8f-7a6b5c4d3e2f", "Name": "Carol Diaz", "Email": "carol@example.com", "Title": "Controller", "Enabled": true, "Guest": false}'),  # noqa: E501
    (MeetingSynchronization, '{"CalendarEntries": [], "CalendarRecurrences": [], "Meetings": [], "MeetingRecurrences": [], "SyncToken": "dG9rZW4tZXhhbXBsZQ=="}'),  # noqa: E501
    (SyncCalendarEntry, """{"State": "NEW", "LastModified": "2024-03-01T11:00:00Z", "ClientSyncId": "D585EAC9-86FE-42C3-89F2-9B5C0E721719",
 "CalendarEntry": {"Start": "2024-03-04T09:00:00Z", "End": "2024-03-04T17:00:00Z"}}"""),  # noqa: E501
    (SyncCalendarRecurrence, """{"State": "NEW", "ClientSyncId": "19E8DF21-5E85-411C-9308-9C396A10B900", "LastModified": "2024-03-01T08:00:00Z",
 "Pattern": {"RecurrenceType": "WEEKLY", "Interval": 1, "DayOfWeekMask": 2, "Duration": 60, "StartDate": "2024-03-04T08:00:00Z"}}"""),  # noqa: E501
    (MeetingRecurrence, """{"Meeting": {"Id": "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b", "Title": "Daily stand-up", "Start": "2024-03-04T10:00:00Z", "End": "2024-03-04T10:15:00Z"},
 "Pattern": {"RecurrenceType": "DAILY", "Interval": 1, "Duration": 15, "StartDate": "2024-03-04T10:00:00Z"},
 "MeetingInstances": []}"""),  # noqa: E501
    (MeetingInstance, '{"Id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "OriginalDate": "2024-03-06T10:00:00Z", "Meeting": {"Id": "6d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a", "Start": "2024-03-06T11:00:00Z", "End": "2024-03-06T11:15:00Z"}}'),  # noqa: E501
    (RecurrencePattern, """{"RecurrenceType": "MONTHLYNTH", "Interval": 1, "Instance": 2, "DayOfWeekMask": 2, "Duration": 60,
 "StartDate": "2024-01-08T08:00:00Z", "Occurences": 12, "Exceptions": [],
 "StandardOffset": -60, "DaylightOffset": -120,
 "StandardDate": "2024-10-27T01:00:00Z", "DaylightDate": "2024-03-31T01:00:00Z"}"""),  # noqa: E501
    (RecurrenceException, '{"OriginalDate": "2024-03-13T10:00:00Z", "StartDate": "2024-03-13T10:00:00Z", "Duration": 0}'),  # noqa: E501
    (Invitation, '{"User": {"Id": "c4b3a2d1-0e9f-4a8b-b7c6-d5e4f3a2b1c0", "Name": "Bob", "Email": "bob@example.com"}, "Status": "PENDING", "Required": true, "IsCoHost": false}'),  # noqa: E501
    (UserUI, '{"Id": "7a0e5c11-2b3d-4f6a-8e9b-1c2d3e4f5a6b", "Name": "Ann Lee", "Email": "ann@example.com"}'),  # noqa: E501
    (OAuthTokenResponse, '{"access_token": "q9Zx...opaque...", "refresh_token": "5b0c0a8e-2f4d-4c1e-9a57-0d6b1f3e7c21", "expires_in": "1200"}'),  # noqa: E501
    (OAuthErrorBody, '{"error": "invalid_grant", "error_description": "The refresh token is not valid", "retry_in_seconds": 0, "error_state": "FAILEDLOGIN"}'),  # noqa: E501
    (OAuthErrorBody, '{"error": "unauthorized_client", "error_description": "Authorization has been denied for this request", "retry_in_seconds": 10, "error_state": "FAILEDLOGIN"}'),  # noqa: E501
]  # fmt: skip


def _without_unset(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_unset(v) for k, v in value.items() if v not in (None, [])}
    if isinstance(value, list):
        return [_without_unset(v) for v in value]
    return value


@pytest.mark.parametrize(("cls", "text"), EXAMPLES, ids=lambda p: getattr(p, "__name__", ""))
def test_every_docs_example_structures_strictly_and_comes_back_unchanged(
    cls: type, text: str
) -> None:
    data = json.loads(text)
    value: Any = structure(data, cls, strict=True)
    assert unstructure(value) == _without_unset(data)


def test_docs_example_values_are_typed() -> None:
    meeting = structure(json.loads(MEETING), Meeting, strict=True)
    assert meeting.start == datetime(2024, 3, 5, 9, tzinfo=UTC)
    assert meeting.host == UserUI(
        id="7a0e5c11-2b3d-4f6a-8e9b-1c2d3e4f5a6b", name="Ann Lee", email="ann@example.com"
    )
    assert meeting.invitations[0].status is InvitationStatus.PENDING
    assert meeting.invitations[0].required is True and meeting.invitations[0].is_co_host is False
    assert meeting.send_invitations is True and meeting.create_teams_meeting is False
    assert meeting.invitation_send_time is None
    pattern = structure(json.loads(EXAMPLES[8][1]), RecurrencePattern, strict=True)
    assert pattern.recurrence_type is RecurrenceType.MONTHLYNTH
    assert pattern.day_of_week_mask == DayOfWeek.MONDAY and pattern.occurrences == 12
    assert (pattern.standard_offset, pattern.daylight_offset) == (-60, -120)


# --- documented quirks -----------------------------------------------------------------------


def test_occurences_is_sent_misspelled_and_read_either_way() -> None:
    assert unstructure(RecurrencePattern(occurrences=12)) == {"Occurences": 12}
    for key in ("Occurences", "Occurrences"):
        assert structure({key: 12}, RecurrencePattern, strict=True).occurrences == 12
    both = {"Occurences": 1, "Occurrences": 2}
    assert structure(both, RecurrencePattern).occurrences == 1  # the documented key wins
    with pytest.raises(ResponseValidationError) as info:
        structure(both, RecurrencePattern, strict=True)
    assert info.value.path == "$.Occurrences"


def test_calendaer_entries_is_read_as_calendar_entries() -> None:
    data = {
        "CalendaerEntries": [{"State": "NEW", "CalendarEntry": {"Start": "2024-03-04T09:00:00Z"}}],
        "CalendarRecurrences": [],
        "Meetings": [],
        "MeetingRecurrences": [],
        "SyncToken": "dG9rZW4tZXhhbXBsZQ==",
    }
    sync = structure(data, MeetingSynchronization, strict=True)
    assert sync.calendar_entries[0].state is SyncState.NEW
    assert "CalendarEntries" in unstructure(sync)
    assert "CalendaerEntries" not in unstructure(sync)


@pytest.mark.parametrize("expires_in", ["60", 60, " 60", 60.0])
def test_expires_in_is_a_string_or_a_number(expires_in: object) -> None:
    token = structure({"access_token": "a", "expires_in": expires_in}, OAuthTokenResponse)
    assert token.expires_in == 60
    assert unstructure(token) == {"access_token": "a", "expires_in": "60"}


@pytest.mark.parametrize("bad", ["sixty", "6.5", True, [60]])
def test_a_bad_expires_in_names_its_key(bad: object) -> None:
    with pytest.raises(ResponseValidationError) as info:
        structure({"access_token": "a", "expires_in": bad}, OAuthTokenResponse)
    assert info.value.path == "$.expires_in"


def test_retry_in_seconds_is_a_number_or_a_string() -> None:
    for value in (10, "10"):
        body = structure({"error": "invalid_grant", "retry_in_seconds": value}, OAuthErrorBody)
        assert body.retry_in_seconds == 10
    assert unstructure(body)["retry_in_seconds"] == 10


def test_legacy_integer_ids_become_strings() -> None:
    sync = structure(
        {"Meetings": [{"ClientSyncId": 7, "State": "DELETED", "Meeting": {"Id": 1234}}]},
        MeetingSynchronization,
        strict=True,
    )
    assert sync.meetings[0].meeting == Meeting(id="1234")
    assert sync.meetings[0].client_sync_id == "7"
    assert unstructure(sync.meetings[0]) == {
        "ClientSyncId": "7",
        "State": "DELETED",
        "Meeting": {"Id": "1234"},
    }
    with pytest.raises(ResponseValidationError):
        structure({"Id": True}, Meeting)


def test_guid_case_is_kept() -> None:
    upper = "D585EAC9-86FE-42C3-89F2-9B5C0E721719"
    assert unstructure(structure({"Id": upper}, Meeting)) == {"Id": upper}


@pytest.mark.parametrize(
    ("cls", "key", "raw", "enum_cls"),
    [
        (RecurrencePattern, "RecurrenceType", "BIWEEKLY", RecurrenceType),
        (SyncMeeting, "State", "ARCHIVED", SyncState),
        (OAuthErrorBody, "error_state", "LOCKEDOUT", OAuthErrorState),
        (Invitation, "Status", "ACCEPTED", InvitationStatus),
        (SyncMeeting, "State", "new", SyncState),  # case matters: kept as sent
        (RecurrencePattern, "RecurrenceType", 1, RecurrenceType),  # integers are never guessed
        (SyncMeeting, "State", 0, SyncState),
        (Invitation, "Status", -3, InvitationStatus),
    ],
)
def test_unknown_enum_values_round_trip_unchanged(
    cls: type, key: str, raw: str | int, enum_cls: type
) -> None:
    data = {key: raw} if cls is not OAuthErrorBody else {"error": "x", key: raw}
    value: Any = structure(data, cls, strict=True)
    field = next(f.name for f in attrs.fields(cls) if _norm(f.name) == _norm(key))
    assert getattr(value, field) == UnknownEnumValue(raw)
    assert not isinstance(getattr(value, field), enum_cls)
    assert unstructure(value) == data


def test_known_enum_values_are_members_and_sent_as_strings() -> None:
    pattern = structure({"RecurrenceType": "YEARLYNTH"}, RecurrencePattern)
    assert pattern.recurrence_type is RecurrenceType.YEARLYNTH
    assert unstructure(pattern) == {"RecurrenceType": "YEARLYNTH"}


@pytest.mark.parametrize("bad", [True, 1.5, {}, []])
def test_an_enum_must_be_a_string_or_an_integer(bad: object) -> None:
    with pytest.raises(ResponseValidationError) as info:
        structure({"Meetings": [{"State": bad}]}, MeetingSynchronization)
    assert info.value.path == "$.Meetings[0].State"


def test_unknown_keys_are_kept_in_extra_unless_strict() -> None:
    data = {"Meetings": [{"State": "NEW", "Meeting": {"Id": "1", "OnlineUrl": "https://x"}}]}
    sync = structure(data, MeetingSynchronization)
    assert sync.meetings[0].meeting == Meeting(id="1", extra={"OnlineUrl": "https://x"})
    assert unstructure(sync) == data
    with pytest.raises(ResponseValidationError) as info:
        structure(data, MeetingSynchronization, strict=True)
    assert info.value.path == "$.Meetings[0].Meeting.OnlineUrl"
    assert "unknown key" in str(info.value)


# A newer server's JSMeetingSynchronization: an unknown key on every level that is sent back.
NEWER_SERVER_SYNC: dict[str, Any] = {
    "SyncToken": "t",
    "Revision": 7,
    "Meetings": [
        {
            "State": "MODIFIED",
            "ClientSyncId": "c1",
            "Origin": "Outlook",
            "Meeting": {
                "Id": "1",
                "OnlineUrl": "https://x",
                "Tags": ["a", {"b": None}],
                "Host": {"Id": "u1", "Email": "ann@example.com", "Avatar": "x.png"},
                "Invitations": [
                    {"User": {"Email": "bob@example.com", "Phone": "1"}, "Response": "Later"}
                ],
            },
        }
    ],
    "MeetingRecurrences": [
        {
            "State": "NEW",
            "Series": 1,
            "MeetingRecurrence": {
                "Color": "red",
                "Meeting": {"Id": "2", "Room": {"Id": 4}},
                "Pattern": {
                    "RecurrenceType": "WEEKLY",
                    "TimeZone": "CET",
                    "Exceptions": [{"Duration": 0, "Reason": "holiday"}],
                },
                "MeetingInstances": [{"Id": "3", "Moved": True, "Meeting": {"Id": "4", "Z": 0}}],
            },
        }
    ],
    "CalendarEntries": [
        {"State": "NEW", "Busy": 2, "CalendarEntry": {"Start": "2024-03-04T09:00:00Z", "Kind": 1}}
    ],
    "CalendarRecurrences": [{"State": "DELETED", "Why": "x", "Pattern": {"Mask": 3}}],
}


def test_unknown_keys_on_every_level_survive_a_round_trip() -> None:
    sync = structure(NEWER_SERVER_SYNC, MeetingSynchronization)
    assert unstructure(sync) == NEWER_SERVER_SYNC
    meeting = sync.meetings[0].meeting
    assert meeting is not None and meeting.host is not None
    assert meeting.extra == {"OnlineUrl": "https://x", "Tags": ["a", {"b": None}]}
    assert meeting.host.extra == {"Avatar": "x.png"}
    assert meeting.invitations[0].extra == {"Response": "Later"}
    assert sync.meetings[0].extra == {"Origin": "Outlook"}
    assert sync.extra == {"Revision": 7}
    with pytest.raises(ResponseValidationError):
        structure(NEWER_SERVER_SYNC, MeetingSynchronization, strict=True)


def test_an_edited_model_keeps_its_unknown_keys() -> None:
    meeting = structure({"Id": "1", "Title": "Old", "OnlineUrl": "https://x"}, Meeting)
    edited = attrs.evolve(meeting, title="New")
    assert unstructure(edited) == {"Id": "1", "Title": "New", "OnlineUrl": "https://x"}


def test_a_modelled_attribute_wins_over_an_extra_key_of_the_same_name() -> None:
    assert unstructure(Meeting(title="Typed", extra={"Title": "raw", "X": 1})) == {
        "Title": "Typed",
        "X": 1,
    }


def test_extra_keys_do_not_change_the_hash() -> None:
    plain, extended = Meeting(id="1"), Meeting(id="1", extra={"X": [1]})
    assert hash(plain) == hash(extended) and plain != extended


def test_an_alias_next_to_its_key_is_kept_as_an_extra_key() -> None:
    both = {"Occurences": 1, "Occurrences": 2}
    pattern = structure(both, RecurrencePattern)
    assert pattern.occurrences == 1 and pattern.extra == {"Occurrences": 2}
    assert unstructure(pattern) == both


def test_unmodelled_task_keys_are_kept_and_sent_back() -> None:
    data = {
        "SyncToken": "t",
        "Tasks": [{"State": "MODIFIED", "ClientSyncId": "c1", "Task": {"Id": "9", "Done": True}}],
        "TaskRecurrences": [],
    }
    sync = structure(data, TaskSynchronization, strict=True)
    assert sync.tasks[0] == SyncTask(
        client_sync_id="c1", state=SyncState.MODIFIED, extra={"Task": {"Id": "9", "Done": True}}
    )
    assert sync.extra == {"TaskRecurrences": []}
    assert unstructure(sync) == data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-04T09:00:00Z", datetime(2024, 3, 4, 9, tzinfo=UTC)),
        ("2024-03-04T09:00:00+00:00", datetime(2024, 3, 4, 9, tzinfo=UTC)),
        ("2024-03-04T11:00:00+02:00", datetime(2024, 3, 4, 9, tzinfo=UTC)),
        ("2024-03-04T04:30:00-04:30", datetime(2024, 3, 4, 9, tzinfo=UTC)),
        ("2024-03-04T09:00:00.5Z", datetime(2024, 3, 4, 9, 0, 0, 500000, tzinfo=UTC)),
        ("2024-03-04T09:00:00.1234567Z", datetime(2024, 3, 4, 9, 0, 0, 123456, tzinfo=UTC)),
        ("2024-03-04T09:00:00", datetime(2024, 3, 4, 9, tzinfo=UTC)),  # the docs: always UTC
    ],
)
def test_datetimes_are_read_as_utc(text: str, expected: datetime) -> None:
    start = structure({"Start": text}, CalendarEntry).start
    assert start == expected
    assert start is not None and start.tzinfo is UTC


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (datetime(2024, 3, 4, 9, tzinfo=UTC), "2024-03-04T09:00:00Z"),
        (datetime(2024, 3, 4, 11, tzinfo=timezone(timedelta(hours=2))), "2024-03-04T09:00:00Z"),
        (datetime(2024, 3, 4, 9, 0, 0, 120000, tzinfo=UTC), "2024-03-04T09:00:00.120000Z"),
    ],
)
def test_datetimes_are_written_in_utc_with_z(value: datetime, text: str) -> None:
    assert unstructure(CalendarEntry(start=value)) == {"Start": text}


@pytest.mark.parametrize("bad", ["2017-05-207T11:00:00Z", "tomorrow", "", 1709542800, None])
def test_a_bad_datetime_names_its_key(bad: object) -> None:
    data = {"Meetings": [{"Meeting": {}}, {"Meeting": {"Start": bad}}]}
    if bad is None:  # null is "unset", not an error
        assert structure(data, MeetingSynchronization).meetings[1].meeting == Meeting()
        return
    with pytest.raises(ResponseValidationError) as info:
        structure(data, MeetingSynchronization)
    assert info.value.path == "$.Meetings[1].Meeting.Start"


def test_a_naive_datetime_is_refused_on_the_way_out() -> None:
    sync = MeetingSynchronization(
        meetings=(
            SyncMeeting(meeting=Meeting(start=datetime(2024, 3, 4, 9, tzinfo=UTC))),
            SyncMeeting(meeting=Meeting(end=datetime(2024, 3, 4, 9))),
        )
    )
    with pytest.raises(SerializationError) as info:
        unstructure(sync)
    assert isinstance(info.value, MeetingBoosterError)
    assert isinstance(info.value, TypeError)
    assert info.value.path == "$.Meetings[1].Meeting.End"
    assert "naive" in str(info.value)


@pytest.mark.parametrize(
    ("value", "flag"),
    [(True, True), (False, False), ("true", True), ("False", False), (1, True), (0, False)],
)
def test_blank_typed_fields_are_booleans(value: object, flag: bool) -> None:
    user = structure({"Enabled": value, "Guest": value}, User)
    assert user.enabled is flag and user.guest is flag
    assert unstructure(user) == {"Enabled": flag, "Guest": flag}


@pytest.mark.parametrize("bad", [2, "yes", {}, [True]])
def test_a_bad_boolean_is_refused(bad: object) -> None:
    with pytest.raises(ResponseValidationError) as info:
        structure({"AllDayEvent": bad}, Meeting)
    assert info.value.path == "$.AllDayEvent"


def test_unset_fields_are_omitted() -> None:
    assert unstructure(Meeting()) == {}
    assert unstructure(Meeting(title="", all_day_event=False)) == {
        "Title": "",
        "AllDayEvent": False,
    }
    assert unstructure(MeetingSynchronization(sync_token="t")) == {"SyncToken": "t"}


def test_day_of_week_mask_is_an_int_flag() -> None:
    pattern = structure({"DayOfWeekMask": 6}, RecurrencePattern)
    assert pattern.day_of_week_mask == DayOfWeek.MONDAY | DayOfWeek.TUESDAY
    assert type(unstructure(pattern)["DayOfWeekMask"]) is int
    with pytest.raises(ResponseValidationError):
        structure({"DayOfWeekMask": -1}, RecurrencePattern)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"Message": "Access denied"}, "Access denied"),
        ({"message": "nope", "Code": 7}, "nope"),
        ({"Code": 7}, None),
        ("Forbidden", "Forbidden"),
    ],
)
def test_api_error_keeps_the_body(body: object, message: str | None) -> None:
    error = structure(body, ApiError)
    assert error.message == message
    assert error.raw == (body if isinstance(body, dict) else {})


# --- errors and their paths ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"Meetings": [{}, {"Meeting": {"Start": 5}}]}, "$.Meetings[1].Meeting.Start"),
        (
            {"Meetings": [{"Meeting": {"Invitations": [{}, {"User": {"Id": []}}]}}]},
            "$.Meetings[0].Meeting.Invitations[1].User.Id",
        ),
        (
            {
                "MeetingRecurrences": [
                    {"MeetingRecurrence": {"Pattern": {"Exceptions": [{}, {}, {"Duration": "x"}]}}}
                ]
            },
            "$.MeetingRecurrences[0].MeetingRecurrence.Pattern.Exceptions[2].Duration",
        ),
        ({"CalendaerEntries": [{"CalendarEntry": []}]}, "$.CalendarEntries[0].CalendarEntry"),
        ({"Meetings": {}}, "$.Meetings"),
        ({"SyncToken": 5}, "$.SyncToken"),
        ([], "$"),
    ],
)
def test_a_validation_error_names_the_first_bad_field(data: Any, path: str) -> None:
    with pytest.raises(ResponseValidationError) as info:
        structure(data, MeetingSynchronization)
    assert info.value.path == path
    assert str(info.value).endswith(f"(at {path})")
    assert isinstance(info.value.__cause__, Exception)


def test_a_missing_required_key_is_named() -> None:
    with pytest.raises(ResponseValidationError) as info:
        structure({"refresh_token": "r"}, OAuthTokenResponse)
    assert info.value.path == "$.access_token"
    assert "required key missing" in str(info.value)


def test_lists_of_models_and_the_response_are_supported() -> None:
    meetings = structure([{"Id": "1"}, {"Id": 2}], list[Meeting])
    assert meetings == [Meeting(id="1"), Meeting(id="2")]
    response = httpx.Response(200)
    with pytest.raises(ResponseValidationError) as info:
        structure([{"Id": "1"}, {"Start": "no"}], list[Meeting], response=response)
    assert info.value.path == "$[1].Start"
    assert info.value.response is response


def test_messages_do_not_echo_long_values() -> None:
    with pytest.raises(ResponseValidationError) as info:
        structure({"Start": "x" * 500}, CalendarEntry)
    assert len(str(info.value)) < 200


def test_converters_are_built_fresh_never_global() -> None:
    first, second = make_converter(), make_converter(strict=True)
    assert first is not second and cattrs.global_converter not in (first, second)
    assert first.structure({"Id": 1, "X": 0}, Meeting) == Meeting(id="1", extra={"X": 0})
    with pytest.raises(cattrs.ClassValidationError):
        second.structure({"Id": 1, "X": 0}, Meeting)
