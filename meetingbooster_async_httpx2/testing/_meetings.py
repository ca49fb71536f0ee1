# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/testing/_meetings.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""One user's meetings as JSMeeting dicts, with the per-property change history sync needs."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from ._clock import format_datetime

__all__ = [
    "TRACKED_PROPERTIES",
    "ApiFailure",
    "MeetingBook",
    "MeetingRecord",
    "Tombstone",
    "normalize_meeting_fields",
    "render_meeting",
]

#: Properties the ``properties`` parameter of Sync may name; all of them by default.
TRACKED_PROPERTIES = ("Title", "Start", "End", "Invitations", "SendInvitations")

_STRINGS = frozenset({"Title", "Purpose", "Location"})
_BOOLEANS = frozenset({"SendInvitations", "CreateTeamsMeeting", "AllDayEvent"})
_DATETIMES = frozenset({"Start", "End", "InvitationSendTime"})
_NULLABLE = frozenset({"InvitationSendTime"})
WRITABLE = _STRINGS | _BOOLEANS | _DATETIMES | {"Invitations"}
READ_ONLY = frozenset({"Id", "Host", "ActualStart", "ActualEnd", "ModifiedTime"})
_UNSET_DATETIMES = ("InvitationSendTime", "ActualStart", "ActualEnd")

# Key order of a JSMeeting on the wire (table keys, then the two keys of the docs' example).
_KEY_ORDER = (
    "Id", "Title", "Purpose", "Location", "Start", "End", "AllDayEvent", "Host", "Invitations",
    "SendInvitations", "InvitationSendTime", "CreateTeamsMeeting", "ActualStart", "ActualEnd",
    "ModifiedTime",
)  # fmt: skip


