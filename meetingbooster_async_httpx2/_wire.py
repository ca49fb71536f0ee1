# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_wire.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""The building blocks of the wire rules: JSON key names and the scalar hooks.

``_converter.py`` assembles them into the converter and documents the rules (see
docs/meetingbooster-api.md §1.4, §1.5); other modules may use one hook directly (the
``JSApiError`` reader, ``structure_api_error``). Kept apart so each module holds one idea.
"""

from __future__ import annotations

import enum
import re
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ._api_error import parse_api_error
from ._enums import DayOfWeek, UnknownEnumValue
from ._errors import SerializationError
from ._models import (
    ApiError,
    MeetingSynchronization,
    OAuthErrorBody,
    OAuthTokenResponse,
    RecurrencePattern,
    SyncTask,
    TaskSynchronization,
)

__all__ = [
    "ID_FIELDS",
    "INPUT_ALIASES",
    "OPEN_CLASSES",
    "SerializationError",
    "enum_union_structure",
    "expected",
    "structure_api_error",
    "structure_bool",
    "structure_datetime",
    "structure_day_mask",
    "structure_id",
    "structure_int",
    "structure_int_or_int_string",
    "structure_str",
    "unstructure_api_error",
    "unstructure_datetime",
    "unstructure_enum_value",
    "wire_key",
]

# --- naming rules ----------------------------------------------------------------------------

_SNAKE_CASE_CLASSES: frozenset[type] = frozenset({OAuthTokenResponse, OAuthErrorBody})
_RENAMES: dict[tuple[type, str], str] = {(RecurrencePattern, "occurrences"): "Occurences"}
# Misspelled / alternative input keys -> the key we send. Used only when the key we send is absent.
INPUT_ALIASES: dict[type, dict[str, str]] = {
    RecurrencePattern: {"Occurrences": "Occurences"},
    MeetingSynchronization: {"CalendaerEntries": "CalendarEntries"},
}
# Every model with an ``extra`` field keeps its unmodelled keys there (lenient mode). These
# "open" classes keep them in strict mode too: none of their keys is documented.
OPEN_CLASSES: frozenset[type] = frozenset({SyncTask, TaskSynchronization})
ID_FIELDS = frozenset({"id", "client_sync_id"})


def wire_key(cl: type, name: str) -> str:
    """The JSON key of attribute ``name`` of model ``cl`` (``client_sync_id``: ``ClientSyncId``)."""
    if cl in _SNAKE_CASE_CLASSES:
        return name
    renamed = _RENAMES.get((cl, name))
    if renamed is not None:
        return renamed
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


# --- scalar hooks ----------------------------------------------------------------------------

_JSON_TYPE_NAMES = {type(None): "null", bool: "boolean", int: "number", float: "number"}
_JSON_TYPE_NAMES.update({str: "string", list: "array", dict: "object"})
_INT_STRING = re.compile(r"[+-]?[0-9]+")


def _json_type(value: object) -> str:
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def expected(what: str, value: object) -> ValueError:
    return ValueError(f"expected {what}, got {_json_type(value)}")


def structure_str(value: Any, _: Any) -> str:
    if isinstance(value, str):
        return str(value)
    raise expected("a string", value)


def structure_id(value: Any, _: Any) -> str | None:
    # Legacy objects carry an integer id; the docs say it travels "in the Id string", but a
    # JSON number is accepted too and kept as its decimal string.
    if value is None or type(value) is str:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return structure_str(value, str)


def structure_bool(value: Any, _: Any) -> bool:
    if value is True or value is False:
        return value
    if type(value) is int and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise expected("a boolean", value)


def structure_int(value: Any, _: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise expected("an integer", value)


def structure_int_or_int_string(value: Any, _: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and _INT_STRING.fullmatch(value.strip()):
        return int(value)
    return structure_int(value, int)


def structure_day_mask(value: Any, _: Any) -> DayOfWeek:
    mask = structure_int(value, int)
    if mask < 0:
        raise ValueError(f"a day-of-week mask cannot be negative: {mask}")
    return DayOfWeek(mask)


def structure_datetime(value: Any, _: Any) -> datetime:
    if not isinstance(value, str):
        raise expected("an ISO 8601 date-time string", value)
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)  # the docs: every DateTime is UTC
        return parsed if parsed.tzinfo is UTC else parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        shown = value if len(value) <= 40 else value[:37] + "..."
        raise ValueError(f"invalid ISO 8601 date-time {shown!r}") from None


def unstructure_datetime(value: Any) -> str:
    if not isinstance(value, datetime):
        raise SerializationError(f"expected a datetime, got {type(value).__name__}")
    offset = value.utcoffset()
    if offset is None:
        raise SerializationError("naive datetime: give it a timezone (datetime.UTC)")
    try:
        utc = (value - offset).replace(tzinfo=None) if offset else value.replace(tzinfo=None)
    except OverflowError:
        raise SerializationError("datetime out of range once converted to UTC") from None
    return utc.isoformat() + "Z"


def structure_api_error(value: Any, _: Any) -> ApiError:
    error = parse_api_error(value)  # the error layer's rules: one place
    if error is None:
        raise expected("a JSON object", value)
    return error


def unstructure_api_error(value: ApiError) -> dict[str, Any]:
    if value.raw:
        return dict(value.raw)
    return {} if value.message is None else {"Message": value.message}


# --- enums ---------------------------------------------------------------------------------


def enum_union_structure(t: Any) -> Callable[[Any, Any], Any]:
    enum_cls = next(
        a for a in typing.get_args(t) if isinstance(a, type) and issubclass(a, enum.Enum)
    )
    members: dict[object, Any] = {m.value: m for m in enum_cls}

    def structure_enum(value: Any, _: Any) -> Any:
        if isinstance(value, str):
            member = members.get(value)
            return member if member is not None else UnknownEnumValue(value)
        if isinstance(value, int) and not isinstance(value, bool):
            # No integer mapping is documented: keep the number and send it back as it came.
            return UnknownEnumValue(int(value))
        if value is None:
            return None
        raise expected(f"a {enum_cls.__name__} string or integer", value)

    return structure_enum


def unstructure_enum_value(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum | UnknownEnumValue) else value
