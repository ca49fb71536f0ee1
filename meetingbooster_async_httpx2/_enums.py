# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_enums.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""The wire enums, the value that stands in for an enum value we do not know, and the day mask.

The reference says enums arrive "as a string or an integer from a fixed set", documents only
the string form and no integer mapping. So:

* A known string becomes the enum member (``"WEEKLY"`` → :attr:`RecurrenceType.WEEKLY`).
* Anything else that is a string or an integer (``"BIWEEKLY"``, ``3``) becomes an
  :class:`UnknownEnumValue` carrying the raw value, which is sent back unchanged. A server
  upgrade that adds a value therefore never crashes a sync job, and a SyncCommit returns what
  the server sent. Integers are never mapped through the declaration order: the order is not
  documented and a guess would silently rewrite values on the way back.

Every enum field is typed ``<Enum> | UnknownEnumValue | None``; both kinds have ``.name`` and
``.value``, and ``str()`` of either gives the raw value. Members are :class:`enum.StrEnum`, so
``pattern.recurrence_type == "WEEKLY"`` also works.
"""

from __future__ import annotations

import enum

import attrs

__all__ = [
    "DayOfWeek",
    "InvitationStatus",
    "OAuthErrorState",
    "RecurrenceType",
    "SyncState",
    "UnknownEnumValue",
]


@attrs.frozen
class UnknownEnumValue:
    """An enum value this SDK version does not know; round-trips unchanged.

    Never build one for a value the enum knows (``UnknownEnumValue("NEW")`` would come back
    from the wire as :attr:`SyncState.NEW`).

    Example:
        >>> from meetingbooster_async_httpx2 import RecurrencePattern, structure
        >>> structure({"RecurrenceType": "BIWEEKLY"}, RecurrencePattern).recurrence_type
        UnknownEnumValue(value='BIWEEKLY')
    """

    value: str | int

    @property
    def name(self) -> str:
        """The raw value as a string, mirroring ``Enum.name``."""
        return str(self.value)

    def __str__(self) -> str:
        return str(self.value)


class RecurrenceType(enum.StrEnum):
    """``JSRecurrenceTypes``: how a :class:`RecurrencePattern` repeats."""

    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"
    MONTHLYNTH = "MONTHLYNTH"
    YEARLY = "YEARLY"
    YEARLYNTH = "YEARLYNTH"


class SyncState(enum.StrEnum):
    """``JSSyncState``: what happened to a sync object."""

    NEW = "NEW"
    MODIFIED = "MODIFIED"
    DELETED = "DELETED"


class OAuthErrorState(enum.StrEnum):
    """``JSOAuthErrorState``: MeetingBooster's reason for an OAuth failure (one value known)."""

    FAILEDLOGIN = "FAILEDLOGIN"


class InvitationStatus(enum.StrEnum):
    """The reply status of an invitation (enum name unknown; only ``PENDING`` is documented).

    Other replies arrive as :class:`UnknownEnumValue`; we do not guess their spelling.
    """

    PENDING = "PENDING"


class DayOfWeek(enum.IntFlag):
    """The ``DayOfWeekMask`` bits of a :class:`RecurrencePattern`, combinable with ``|``.

    Sunday=1, Monday=2 and Tuesday=4 are documented; the reference's "etc." makes Wednesday=8
    … Saturday=64 (inferred). Unknown bits are kept, so the mask round-trips.

    Example:
        >>> int(DayOfWeek.MONDAY | DayOfWeek.TUESDAY)
        6
        >>> DayOfWeek.WEDNESDAY in DayOfWeek(10)
        True
    """

    SUNDAY = 1
    MONDAY = 2
    TUESDAY = 4
    WEDNESDAY = 8
    THURSDAY = 16
    FRIDAY = 32
    SATURDAY = 64
