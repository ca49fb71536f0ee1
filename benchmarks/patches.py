"""Prototypes of package changes, applied by monkeypatching inside a benchmark worker.

``--only ours,ours:cached-socket`` runs our client as it is and with the prototype side by side,
alternating round by round, without editing the package. Each prototype names the change it
stands for; the lead applies the real one.

``cached-socket``: httpcore checks every pooled connection for expiry each time it assigns a
request (twice per request), and for an idle HTTP/1.1 connection that check asks the network
stream ``get_extra_info("is_readable")``. httpcore's anyio stream answers it through anyio's
``extra()``, which rebuilds a dict of socket attributes, with a ``getpeername()`` system call,
on every call. At 16 connections that is ~35% of the client's CPU at 64 in flight. The change:
our default transport's pool gets a network backend whose streams keep their raw socket, so
``is_readable`` is one ``poll()`` and nothing else.
"""

from __future__ import annotations

import select
import socket
import ssl
import typing
from collections.abc import Callable, Iterable
from typing import Any

import httpcore
import httpx

__all__ = ["PATCHES", "CachedSocketBackend", "apply"]


def _readable(sock: socket.socket | None) -> bool:
    """httpcore's ``is_socket_readable``: an idle socket that is readable was closed by the peer."""
    if sock is None:
        return True
    fd = sock.fileno()
    if fd == -1:
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class CachedSocketStream(httpcore.AsyncNetworkStream):
    """A network stream that answers ``is_readable`` from its raw socket, looked up once."""

    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream
        self._socket: socket.socket | None = stream.get_extra_info("socket")

    # The ``timeout`` parameters are httpcore's interface (ASYNC109 does not apply).
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
    ) -> httpcore.AsyncNetworkStream:
        tls = await self._stream.start_tls(ssl_context, server_hostname, timeout)
        return CachedSocketStream(tls)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return _readable(self._socket)
        return self._stream.get_extra_info(info)


class CachedSocketBackend(httpcore.AsyncNetworkBackend):
    """Wraps httpcore's own backend (anyio or trio): only the streams it returns change."""

    def __init__(self, backend: httpcore.AsyncNetworkBackend) -> None:
        self._backend = backend

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return CachedSocketStream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._backend.connect_unix_socket(path, timeout, socket_options)
        return CachedSocketStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


def _cached_socket() -> None:
    """After construction, give the default transport's pool the caching backend.

    The package change would do this where ``MeetingBoosterClient`` builds its default
    transport (the ``fast=False`` path), for the transport it also binds to the auth.
    """
    from meetingbooster_async import MeetingBoosterClient

    original = MeetingBoosterClient.__init__

    def __init__(self: MeetingBoosterClient, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        transport = self._transport
        pool = getattr(transport, "_pool", None)
        if isinstance(transport, httpx.AsyncHTTPTransport) and pool is not None:
            pool._network_backend = CachedSocketBackend(pool._network_backend)

    MeetingBoosterClient.__init__ = __init__  # type: ignore[method-assign]


PATCHES: dict[str, Callable[[], None]] = {"cached-socket": _cached_socket}


def apply(name: str) -> None:
    """Apply the prototype ``name`` (see :data:`PATCHES`)."""
    try:
        PATCHES[name]()
    except KeyError:
        raise SystemExit(f"unknown patch {name!r}; expected one of {sorted(PATCHES)}") from None


if typing.TYPE_CHECKING:  # the stream and backend satisfy httpcore's interfaces
    _backend: httpcore.AsyncNetworkBackend = CachedSocketBackend(httpcore.AnyIOBackend())
