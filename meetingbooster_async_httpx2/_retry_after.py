# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_retry_after.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""``Retry-After`` as seconds: a leaf (standard library only), so the error layer can use it.

The retry policy (``_retry``) and :class:`RateLimitError` read the header the same way.
"""

from __future__ import annotations

import math
import time
from email.utils import parsedate_to_datetime

__all__ = ["parse_retry_after"]


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date; ``None`` if unusable.

    ``now`` is the current Unix time (``time.time()``), used for the date form. A date in
    the past or a negative number gives ``0.0``; an infinite or unparsable value ``None``.

    >>> parse_retry_after("120")
    120.0
    >>> parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0)
    10.0
    >>> parse_retry_after("soon") is None
    True
    """
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)
