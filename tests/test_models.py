"""The models and enums themselves: immutability, defaults, the tolerant enum value, day masks."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import attrs
import pytest

from meetingbooster_async import _models
from meetingbooster_async._enums import (
    DayOfWeek,
    InvitationStatus,
    OAuthErrorState,
    RecurrenceType,
    SyncState,
    UnknownEnumValue,
)
from meetingbooster_async._models import (
    Meeting,
    MeetingSynchronization,
    OAuthTokenResponse,
    SyncCalendarEntry,
    SyncCalendarRecurrence,
    SyncMeeting,
    SyncMeetingRecurrence,
    SyncObject,
    SyncTask,
)

MODEL_CLASSES = [getattr(_models, name) for name in _models.__all__]


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda c: c.__name__)
def test_every_model_is_frozen_slotted_and_keyword_only(cls: type) -> None:
    assert attrs.has(cls)
    assert "__slots__" in cls.__dict__
    fields = attrs.fields(cls)
    assert all(f.kw_only for f in fields)
    with pytest.raises(TypeError):
        cls(*[None] * len(fields))  # positional arguments are refused


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda c: c.__name__)
def test_every_model_is_named_in_the_mapping_table(cls: type) -> None:
    assert _models.__doc__ is not None
    rows = [line.split() for line in _models.__doc__.splitlines() if line.startswith("JS")]
    assert any(row[1] == cls.__name__ for row in rows)


@pytest.mark.parametrize(
    "cls",
    [c for c in MODEL_CLASSES if c not in (_models.OAuthTokenResponse, _models.OAuthErrorBody)],
    ids=lambda c: c.__name__,
)
def test_every_field_of_a_domain_model_is_optional(cls: type) -> None:
    instance = cls()
    for field in attrs.fields(cls):
        assert getattr(instance, field.name) in (None, (), {})


def test_models_are_immutable() -> None:
    meeting = Meeting(id="1")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        meeting.id = "2"  # type: ignore[misc]
    assert attrs.evolve(meeting, id="2").id == "2"


def test_lists_are_tuples_so_models_hash() -> None:
    sync = MeetingSynchronization(meetings=(SyncMeeting(meeting=Meeting(id="1")),))
    assert hash(sync) == hash(
        MeetingSynchronization(meetings=(SyncMeeting(meeting=Meeting(id="1")),))
    )


@pytest.mark.parametrize(
    "cls",
    [SyncMeeting, SyncMeetingRecurrence, SyncCalendarEntry, SyncCalendarRecurrence, SyncTask],
)
def test_sync_subtypes_carry_the_base_keys(cls: type) -> None:
    assert issubclass(cls, SyncObject)
    names = [f.name for f in attrs.fields(cls)]
    assert names[:3] == ["client_sync_id", "last_modified", "state"]


@pytest.mark.parametrize(
    "cls",
    [
        c
        for c in MODEL_CLASSES
        if c not in (_models.OAuthTokenResponse, _models.OAuthErrorBody, _models.ApiError)
    ],
    ids=lambda c: c.__name__,
)
def test_every_domain_model_has_a_home_for_unknown_keys(cls: type) -> None:
    field = attrs.fields_dict(cls)["extra"]
    assert list(attrs.fields_dict(cls))[-1] == "extra"  # last, after the documented keys
    assert field.hash is False  # a model with unknown keys still hashes
    assert cls().extra == {} and cls().extra is not cls().extra
    assert hash(cls(extra={"X": [1]})) == hash(cls())


def test_tokens_are_not_in_the_repr() -> None:
    token = OAuthTokenResponse(access_token="secret-a", refresh_token="secret-r", expires_in=60)
    assert "secret" not in repr(token)
    assert "expires_in=60" in repr(token)


@pytest.mark.parametrize(
    ("cls", "values"),
    [
        (RecurrenceType, ["DAILY", "WEEKLY", "MONTHLY", "MONTHLYNTH", "YEARLY", "YEARLYNTH"]),
        (SyncState, ["NEW", "MODIFIED", "DELETED"]),
        (OAuthErrorState, ["FAILEDLOGIN"]),
        (InvitationStatus, ["PENDING"]),
    ],
)
def test_enums_have_exactly_the_documented_string_values(
    cls: type[enum.StrEnum], values: list[str]
) -> None:
    assert [m.value for m in cls] == values
    assert all(m == m.value and str(m) == m.value for m in cls)


def test_unknown_enum_value_looks_like_a_member() -> None:
    text, number = UnknownEnumValue("BIWEEKLY"), UnknownEnumValue(3)
    assert (text.name, text.value, str(text)) == ("BIWEEKLY", "BIWEEKLY", "BIWEEKLY")
    assert (number.name, number.value, str(number)) == ("3", 3, "3")
    assert text == UnknownEnumValue("BIWEEKLY")
    member: object = RecurrenceType.WEEKLY
    assert text != member and UnknownEnumValue("WEEKLY") != member
    assert hash(number) == hash(UnknownEnumValue(3))


def test_day_of_week_bits() -> None:
    assert [int(d) for d in DayOfWeek] == [1, 2, 4, 8, 16, 32, 64]
    documented = (DayOfWeek.SUNDAY, DayOfWeek.MONDAY, DayOfWeek.TUESDAY)
    assert [int(d) for d in documented] == [1, 2, 4]
    assert DayOfWeek.MONDAY | DayOfWeek.TUESDAY == 6  # the docs' own example
    assert list(DayOfWeek(6)) == [DayOfWeek.MONDAY, DayOfWeek.TUESDAY]
    assert DayOfWeek.WEDNESDAY in DayOfWeek(10)
    assert int(DayOfWeek(200)) == 200  # unknown bits are kept


def test_a_partial_object_builds() -> None:
    deleted = SyncMeeting(state=SyncState.DELETED, meeting=Meeting(id="17"))
    assert deleted.meeting is not None and deleted.meeting.title is None
    assert deleted.last_modified is None
    assert Meeting(start=datetime(2024, 3, 4, 9, tzinfo=UTC)).invitations == ()
