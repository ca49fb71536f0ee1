# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_transport.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""A faster idle-connection check for httpcore2's pool (the default transport only).

httpcore2 checks every pooled connection for expiry each time it assigns a request (twice per
request); for an idle HTTP/1.1 connection that asks the stream ``get_extra_info("is_readable")``,
which anyio answers by rebuilding a dict of socket attributes with a ``getpeername()`` system
call on every call: ~35% of the client's CPU at 64 in flight (benchmarks/README.md). These
streams look their raw socket up once; ``is_readable`` is then one ``poll()``, with the same
meaning as httpcore2's own check. httpcore2's backend (anyio or trio) is kept underneath.
"""

from __future__ import annotations

import select
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore2
import httpx2

__all__ = ["CachedSocketBackend", "CachedSocketStream", "speed_up_pool"]


def _readable(sock: socket.socket | None) -> bool:
    """httpcore2's ``is_socket_readable``: an idle socket that is readable was closed by the peer."""
    if sock is None:
        return True
    fd = sock.fileno()
    if fd == -1:
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class CachedSocketStream(httpcore2.AsyncNetworkStream):
    """A network stream that answers ``is_readable`` from its raw socket, looked up once."""

    def __init__(self, stream: httpcore2.AsyncNetworkStream) -> None:
        self._stream = stream
        self._socket: socket.socket | None = stream.get_extra_info("socket")

    # The ``timeout`` parameters are httpcore2's interface (ASYNC109 does not apply).
    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        return await self._stream.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        await self._stream.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> httpcore2.AsyncNetworkStream:
        tls = await self._stream.start_tls(ssl_context, server_hostname, timeout)
        return CachedSocketStream(tls)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return _readable(self._socket)
        return self._stream.get_extra_info(info)


class CachedSocketBackend(httpcore2.AsyncNetworkBackend):
    """Wraps httpcore2's own backend (anyio or trio): only the streams it returns change."""

    def __init__(self, backend: httpcore2.AsyncNetworkBackend) -> None:
        self._backend = backend

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        stream = await self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return CachedSocketStream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        stream = await self._backend.connect_unix_socket(path, timeout, socket_options)
        return CachedSocketStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


def speed_up_pool(transport: httpx2.AsyncBaseTransport) -> bool:
    """Give an ``httpx2.AsyncHTTPTransport``'s pool the caching backend; True if it did.

    Must run before the pool opens its first connection. It reaches into httpx2/httpcore2
    privates (``_pool._network_backend``), pinned by a test so an upgrade that renames them
    fails loudly instead of silently losing the speed-up.
    """
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if not isinstance(transport, httpx2.AsyncHTTPTransport) or backend is None:
        return False
    if not isinstance(backend, CachedSocketBackend):
        pool._network_backend = CachedSocketBackend(backend)  # type: ignore[union-attr]
    return True
