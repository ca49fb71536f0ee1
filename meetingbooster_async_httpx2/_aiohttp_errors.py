# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_aiohttp_errors.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""What an aiohttp failure means, as an httpx2 exception: pure, decided by the attempt's record.

aiohttp's exception classes do not say whether the request was written: a
``ServerDisconnectedError`` or a ``ClientOSError`` comes before the first byte (a dead pooled
connection) as well as after it (a server that read the request and closed). httpcore2's classes
do say it, and the retry and token rules rely on that meaning. So the fast transport records,
for each attempt, whether it was still waiting for a pooled connection, connecting, or past the
first byte (:class:`Phase`), and :func:`httpx_error_for` picks the class from that record:

================================  ============================  ============================
aiohttp error                     nothing written yet           after the first byte
================================  ============================  ============================
a timeout                         ``ConnectTimeout``            ``ReadTimeout`` (or
                                  (``PoolTimeout`` while        ``WriteTimeout`` when the
                                  waiting for the pool)         write watch fired)
``ServerDisconnectedError``       ``ConnectError``              ``RemoteProtocolError``
``ClientOSError`` and other       ``ConnectError``              ``ReadError``
connection errors (resets)
``ClientPayloadError``            —                             ``RemoteProtocolError``
                                                                (``ReadError`` for a reset)
``ClientResponseError`` (garbage  ``ConnectError``              ``RemoteProtocolError``
status line, oversized header,
duplicate Content-Length)
proxy errors                      ``ProxyError``                ``ProxyError``
a non-HTTP or invalid URL         ``UnsupportedProtocol``       ``UnsupportedProtocol``
================================  ============================  ============================

Messages carry aiohttp's words without any URL's query (a sync token, an API key).
"""

from __future__ import annotations

import asyncio
import enum
from typing import Final

import aiohttp
import httpx2

from ._security import without_queries

__all__ = ["Phase", "error_message", "httpx_error_for"]


class Phase(enum.IntEnum):
    """How far one attempt got: the record the error's meaning is read from."""

    #: Waiting for a connection from aiohttp's pool (nothing written).
    POOL = 0
    #: Opening a new connection (nothing written).
    CONNECTING = 1
    #: The first byte may have been written: the request may have reached the server.
    SENT = 2


_URL_ERRORS: Final = (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError)
_PROXY_ERRORS: Final = (aiohttp.ClientProxyConnectionError, aiohttp.ClientHttpProxyError)
_TIMEOUTS: Final = (aiohttp.ServerTimeoutError, asyncio.TimeoutError, TimeoutError)


def _is_reset(exc: BaseException) -> bool:
    """True if ``exc`` or what it wraps is an OS error (a reset, a broken pipe)."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 8:
        if isinstance(current, OSError) and not isinstance(current, TimeoutError):
            return True
        current = current.__cause__ or current.__context__
        seen += 1
    return False


def httpx_error_for(
    exc: BaseException, phase: Phase, *, write_timed_out: bool = False
) -> type[httpx2.TransportError] | None:
    """The httpx2 class for ``exc`` raised in ``phase``; ``None``: not a transport failure."""
    if isinstance(exc, _URL_ERRORS):
        return httpx2.UnsupportedProtocol
    if isinstance(exc, _PROXY_ERRORS):
        return httpx2.ProxyError
    if not isinstance(exc, (aiohttp.ClientError, OSError, asyncio.TimeoutError)):
        return None  # not aiohttp's word about the network: a bug, raised as it is
    if phase is not Phase.SENT:
        if isinstance(exc, _TIMEOUTS):
            return httpx2.ConnectTimeout if phase is Phase.CONNECTING else httpx2.PoolTimeout
        return httpx2.ConnectError
    if write_timed_out:
        return httpx2.WriteTimeout
    if isinstance(exc, _TIMEOUTS):
        return httpx2.ReadTimeout
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return httpx2.RemoteProtocolError
    if isinstance(exc, aiohttp.ClientPayloadError):
        return httpx2.ReadError if _is_reset(exc) else httpx2.RemoteProtocolError
    if isinstance(exc, aiohttp.ClientResponseError):
        return httpx2.RemoteProtocolError
    return httpx2.ReadError


def error_message(exc: BaseException) -> str:
    """aiohttp's words for ``exc`` with its class name, no URL queries (one line)."""
    # A response error's str() adds the URL, query and all: its message alone.
    words = str(exc.message) if isinstance(exc, aiohttp.ClientResponseError) else str(exc)
    words = " ".join(without_queries(words).split())
    name = type(exc).__name__
    return f"{words} ({name})" if words else name
