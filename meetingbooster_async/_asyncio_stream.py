"""An asyncio-native network stream for httpcore's pool: reads and writes without anyio's tax.

On asyncio, httpcore's own backend reads through anyio: every ``read`` and ``write`` opens an
``anyio.fail_after`` cancel scope and a ``map_exceptions`` context, and every read that waits
re-registers the socket with the selector (``resume_reading`` / ``pause_reading``: two
``epoll_ctl`` system calls). This stream is an ``asyncio.Protocol`` that keeps reading on (with
a bounded buffer: above ``HIGH_WATER`` unread bytes it pauses, like asyncio's own streams), and
bounds each wait with one ``loop.call_later`` timer that fails the waiting future, not with a
cancel scope. Nothing here cancels a task: a caller's cancellation reaches the future it awaits
and propagates unchanged.

Errors are httpcore's, as its anyio backend raises them: a failed or timed-out connect is
``ConnectError`` / ``ConnectTimeout``, a read ``ReadError`` / ``ReadTimeout``, a write
``WriteError`` / ``WriteTimeout``; a peer that closed cleanly reads as ``b""``.

Only the asyncio event loop uses it (trio keeps httpcore's trio backend), and only for TCP:
Unix sockets go to httpcore's backend. Connecting is ``loop.create_connection`` per address,
raced as RFC 8305 happy eyeballs (as anyio does), then ``loop.start_tls``, all under
``anyio.fail_after`` (once per connection, not per request).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, Final, cast

import anyio
import httpcore

__all__ = ["HIGH_WATER", "AsyncioStream", "connect_tcp"]

#: Unread bytes above which the stream stops reading from the socket until the pool reads.
HIGH_WATER: Final = 256 * 1024
#: Happy eyeballs (RFC 8305) delay between address families, as anyio's ``connect_tcp`` uses.
HAPPY_EYEBALLS_DELAY: Final = 0.25


class _Protocol(asyncio.Protocol):
    """Buffers what arrives; wakes one reader and one writer through futures."""

    __slots__ = (
        "aborted",
        "buffered",
        "chunks",
        "closed",
        "eof",
        "error",
        "paused",
        "reader",
        "transport",
        "writable",
        "writer",
    )

    def __init__(self) -> None:
        self.chunks: deque[bytes] = deque()
        self.buffered = 0
        self.reader: asyncio.Future[None] | None = None
        self.writer: asyncio.Future[None] | None = None
        self.writable = True
        self.paused = False
        self.eof = False
        self.closed = False
        self.aborted = False  # closed by us
        self.error: BaseException | None = None
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport; not always an asyncio.Transport instance (uvloop's is not).
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.chunks.append(bytes(data))
        self.buffered += len(data)
        if self.buffered > HIGH_WATER and not self.paused and self.transport is not None:
            self.paused = True
            self.transport.pause_reading()
        self._wake_reader()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake_reader()
        return False  # close our side too: HTTP/1.1 never half-closes

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.error = exc
        self._wake_reader()
        self.writable = True
        if self.writer is not None and not self.writer.done():
            self.writer.set_result(None)

    def pause_writing(self) -> None:
        self.writable = False

    def resume_writing(self) -> None:
        self.writable = True
        if self.writer is not None and not self.writer.done():
            self.writer.set_result(None)

    def _wake_reader(self) -> None:
        if self.reader is not None and not self.reader.done():
            self.reader.set_result(None)


class _WriteStalled(Exception):
    """A write wait ran its timeout: stalled, unless the buffer moved meanwhile."""


def _expire(future: asyncio.Future[None], error: type[Exception]) -> None:
    if not future.done():
        future.set_exception(error())


async def _wait(
    future: asyncio.Future[None],
    timeout: float | None,  # noqa: ASYNC109 (httpcore's interface)
    error: type[Exception],
) -> None:
    """Await ``future``; ``error`` once ``timeout`` seconds pass (a timer, no cancel scope)."""
    if timeout is None:
        await future
        return
    handle = future.get_loop().call_later(timeout, _expire, future, error)
    try:
        await future
    finally:
        handle.cancel()
        if future.done() and not future.cancelled():
            future.exception()  # retrieved: a timeout that raced a cancellation is not logged


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection on asyncio's transport/protocol pair: httpcore's network-stream API."""

    def __init__(
        self,
        transport: asyncio.Transport,
        protocol: _Protocol,
        loop: asyncio.AbstractEventLoop,
        readable: Callable[[Any], bool],
    ) -> None:
        self._transport = transport
        self._protocol = protocol
        self._loop = loop
        self._readable = readable

    # The ``timeout`` parameters are httpcore's interface (ASYNC109 does not apply).
    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        protocol = self._protocol
        if not protocol.chunks:
            if not (protocol.eof or protocol.closed):
                protocol.reader = self._loop.create_future()
                try:
                    await _wait(protocol.reader, timeout, httpcore.ReadTimeout)
                finally:
                    protocol.reader = None
            if not protocol.chunks:  # the peer is gone: cleanly (b"") or not (ReadError)
                if protocol.aborted:
                    raise httpcore.ReadError("the connection was closed")
                if protocol.error is not None:
                    raise httpcore.ReadError(str(protocol.error)) from protocol.error
                return b""
        chunk = protocol.chunks.popleft()
        if len(chunk) > max_bytes:
            chunk, rest = chunk[:max_bytes], chunk[max_bytes:]
            protocol.chunks.appendleft(rest)
        protocol.buffered -= len(chunk)
        if protocol.paused and protocol.buffered <= HIGH_WATER // 4:
            protocol.paused = False
            self._transport.resume_reading()
        return chunk

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        if not buffer:
            return
        protocol = self._protocol
        if protocol.closed or protocol.aborted or self._transport.is_closing():
            raise httpcore.WriteError("the connection is closed")
        transport = self._transport
        transport.write(buffer)
        while not protocol.writable:
            # The write timeout is "no byte accepted for that long" (httpcore's meaning): each
            # wait ends with the buffer drained, or with a look at whether it moved at all.
            before = transport.get_write_buffer_size()
            protocol.writer = self._loop.create_future()
            try:
                await _wait(protocol.writer, timeout, _WriteStalled)
            except _WriteStalled:
                if transport.get_write_buffer_size() >= before and not protocol.writable:
                    raise httpcore.WriteTimeout("no byte could be written in time") from None
            finally:
                protocol.writer = None
        if protocol.closed and protocol.error is not None:
            raise httpcore.WriteError(str(protocol.error)) from protocol.error

    async def aclose(self) -> None:
        # abort(), as anyio ends with: an unsent (abandoned) body is dropped and the socket
        # freed at once; no TLS close_notify (httpcore's anyio streams send none either), so no
        # wait for the peer's; and a second close is harmless on every loop (asyncio's TLS
        # transport raises AttributeError on close() after the peer closed it). A transport
        # whose connection is already lost is left alone: asyncio's plain one has dropped its
        # loop by then, and abort() raised AttributeError (an early 413 or 401 followed by the
        # peer's close, during a large upload).
        protocol = self._protocol
        protocol.aborted = True
        if not protocol.closed:
            self._transport.abort()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> httpcore.AsyncNetworkStream:
        loop = self._loop
        plain = self._protocol
        if plain.chunks or plain.eof or plain.closed:
            # Bytes that came before the handshake are not the server's over TLS (an injected
            # answer would pass for one): refused, as a TLS layer fed them would refuse them.
            self._transport.abort()
            raise httpcore.ConnectError("the peer sent data or closed before the TLS handshake")
        protocol = _Protocol()  # TLS gets its own buffer and pause state
        try:
            with anyio.fail_after(timeout):
                transport = await loop.start_tls(
                    self._transport, protocol, ssl_context, server_hostname=server_hostname
                )
        except TimeoutError as exc:
            self._transport.abort()
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except Exception as exc:  # OSError, ssl.SSLError, a transport that was closing
            self._transport.abort()
            raise httpcore.ConnectError(str(exc)) from exc
        except BaseException:
            self._transport.abort()
            raise
        if transport is None:
            raise httpcore.ConnectError("the connection closed during the TLS handshake")
        protocol.transport = transport
        return AsyncioStream(transport, protocol, loop, self._readable)

    def get_extra_info(self, info: str) -> Any:
        transport = self._transport
        if info == "ssl_object":
            return transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return transport.get_extra_info("sockname")
        if info == "server_addr":
            return transport.get_extra_info("peername")
        if info == "socket":
            return transport.get_extra_info("socket")
        if info == "is_readable":  # idle and readable: the peer closed it, or sent junk
            protocol = self._protocol
            if protocol.chunks or protocol.eof or protocol.closed:
                return True
            # What the loop has not read yet: the kernel's answer, as httpcore's own check.
            sock = transport.get_extra_info("socket")
            return sock is None or sock.fileno() == -1 or self._readable(sock)
        return None


