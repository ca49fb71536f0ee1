# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_models.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""The typed objects of the MeetingBooster API as frozen attrs classes (no wire code here).

All (un)structuring rules — PascalCase keys, ``Z`` datetimes, the documented misspellings —
live in ``_converter.py``; use :func:`meetingbooster_async_httpx2.structure` and
:func:`meetingbooster_async_httpx2.unstructure`. Attributes are snake_case; every field that may be
missing defaults to ``None`` (lists to ``()``), so partial objects such as a deleted meeting
carrying only ``Id`` structure fine. Ids are ``str`` (legacy integer ids become strings);
datetimes are timezone-aware UTC.

Every domain model has an ``extra`` dict (excluded from ``hash``): the keys a newer server sent
that this SDK does not model, kept exactly as received (wire names, raw JSON values) and sent
back unchanged by ``unstructure``, so a Sync → edit → SyncCommit round trip never drops data.
Treat it as read-only; modelled attributes win over an ``extra`` key of the same name. Strict
structuring (tests) refuses unknown keys instead, except on the task models, whose shape is
not documented at all and which therefore always keep them.

JS name (wire)               Python name                 Notes
---------------------------  --------------------------  ---------------------------------------
JSMeeting                    Meeting                     + AllDayEvent, ModifiedTime (example only)
JSUser                       User
JSUserUI                     UserUI                      keys from examples only
JSInvitation                 Invitation                  keys from the JSMeeting example only
JSMeetingSynchronization     MeetingSynchronization      accepts ``CalendaerEntries`` on input
JSMeetingInstance            MeetingInstance
JSMeetingRecurrence          MeetingRecurrence
JSSyncObject                 SyncObject                  base of the Sync* classes
JSSyncMeeting                SyncMeeting                 (inferred) base keys + ``Meeting``
JSSyncMeetingRecurrence      SyncMeetingRecurrence       (inferred) base + ``MeetingRecurrence``
JSSyncCalendarEntry          SyncCalendarEntry
JSCalendarEntry              CalendarEntry               keys from an example only
JSSyncCalendarRecurrence     SyncCalendarRecurrence
JSRecurrencePattern          RecurrencePattern           ``Occurences`` (sic) ↔ ``occurrences``
JSRecurrenceException        RecurrenceException
JSSyncTask                   SyncTask                    (inferred) base keys; all else extra
JSTaskSynchronization        TaskSynchronization         (inferred) ``SyncToken``, ``Tasks``, extra
JSOAuthResponse              OAuthTokenResponse          snake_case keys
JSOAuthError                 OAuthErrorBody              snake_case keys
JSApiError                   ApiError                    shape undocumented: raw dict + message
JSRecurrenceTypes            RecurrenceType              enum
JSSyncState                  SyncState                   enum
JSOAuthErrorState            OAuthErrorState             enum
(unnamed invitation status)  InvitationStatus            enum
DayOfWeekMask bits           DayOfWeek                   enum.IntFlag
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from ._enums import (
    DayOfWeek,
    InvitationStatus,
    OAuthErrorState,
    RecurrenceType,
    SyncState,
    UnknownEnumValue,
)

__all__ = [
    "ApiError",
    "CalendarEntry",
    "Invitation",
    "Meeting",
    "MeetingInstance",
    "MeetingRecurrence",
    "MeetingSynchronization",
    "OAuthErrorBody",
    "OAuthTokenResponse",
    "RecurrenceException",
    "RecurrencePattern",
    "SyncCalendarEntry",
    "SyncCalendarRecurrence",
    "SyncMeeting",
    "SyncMeetingRecurrence",
    "SyncObject",
    "SyncTask",
    "TaskSynchronization",
    "User",
    "UserUI",
]


@attrs.frozen(kw_only=True)
class UserUI:
    """``JSUserUI``: the light form of a user (host of a meeting, invited attendee)."""

    id: str | None = None
    name: str | None = None
    email: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, hash=False)


@attrs.frozen(kw_only=True)
class User:
    """``JSUser``: a MeetingBooster user. ``email`` is unique; guests cannot log in."""

    id: str | None = None
    name: str | None = None
    email: str | None = None
    title: str | None = None
    enabled: bool | None = None
    guest: bool | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, hash=False)


