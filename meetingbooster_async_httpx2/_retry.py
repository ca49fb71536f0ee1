# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_retry.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""Pure retry policy: what to retry, how long to wait (backoff with jitter, Retry-After)."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Final

import attrs
import httpx2

from ._retry_after import parse_retry_after

__all__ = [
    "DEADLINE_EXTENSION",
    "IDEMPOTENT_EXTENSION",
    "REACHED_EXTENSION",
    "RETRY_EXTENSION",
    "RetryPolicy",
    "is_replayable",
    "is_retryable_error",
    "may_have_reached",
    "parse_retry_after",
]

#: Request extension to override the client's policy for one call: a RetryPolicy, or an int
#: (that many retries with the client's other settings), or 0 to disable.
RETRY_EXTENSION: Final = "meetingbooster_retry"
#: Request extension with an overall deadline in seconds for one call: token refresh, every
#: attempt and every backoff included.
DEADLINE_EXTENSION: Final = "meetingbooster_deadline"
#: Request extension that marks a non-idempotent request (a POST) safe to retry, e.g. a create
#: that carries its own GUID id, as the API recommends.
IDEMPOTENT_EXTENSION: Final = "meetingbooster_idempotent"

#: Request extension a transport sets for each attempt: ``False`` when the attempt starts and
#: ``True`` just before its first byte is written. It is the record the retry and token rules
#: read (:func:`may_have_reached`). Our ``fast=True`` transport keeps it; httpcore2's streams
#: need none, since httpcore2's exception classes already carry the same meaning.
REACHED_EXTENSION: Final = "meetingbooster_reached"

IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})
RETRY_STATUSES: Final = frozenset({408, 429, 500, 502, 503, 504})

# httpcore2 raises these only before a byte of the request is written (and a pool wait before
# a connection is even had): what the class says when no transport kept a record.
_NOT_SENT: Final = (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout)


def may_have_reached(request: httpx2.Request, error: BaseException) -> bool:
    """False only if the attempt that raised ``error`` surely wrote nothing to the server.

    The transport's record (:data:`REACHED_EXTENSION`) decides where there is one; otherwise
    the error's class does, with httpcore2's meaning: ``ConnectError``, ``ConnectTimeout`` and
    ``PoolTimeout`` come before the first byte, every other error may come after it.
    """
    recorded = request.extensions.get(REACHED_EXTENSION)
    if recorded is not None:
        return bool(recorded)
    return not isinstance(error, _NOT_SENT)


# What a retry cannot fix: a URL or protocol we cannot speak, our own malformed request, a
# malformed challenge, a proxy's refusal, and a full local pool (httpx2 does not retry it
# either: a request made inside an open stream would only wait again).
_NOT_RETRYABLE: Final = (
    httpx2.UnsupportedProtocol,
    httpx2.LocalProtocolError,
    httpx2.ProxyError,
    httpx2.PoolTimeout,
)


def is_retryable_error(error: Exception) -> bool:
    """True for transport failures another attempt may cure (resets, timeouts, refusals)."""
    if not isinstance(error, httpx2.TransportError) or isinstance(error, _NOT_RETRYABLE):
        return False
    if type(error) is httpx2.ProtocolError:
        return False  # raised by httpx2 itself, e.g. a malformed Digest challenge
    # httpx2 reports a redirect to an unusable Location as a RemoteProtocolError: the same
    # answer would come again.
    return not (
        isinstance(error, httpx2.RemoteProtocolError)
        and str(error).startswith("Invalid URL in location header")
    )


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """When and how long to retry a request.

    Attributes:
        max_retries: retries after the first attempt (0 disables retrying).
        backoff_initial: the first backoff in seconds; doubles each retry ("full jitter":
            the actual wait is uniform between half of it and all of it).
        backoff_max: the cap on one backoff.
        max_retry_after: the most we wait when the server asks (``Retry-After``); a longer
            ask is not honoured and the response is returned as it is.
        statuses: the statuses worth another try.
    """

    max_retries: int = 2
    backoff_initial: float = 0.5
    backoff_max: float = 8.0
    max_retry_after: float = 60.0
    statuses: frozenset[int] = RETRY_STATUSES

    def may_retry(self, request: httpx2.Request, attempt: int) -> bool:
        """True if ``attempt`` (0 for the first retry) is allowed and the request is safe."""
        if attempt >= self.max_retries:
            return False
        return request.method in IDEMPOTENT_METHODS or bool(
            request.extensions.get(IDEMPOTENT_EXTENSION)
        )

    def backoff(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Exponential backoff with jitter for retry number ``attempt`` (0-based)."""
        ceiling = min(self.backoff_max, self.backoff_initial * 2.0**attempt)
        return ceiling / 2 + rand() * ceiling / 2

    def delay_after_error(
        self,
        request: httpx2.Request,
        error: Exception,
        attempt: int,
        rand: Callable[[], float] = random.random,
    ) -> float | None:
        """Seconds to wait before retrying after a transport error, or ``None``: give up.

        An attempt that may have reached the server is retried only if the request is
        idempotent (:meth:`may_retry`); one that surely wrote nothing, whatever the method.
        """
        if attempt >= self.max_retries or not is_retryable_error(error):
            return None
        if not may_have_reached(request, error) or self.may_retry(request, attempt):
            return self.backoff(attempt, rand)
        return None

    def delay_after_status(
        self,
        request: httpx2.Request,
        status_code: int,
        headers: Mapping[str, str],
        attempt: int,
        *,
        now: float | None = None,
        rand: Callable[[], float] = random.random,
    ) -> float | None:
        """Seconds to wait before retrying after ``status_code``, or ``None``: give up."""
        if status_code not in self.statuses or not self.may_retry(request, attempt):
            return None
        asked = parse_retry_after(headers.get("Retry-After"), now=now)
        if asked is None:
            return self.backoff(attempt, rand)
        return asked if asked <= self.max_retry_after else None


def is_replayable(request: httpx2.Request) -> bool:
    """True if the request body can be sent again (bytes, or multipart that re-reads files)."""
    stream = request.stream
    return isinstance(stream, httpx2.ByteStream) or type(stream).__name__ == "MultipartStream"