async def _open(
    loop: asyncio.AbstractEventLoop, host: str, port: int, local_address: str | None
) -> tuple[asyncio.Transport, _Protocol]:
    """``create_connection`` one address at a time, raced as RFC 8305 (and anyio) do.

    Not ``create_connection(happy_eyeballs_delay=...)``: its ``staggered_race`` drops a socket
    that connects as the connect is cancelled (a deadline), and that socket leaks.
    """
    local_addr = (local_address, 0) if local_address is not None else None
    infos: list[Any]
    try:  # an IP address: nothing to resolve (getaddrinfo would go through a thread)
        ipaddress.ip_address(host)
    except ValueError:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    else:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    v6: list[Any] = [info for info in infos if info[0] == socket.AF_INET6]
    v4: list[Any] = [info for info in infos if info[0] != socket.AF_INET6]
    first, second = (v6, v4) if infos and infos[0][0] == socket.AF_INET6 else (v4, v6)
    ordered = [info for pair in zip(first, second, strict=False) for info in pair]
    ordered += first[len(second) :] + second[len(first) :]

    async def one(info: Any) -> tuple[asyncio.Transport, _Protocol]:
        family, _, proto, _, address = info
        transport, protocol = await loop.create_connection(
            _Protocol, address[0], address[1], family=family, proto=proto, local_addr=local_addr
        )
        return transport, protocol

    if len(ordered) == 1:
        return await one(ordered[0])
    winner: tuple[asyncio.Transport, _Protocol] | None = None
    errors: list[Exception] = []
    try:
        async with anyio.create_task_group() as tg:

            async def attempt(info: Any, failed: anyio.Event) -> None:
                nonlocal winner
                try:
                    connected = await one(info)
                except Exception as exc:  # OSError; anything else is raised as it is below
                    errors.append(exc)
                    failed.set()
                    return
                if winner is None:
                    winner = connected
                    tg.cancel_scope.cancel()
                else:
                    connected[0].close()

            for info in ordered:
                failed = anyio.Event()
                tg.start_soon(attempt, info, failed)
                with anyio.move_on_after(HAPPY_EYEBALLS_DELAY):
                    await failed.wait()
    except BaseException:
        if winner is not None:
            winner[0].close()
        raise
    if winner is None:
        if not errors:
            raise OSError(f"{host!r} resolved to no address")
        unexpected = [exc for exc in errors if not isinstance(exc, OSError)]
        if unexpected:
            raise unexpected[0]
        if len(errors) == 1:
            raise errors[0]
        raise OSError(f"Multiple exceptions: {', '.join(map(str, errors))}")
    return winner


async def connect_tcp(
    host: str,
    port: int,
    timeout: float | None = None,  # noqa: ASYNC109
    local_address: str | None = None,
    socket_options: Iterable[Any] | None = None,
    *,
    readable: Callable[[Any], bool],
) -> AsyncioStream:
    """Open a TCP connection as httpcore's anyio backend does, on asyncio's transports.

    ``readable`` polls a raw socket without blocking (``_transport.readable_check()``).
    """
    loop = asyncio.get_running_loop()
    try:
        with anyio.fail_after(timeout):
            transport, protocol = await _open(loop, host, port, local_address)
    except TimeoutError as exc:
        raise httpcore.ConnectTimeout(str(exc)) from exc
    except OSError as exc:  # refused, unreachable, DNS (socket.gaierror)
        raise httpcore.ConnectError(str(exc)) from exc
    sock: socket.socket | None = transport.get_extra_info("socket")
    try:
        if sock is not None:
            for option in socket_options or ():
                sock.setsockopt(*option)
    except OSError as exc:
        transport.abort()
        raise httpcore.ConnectError(str(exc)) from exc
    return AsyncioStream(transport, protocol, loop, readable)