@attrs.frozen(kw_only=True)
class Invitation:
    """``JSInvitation``: one attendee of a meeting (keys and types inferred from an example)."""

    user: UserUI | None = None
    status: InvitationStatus | UnknownEnumValue | None = None
    required: bool | None = None
    is_co_host: bool | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, hash=False)


@attrs.frozen(kw_only=True)
class Meeting:
    """``JSMeeting``: a meeting with its schedule and attendees.

    ``actual_start`` / ``actual_end`` are set by the server only. ``all_day_event`` and
    ``modified_time`` appear in the docs' example but not in its table (writability unknown).
    ``invitations`` should be sorted by email.

    Example:
        >>> from datetime import UTC, datetime
        >>> Meeting(id="3f1c2a9e-6b7d-4e21-9c3a-2d5e8f0a1b4c", title="Planning",
        ...         start=datetime(2024, 3, 5, 9, tzinfo=UTC)).title
        'Planning'
    """

    id: str | None = None
    title: str | None = None
    purpose: str | None = None
    location: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    host: UserUI | None = None
    invitations: tuple[Invitation, ...] = ()
    send_invitations: bool | None = None
    invitation_send_time: datetime | None = None
    create_teams_meeting: bool | None = None
    actual_start: datetime | None = None
    actual_end: datetime | None = None
    all_day_event: bool | None = None
    modified_time: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, hash=False)


@attrs.frozen(kw_only=True)
class RecurrenceException:
    """``JSRecurrenceException``: one moved or deleted occurrence (``duration`` 0 = deleted)."""

    original_date: datetime | None = None
    start_date: datetime | None = None
    duration: int | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, hash=False)


@attrs.frozen(kw_only=True)
class RecurrencePattern:
    """``JSRecurrencePattern``: a recurrence rule; some fields apply to some types only.

    ``duration`` is in minutes. ``occurrences`` is the wire key ``Occurences`` (sic; the
    spelling ``Occurrences`` is accepted too). ``instance`` is the N of MONTHLYNTH / YEARLYNTH.
    The offsets are minutes in the Windows "bias" convention (CET: standard -60, daylight
    -120; inferred sign). ``exceptions`` are sorted by ``original_date``.
    """

    recurrence_type: RecurrenceType | UnknownEnumValue | None = None
    interval: int | None = None
    day_of_week_mask: DayOfWeek | None = None
    day_of_month: int | None = None
    instance: int | None = None
    duration: int | None = None
    start_date: datetime | None = None
    end_date: datetime | None = None
    occurrences: int | None = None
    exceptions: tuple[RecurrenceException, ...] = ()
    standard_offset: int | None = None
    daylight_offset: int | None = None
    standard_date: datetime | None = None
    daylight_date: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, hash=False)


@attrs.frozen(kw_only=True)
class MeetingInstance:
    """``JSMeetingInstance``: the concrete meeting of one occurrence of a recurrence."""

    id: str | None = None
    meeting: Meeting | None = None
    original_date: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, hash=False)


@attrs.frozen(kw_only=True)
class MeetingRecurrence:
    """``JSMeetingRecurrence``: a template meeting, a pattern and the instances that differ."""

    meeting: Meeting | None = None
    pattern: RecurrencePattern | None = None
    meeting_instances: tuple[MeetingInstance, ...] = ()
    extra: dict[str, Any] = attrs.field(factory=dict, hash=False)


@attrs.frozen(kw_only=True)
class CalendarEntry:
    """``JSCalendarEntry``: a busy slot, sent to the server for conflict checks only."""

    start: datetime | None = None
    end: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, hash=False)


@attrs.frozen(kw_only=True)
class SyncObject:
    """``JSSyncObject``: the keys every sync object carries.

    ``client_sync_id`` is any unique string the client chooses (a GUID, say); the server uses
    it to find the object when no MeetingBooster ``Id`` is given.
    """

    client_sync_id: str | None = None
    last_modified: datetime | None = None
    state: SyncState | UnknownEnumValue | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, hash=False)


@attrs.frozen(kw_only=True)
class SyncMeeting(SyncObject):
    """``JSSyncMeeting`` (inferred shape): the base keys plus the ``Meeting``."""

    meeting: Meeting | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, hash=False)