class ApiFailure(ValueError):
    """A request the emulator refuses with a ``JSApiError`` body."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


def _bad(message: str) -> ApiFailure:
    return ApiFailure(400, message, "BADREQUEST")


def parse_datetime(value: object, key: str) -> str:
    """Validate an API DateTime (string or ``datetime``) and return its ``...Z`` form."""
    if isinstance(value, datetime):
        return format_datetime(value)
    if not isinstance(value, str):
        raise _bad(f"{key} must be a DateTime string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _bad(f"{key} is not an ISO 8601 DateTime: {value!r}") from None
    return format_datetime(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def _user_ui(value: object, key: str) -> dict[str, Any]:
    if not isinstance(value, Mapping) or not isinstance(value.get("Email"), str):
        raise _bad(f"{key} must be a JSUserUI object with an Email")
    return {
        "Id": str(value.get("Id") or ""),
        "Name": str(value.get("Name") or ""),
        "Email": str(value["Email"]).lower(),
    }


def _invitations(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise _bad("Invitations must be an array")
    result = []
    for index, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise _bad(f"Invitations[{index}] must be an object")
        result.append(
            {
                "User": _user_ui(item.get("User"), f"Invitations[{index}].User"),
                "Status": str(item.get("Status") or "PENDING"),
                "Required": bool(item.get("Required", True)),
                "IsCoHost": bool(item.get("IsCoHost", False)),
            }
        )
    # The docs ask for the list sorted by email.
    return sorted(result, key=lambda invitation: str(invitation["User"]["Email"]))


def normalize_meeting_fields(fields: Mapping[str, Any], *, strict: bool) -> dict[str, Any]:
    """The writable JSMeeting keys of ``fields``, validated and normalised.

    Read-only keys are dropped silently; unknown keys are dropped, or refused when ``strict``.
    """
    result: dict[str, Any] = {}
    for key, value in fields.items():
        if key in READ_ONLY:
            continue
        if key not in WRITABLE:
            if strict:
                raise _bad(f"unknown JSMeeting key: {key}")
            continue
        if value is None and key in _NULLABLE:
            result[key] = None
        elif key in _DATETIMES:
            result[key] = parse_datetime(value, key)
        elif key in _STRINGS:
            if not isinstance(value, str):
                raise _bad(f"{key} must be a string")
            result[key] = value
        elif key in _BOOLEANS:
            if not isinstance(value, bool):
                raise _bad(f"{key} must be a boolean")
            result[key] = value
        else:
            result[key] = _invitations(value)
    return result


@attrs.define(eq=False)
class MeetingRecord:
    """A stored meeting and when (in this user's change versions) each part last changed."""

    data: dict[str, Any]
    created_version: int
    client_sync_id: str | None = None
    prop_versions: dict[str, int] = attrs.field(factory=dict)

    @property
    def id(self) -> str:
        """The meeting's ``Id``."""
        return str(self.data["Id"])


@attrs.frozen
class Tombstone:
    """A deleted meeting, kept so Sync can report the deletion."""

    id: str
    client_sync_id: str | None
    created_version: int
    deleted_version: int
    deleted_at: str


def render_meeting(record: MeetingRecord, *, null_unset: bool) -> dict[str, Any]:
    """The JSMeeting of ``record`` in wire key order; unset values null or left out."""
    data = record.data
    meeting = {key: copy.deepcopy(data[key]) for key in _KEY_ORDER if key in data}
    if not null_unset:
        meeting = {key: value for key, value in meeting.items() if value is not None}
    return meeting


class MeetingBook:
    """One user's meetings, deletions and calendar entries, with a change version counter."""

    def __init__(self) -> None:
        self.version = 0
        self._meetings: dict[str, MeetingRecord] = {}
        self.tombstones: list[Tombstone] = []
        self.calendar_entries: dict[str, dict[str, Any]] = {}
        self.calendar_recurrences: dict[str, dict[str, Any]] = {}

    def __iter__(self) -> Iterator[MeetingRecord]:
        return iter(list(self._meetings.values()))

    def __len__(self) -> int:
        return len(self._meetings)

    def get(self, meeting_id: str) -> MeetingRecord | None:
        """The meeting with ``meeting_id`` (GUIDs compare case-insensitively)."""
        return self._meetings.get(meeting_id.lower())

    def by_client_sync_id(self, client_sync_id: str) -> MeetingRecord | None:
        """The meeting last committed with ``client_sync_id``."""
        for record in self._meetings.values():
            if record.client_sync_id == client_sync_id:
                return record
        return None

    def create(
        self,
        meeting_id: str,
        fields: Mapping[str, Any],
        *,
        host: Mapping[str, str],
        modified: str,
        client_sync_id: str | None = None,
    ) -> MeetingRecord:
        """Store a new meeting from normalised ``fields``."""
        self.version += 1
        data: dict[str, Any] = {
            "Id": meeting_id,
            "Title": "",
            "Purpose": "",
            "Location": "",
            "Start": None,
            "End": None,
            "AllDayEvent": False,
            "Invitations": [],
            "SendInvitations": False,
            "CreateTeamsMeeting": False,
            **dict.fromkeys(_UNSET_DATETIMES),
            **copy.deepcopy(dict(fields)),
            "Host": dict(host),
            "ModifiedTime": modified,
        }
        record = MeetingRecord(
            data=data, created_version=self.version, client_sync_id=client_sync_id
        )
        self._meetings[meeting_id.lower()] = record
        return record

    def update(
        self,
        record: MeetingRecord,
        fields: Mapping[str, Any],
        *,
        modified: str,
        client_sync_id: str | None = None,
    ) -> list[str]:
        """Apply normalised ``fields``; returns the keys whose value changed."""
        changed = [key for key, value in fields.items() if record.data.get(key) != value]
        if client_sync_id is not None:
            record.client_sync_id = client_sync_id
        if changed:
            self.version += 1
            for key in changed:
                record.data[key] = copy.deepcopy(fields[key])
                record.prop_versions[key] = self.version
            record.data["ModifiedTime"] = modified
        return changed

    def delete(self, record: MeetingRecord, *, deleted_at: str) -> None:
        """Delete ``record``, leaving a tombstone for Sync."""
        self.version += 1
        del self._meetings[record.id.lower()]
        self.tombstones.append(
            Tombstone(
                id=record.id,
                client_sync_id=record.client_sync_id,
                created_version=record.created_version,
                deleted_version=self.version,
                deleted_at=deleted_at,
            )
        )

    def changed_since(
        self, version: int, properties: frozenset[str]
    ) -> tuple[list[MeetingRecord], list[MeetingRecord], list[Tombstone]]:
        """(new, modified, deleted) since ``version``; only ``properties`` count as changes."""
        new = [r for r in self._meetings.values() if r.created_version > version]
        modified = [
            r
            for r in self._meetings.values()
            if r.created_version <= version
            and any(r.prop_versions.get(p, 0) > version for p in properties)
        ]
        deleted = [t for t in self.tombstones if t.deleted_version > version >= t.created_version]
        return new, modified, deleted
