# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_api_error.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""The server's own words in an error body: ``JSApiError`` parsing, for the error layer.

A leaf (it imports only the models): :mod:`._errors` builds messages with it and the converter
structures :class:`ApiError` with :func:`parse_api_error`, so the rules live in one place.
"""

from __future__ import annotations

import re
from typing import Final

from ._models import ApiError

__all__ = [
    "API_ERROR_CODE_KEYS",
    "API_ERROR_MESSAGE_KEYS",
    "INVALID_SYNC_TOKEN",
    "error_code_of",
    "parse_api_error",
    "server_words",
]

#: Keys that may hold a ``JSApiError``'s message (ASP.NET's ``Message`` first; the shape is
#: undocumented, so the others are tried too) and its error code.
API_ERROR_MESSAGE_KEYS: Final = ("Message", "message", "error_description", "error")
API_ERROR_CODE_KEYS: Final = ("ErrorCode", "errorCode", "error_code")
#: The ``ErrorCode`` of a sync token the server does not accept.
INVALID_SYNC_TOKEN: Final = "INVALIDSYNCTOKEN"
#: The server's words are cut to this length in messages (a message stays one line).
MAX_SERVER_WORDS: Final = 200
_BEARER: Final = re.compile(r"(bearer\s+)\S+", re.IGNORECASE)


def server_words(text: str) -> str:
    """The server's own text made safe for a one-line message: no newlines, short, no bearer."""
    line = " ".join(text.split())
    line = _BEARER.sub(r"\1<masked>", line)
    return line if len(line) <= MAX_SERVER_WORDS else line[: MAX_SERVER_WORDS - 1] + "…"


def parse_api_error(body: object) -> ApiError | None:
    """A ``JSApiError`` from a parsed JSON body: an object, or a bare string as the message.

    Returns ``None`` for anything else (no body, a list, a number...).

    >>> parse_api_error({"Message": "The sync token is not valid", "ErrorCode": "X"}).message
    'The sync token is not valid'
    """
    if isinstance(body, str):
        return ApiError(message=body)
    if not isinstance(body, dict):
        return None
    message = next((m for k in API_ERROR_MESSAGE_KEYS if isinstance(m := body.get(k), str)), None)
    return ApiError(message=message, raw=dict(body))


def error_code_of(body: object) -> str | None:
    """The ``ErrorCode`` of a parsed JSON body, or ``None``."""
    if not isinstance(body, dict):
        return None
    return next((c for k in API_ERROR_CODE_KEYS if isinstance(c := body.get(k), str)), None)