@attrs.frozen(kw_only=True)
class SyncMeetingRecurrence(SyncObject):
    """``JSSyncMeetingRecurrence`` (inferred shape): base keys plus ``MeetingRecurrence``."""

    meeting_recurrence: MeetingRecurrence | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, hash=False)


@attrs.frozen(kw_only=True)
class SyncCalendarEntry(SyncObject):
    """``JSSyncCalendarEntry``: adds, changes or deletes a calendar entry in a SyncCommit.

    Deleting one whose ``client_sync_id`` matches no calendar entry deletes the *meeting* with
    that ``client_sync_id``.
    """

    calendar_entry: CalendarEntry | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, hash=False)


@attrs.frozen(kw_only=True)
class SyncCalendarRecurrence(SyncObject):
    """``JSSyncCalendarRecurrence``: a recurring busy block, sent in a SyncCommit."""

    pattern: RecurrencePattern | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, hash=False)


@attrs.frozen(kw_only=True)
class SyncTask(SyncObject):
    """``JSSyncTask`` (inferred): only the base keys are known.

    ``extra`` keeps every other key exactly as received (wire names, raw JSON values) and is
    sent back unchanged, so nothing the server sends is lost on a SyncCommit.
    """

    extra: dict[str, Any] = attrs.field(factory=dict, hash=False)


@attrs.frozen(kw_only=True)
class TaskSynchronization:
    """``JSTaskSynchronization`` (inferred: no field is documented).

    ``SyncToken`` and ``Tasks`` are guessed by analogy with :class:`MeetingSynchronization`;
    ``extra`` keeps every other key as received and sends it back unchanged.
    """

    sync_token: str | None = None
    tasks: tuple[SyncTask, ...] = ()
    extra: dict[str, Any] = attrs.field(factory=dict, hash=False)


@attrs.frozen(kw_only=True)
class MeetingSynchronization:
    """``JSMeetingSynchronization``: the changes since the last sync, and the next token.

    Keep ``sync_token`` for the next Sync. Calendar entries and recurrences travel client →
    server only (in a SyncCommit); Sync never returns them.

    Example:
        >>> from meetingbooster_async_httpx2 import structure
        >>> sync = structure({"Meetings": [{"State": "DELETED", "Meeting": {"Id": 17}}],
        ...                   "SyncToken": "dG9rZW4="}, MeetingSynchronization)
        >>> sync.meetings[0].meeting.id
        '17'
    """

    calendar_entries: tuple[SyncCalendarEntry, ...] = ()
    calendar_recurrences: tuple[SyncCalendarRecurrence, ...] = ()
    meeting_recurrences: tuple[SyncMeetingRecurrence, ...] = ()
    meetings: tuple[SyncMeeting, ...] = ()
    sync_token: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, hash=False)


@attrs.frozen(kw_only=True)
class OAuthTokenResponse:
    """``JSOAuthResponse``: the tokens from ``POST /oauth`` (snake_case keys).

    ``expires_in`` arrives as a string (``"60"``) or a number; it is assumed to be seconds
    (inferred). The tokens are left out of ``repr``.
    """

    access_token: str = attrs.field(repr=False)
    refresh_token: str | None = attrs.field(default=None, repr=False)
    expires_in: int | None = None


@attrs.frozen(kw_only=True)
class OAuthErrorBody:
    """``JSOAuthError``: the body of a failed ``POST /oauth`` (snake_case keys).

    ``error`` is ``unauthorized_client`` or ``invalid_grant``; ``retry_in_seconds`` is how long
    to wait before retrying.
    """

    error: str
    error_description: str | None = None
    error_state: OAuthErrorState | UnknownEnumValue | None = None
    retry_in_seconds: int | None = None


@attrs.frozen(kw_only=True)
class ApiError:
    """``JSApiError``: the body of a 403. Its shape is undocumented.

    ``raw`` is the JSON object as received; ``message`` is read from its ``Message`` key
    (ASP.NET's default; ``message``, ``error_description`` and ``error`` are tried too —
    inferred), or is the body itself when the body is a bare JSON string.
    """

    message: str | None = None
    raw: dict[str, Any] = attrs.field(factory=dict)
