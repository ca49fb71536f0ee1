"""httpcore's pool, faster: asyncio-native connections and a cheap idle check (default transport).

On asyncio, :class:`CachedSocketBackend` opens its TCP connections as ``_asyncio_stream``
streams (no anyio cancel scope or selector re-registration per read and write); on trio, and
for Unix sockets, it keeps httpcore's own backend and wraps its streams as below.

httpcore checks every pooled connection for expiry each time it assigns a request (twice per
request); for an idle HTTP/1.1 connection that asks the stream ``get_extra_info("is_readable")``,
which anyio answers by rebuilding a dict of socket attributes with a ``getpeername()`` system
call on every call: ~35% of the client's CPU at 64 in flight (benchmarks/README.md). These
streams look their raw socket up once; ``is_readable`` is then one ``poll()`` (``select()``
where the platform has no ``poll``, as on Windows), with the same meaning as httpcore's own
check. httpcore's backend (anyio or trio) is kept underneath.

Portability: the speed-up reaches into one httpx/httpcore private, the pool's
``_network_backend``. :func:`speed_up_pool` checks it when the client is built; if a newer
httpx or httpcore renames it or changes its type, the client keeps httpcore's own backend and
loses only the speed-up, never correctness. A stream without a raw socket asks httpcore's
stream, as before.
"""

from __future__ import annotations

import select
import ssl
from collections.abc import Callable, Iterable
from typing import Any, Final, Protocol, runtime_checkable

import httpcore
import httpx
import sniffio

from ._asyncio_stream import connect_tcp as asyncio_connect_tcp
from ._logging import logger

__all__ = ["CachedSocketBackend", "CachedSocketStream", "Socket", "readable_check", "speed_up_pool"]

#: The private names the speed-up needs: ``AsyncHTTPTransport._pool`` and the pool's
#: ``_network_backend``. Kept in one place so a test can play a release that renamed them.
POOL_ATTRIBUTE: Final = "_pool"
BACKEND_ATTRIBUTE: Final = "_network_backend"
#: The largest piece a write of httpcore's own streams is given (see ``CachedSocketStream``).
WRITE_PIECE: Final = 1 << 16


@runtime_checkable
class Socket(Protocol):
    """What the check needs of a socket: a ``socket.socket`` on anyio, a trio socket on trio."""

    def fileno(self) -> int: ...


def _readable_poll(sock: Socket) -> bool:
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN)
    return bool(poller.poll(0))


def _readable_select(sock: Socket) -> bool:
    readable, _, _ = select.select([sock], [], [], 0)
    return bool(readable)


def readable_check() -> Callable[[Socket], bool]:
    """The readability test for this platform: ``poll()`` where it exists, else ``select()``."""
    return _readable_poll if hasattr(select, "poll") else _readable_select


def _readable(sock: Socket | None, check: Callable[[Socket], bool] | None = None) -> bool:
    """httpcore's ``is_socket_readable``: an idle socket that is readable was closed by the peer."""
    if sock is None or sock.fileno() == -1:
        return True
    return (check or readable_check())(sock)


class CachedSocketStream(httpcore.AsyncNetworkStream):
    """A network stream that answers ``is_readable`` from its raw socket, looked up once."""

    def __init__(
        self,
        stream: httpcore.AsyncNetworkStream,
        check: Callable[[Socket], bool] | None = None,
    ) -> None:
        self._stream = stream
        self._check = check or readable_check()
        raw = stream.get_extra_info("socket")
        self._socket: Socket | None = raw if isinstance(raw, Socket) else None

    # The ``timeout`` parameters are httpcore's interface (ASYNC109 does not apply).
    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        return await self._stream.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        # httpcore's anyio and trio streams bound a whole write by ``timeout``; the write
        # timeout means "no progress for that long" (an upload read slowly stays alive), so a
        # large buffer goes out in pieces, each with the whole timeout.
        if len(buffer) <= WRITE_PIECE:
            await self._stream.write(buffer, timeout)
            return
        view = memoryview(buffer)
        for start in range(0, len(buffer), WRITE_PIECE):
            await self._stream.write(bytes(view[start : start + WRITE_PIECE]), timeout)

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> httpcore.AsyncNetworkStream:
        tls = await self._stream.start_tls(ssl_context, server_hostname, timeout)
        return CachedSocketStream(tls, self._check)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            if self._socket is None:  # no raw socket to poll: httpcore's own answer
                return self._stream.get_extra_info(info)
            return _readable(self._socket, self._check)
        return self._stream.get_extra_info(info)


class CachedSocketBackend(httpcore.AsyncNetworkBackend):
    """Wraps httpcore's own backend (anyio or trio): only the streams it returns change."""

    def __init__(self, backend: httpcore.AsyncNetworkBackend, *, native: bool = True) -> None:
        self._backend = backend
        self._check = readable_check()  # chosen once, when the client is built
        self._native = native

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if self._native and sniffio.current_async_library() == "asyncio":
            return await asyncio_connect_tcp(
                host, port, timeout, local_address, socket_options, readable=self._check
            )
        stream = await self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return CachedSocketStream(stream, self._check)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._backend.connect_unix_socket(path, timeout, socket_options)
        return CachedSocketStream(stream, self._check)

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


def speed_up_pool(transport: httpx.AsyncBaseTransport) -> bool:
    """Give an ``httpx.AsyncHTTPTransport``'s pool the caching backend; True if it did.

    Must run before the pool opens its first connection. It reaches into httpx/httpcore
    privates (``_pool._network_backend``); where they are missing or not what this module
    expects (a newer httpx or httpcore), it changes nothing and returns False: the client then
    runs on httpcore's own idle check, slower but equally correct. A test pins the privates, so
    our own CI notices such an upgrade.
    """
    if not isinstance(transport, httpx.AsyncHTTPTransport):
        return False
    pool = getattr(transport, POOL_ATTRIBUTE, None)
    backend = getattr(pool, BACKEND_ATTRIBUTE, None)
    if not isinstance(pool, httpcore.AsyncConnectionPool) or not isinstance(
        backend, httpcore.AsyncNetworkBackend
    ):
        logger.debug(
            "httpx %s / httpcore %s: the pool's network backend was not found; "
            "keeping httpcore's own idle-connection check",
            httpx.__version__,
            httpcore.__version__,
        )
        return False
    if not isinstance(backend, CachedSocketBackend):
        setattr(pool, BACKEND_ATTRIBUTE, CachedSocketBackend(backend))
    return True
