# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_logging.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""The SDK's one logger, and the filter that masks credential headers in httpcore2's records.

Every module logs through :data:`logger` (``meetingbooster_async_httpx2``); a library logs, the
application decides where to, so it carries a ``NullHandler`` and nothing else.

httpcore2 logs ``receive_response_headers.complete return_value=(..., [(b'set-cookie', ...)])``
at DEBUG, and a MeetingBooster ``/oauth`` answer may set a cookie holding the access token.
:func:`install_header_masking` adds a filter to httpcore2's protocol loggers; the client calls
it once when it is built (an explicit step, not an import side effect).
"""

from __future__ import annotations

import logging
import re
from typing import Final

__all__ = ["install_header_masking", "logger"]

logger: Final = logging.getLogger("meetingbooster_async_httpx2")
logger.addHandler(logging.NullHandler())

_SECRET_HEADER: Final = re.compile(
    r"""\(b(['"])(set-cookie|cookie|authorization|proxy-authorization)\1, """
    r"""b(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\)""",
    re.IGNORECASE,
)
#: The loggers that print raw headers: the HTTP/1.1 and HTTP/2 protocol loggers of httpcore2 and
#: of httpcore2 (where this package runs under ``httpx2.alias_httpx()``). The httpx2 twin's
#: generated copy of this module names httpcore2's once (``dict.fromkeys`` drops the repeats).
HEADER_LOGGERS: Final = tuple(
    dict.fromkeys(("httpcore2.http11", "httpcore2.http2", "httpcore2.http11", "httpcore2.http2"))
)


class _MaskCredentialHeaders(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _SECRET_HEADER.sub(lambda m: f"(b'{m.group(2)}', b'<masked>')", message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


_FILTER: Final = _MaskCredentialHeaders()


def install_header_masking() -> None:
    """Add the masking filter to httpcore2's protocol loggers (idempotent, cheap)."""
    for name in HEADER_LOGGERS:
        target = logging.getLogger(name)
        if _FILTER not in target.filters:
            target.addFilter(_FILTER)
