"""Mask credential headers in httpcore's DEBUG records (it logs raw response headers).

httpcore logs ``receive_response_headers.complete return_value=(..., [(b'set-cookie', ...)])``
at DEBUG, and a MeetingBooster ``/oauth`` answer may set a cookie holding the access token.
"""

from __future__ import annotations

import logging
import re
from typing import Final

__all__ = ["install"]

_SECRET_HEADER: Final = re.compile(
    r"""\(b(['"])(set-cookie|cookie|authorization|proxy-authorization)\1, """
    r"""b(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\)""",
    re.IGNORECASE,
)
_LOGGERS: Final = ("httpcore.http11", "httpcore.http2")


class _MaskCredentialHeaders(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _SECRET_HEADER.sub(lambda m: f"(b'{m.group(2)}', b'<masked>')", message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


_FILTER: Final = _MaskCredentialHeaders()


def install() -> None:
    """Add the filter to httpcore's protocol loggers (idempotent)."""
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
