"""The lean aiohttp transport: what each aiohttp error means, by the attempt's record; bodies.

An aiohttp error class does not say whether the request was written; the attempt's record
does (:mod:`meetingbooster_async._aiohttp_errors`). Each connection error is raised once before
the first byte and once after it, inside aiohttp over a real socket: the httpx class follows
the record, not the aiohttp class. (The httpx-aiohttp adapter maps them all to ConnectTimeout,
"never sent": it is not the reference.) Whole scenarios, the same for every transport, are in
tests/test_transport_conformance.py. aiohttp runs on asyncio only.
"""

from __future__ import annotations

import contextlib
import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import anyio
import httpx
import pytest

from meetingbooster_async import _aiohttp_transport
from meetingbooster_async._aiohttp_errors import Phase, error_message, httpx_error_for
from meetingbooster_async._aiohttp_transport import EAGER_LIMIT, AiohttpTransport
from meetingbooster_async._hotpath import STREAM_EXTENSION
from meetingbooster_async._retry import REACHED_EXTENSION, may_have_reached

pytestmark = pytest.mark.anyio

Handler = Callable[[anyio.abc.SocketStream], Awaitable[None]]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Handler], Awaitable[str]]]:
    """Start a TCP server on 127.0.0.1 running ``handler`` per connection; yields its URL."""
    listeners: list[anyio.abc.SocketListener] = []
    async with anyio.create_task_group() as tg:

        async def start(handler: Handler) -> str:
            async def closing(stream: anyio.abc.SocketStream) -> None:
                async with stream:
                    await handler(stream)

            listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
            listeners.append(listener)
            tg.start_soon(listener.serve, closing)
            port = listener.extra(anyio.abc.SocketAttribute.local_port)
            return f"http://127.0.0.1:{port}/x"

        yield start
        tg.cancel_scope.cancel()
    for listener in listeners:
        await listener.aclose()


async def read_head(stream: anyio.abc.SocketStream) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        data += await stream.receive()


def answer(raw: bytes, *, close: bool = True) -> Handler:
    async def handler(stream: anyio.abc.SocketStream) -> None:
        await read_head(stream)
        await stream.send(raw)
        if not close:
            await anyio.sleep_forever()
        await stream.aclose()

    return handler


async def silent(stream: anyio.abc.SocketStream) -> None:
    await read_head(stream)
    await anyio.sleep_forever()


async def reset(stream: anyio.abc.SocketStream) -> None:
    await read_head(stream)
    sock = stream.extra(anyio.abc.SocketAttribute.raw_socket)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    await stream.aclose()  # an RST, not a FIN


def aiohttp_errors() -> list[BaseException]:
    """One instance of every aiohttp error class a request can meet, newer ones where present."""
    key = aiohttp.client_reqrep.ConnectionKey("h", 1, False, True, None, None, None)
    info = aiohttp.RequestInfo(
        url=aiohttp.client_reqrep.URL("http://h/"),
        method="GET",
        headers=aiohttp.client_reqrep.CIMultiDictProxy(aiohttp.client_reqrep.CIMultiDict()),
        real_url=aiohttp.client_reqrep.URL("http://h/"),
    )
    oserror = OSError(111, "refused")
    # Some classes are newer than the lowest aiohttp we allow (3.10.0): each is tested where
    # the installed aiohttp has it.
    made: list[tuple[str, tuple[object, ...]]] = [
        ("ServerTimeoutError", ("t",)),
        ("SocketTimeoutError", ("t",)),
        ("ConnectionTimeoutError", ("t",)),
        ("ClientConnectionError", ("c",)),
        ("ServerConnectionError", ("c",)),
        ("ServerDisconnectedError", ()),
        ("ClientOSError", (104, "reset")),
        ("ClientConnectionResetError", ("reset",)),
        ("ClientConnectorError", (key, oserror)),
        ("ClientConnectorDNSError", (key, oserror)),
        ("ClientSSLError", (key, oserror)),
        ("ClientPayloadError", ("p",)),
        ("ClientResponseError", (info, ())),
        ("ServerFingerprintMismatch", (b"a", b"b", "h", 1)),
    ]
    return [getattr(aiohttp, name)(*args) for name, args in made if hasattr(aiohttp, name)]


def connection_errors() -> list[BaseException]:
    return [e for e in aiohttp_errors() if isinstance(e, aiohttp.ClientConnectionError)]


TIMEOUTS = (aiohttp.ServerTimeoutError,)


def expected(error: BaseException, phase: Phase) -> type[httpx.TransportError]:
    """httpcore's meaning, written out once more by hand."""
    if phase is not Phase.SENT:
        if isinstance(error, TIMEOUTS):
            return httpx.ConnectTimeout if phase is Phase.CONNECTING else httpx.PoolTimeout
        return httpx.ConnectError
    if isinstance(error, TIMEOUTS):
        return httpx.ReadTimeout
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError
    if isinstance(error, (aiohttp.ClientPayloadError, aiohttp.ClientResponseError)):
        return httpx.RemoteProtocolError
    return httpx.ReadError


@pytest.mark.parametrize("phase", list(Phase), ids=lambda p: p.name)
@pytest.mark.parametrize("error", aiohttp_errors(), ids=lambda e: type(e).__name__)
def test_the_record_decides_the_class(error: BaseException, phase: Phase) -> None:
    """Pure: the same aiohttp error means "not sent" before the first byte, "sent" after."""
    assert httpx_error_for(error, phase) is expected(error, phase)


def test_a_write_watch_that_fired_is_a_write_timeout() -> None:
    for error in connection_errors():
        assert httpx_error_for(error, Phase.SENT, write_timed_out=True) is httpx.WriteTimeout


def test_urls_and_proxies_keep_their_meaning_in_every_phase() -> None:
    key = aiohttp.client_reqrep.ConnectionKey("h", 1, False, True, None, None, None)
    for phase in Phase:
        assert httpx_error_for(aiohttp.InvalidURL("x"), phase) is httpx.UnsupportedProtocol
        proxy = aiohttp.ClientProxyConnectionError(key, OSError(1, "x"))
        assert httpx_error_for(proxy, phase) is httpx.ProxyError


def test_what_is_not_a_network_failure_is_left_alone() -> None:
    assert httpx_error_for(KeyError("bug"), Phase.SENT) is None


def test_messages_keep_no_query() -> None:
    error = aiohttp.ConnectionTimeoutError("Connection timeout to host http://h/x?synctoken=s3")
    assert error_message(error) == "Connection timeout to host http://h/x (ConnectionTimeoutError)"


@pytest.mark.parametrize("error", connection_errors(), ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("when", ["before", "after"])
async def test_each_connection_error_follows_the_record_over_a_socket(
    error: BaseException,
    when: str,
    serve: Callable[[Handler], Awaitable[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Raised for real inside aiohttp, once before the first byte and once after it."""

    async def nothing_comes(stream: anyio.abc.SocketStream) -> None:
        with contextlib.suppress(anyio.EndOfStream, anyio.BrokenResourceError):
            await stream.receive()

    url = await serve(nothing_comes)

    async def fail(*args: object, **kwargs: object) -> None:
        raise error

    if when == "before":  # the connect fails: nothing is written
        monkeypatch.setattr(aiohttp.TCPConnector, "_create_connection", fail)
    else:  # aiohttp's own send fails, after our record said "may have reached"
        monkeypatch.setattr(aiohttp.ClientRequest, "send", fail)
    transport = AiohttpTransport()
    request = httpx.Request("POST", url, content=b"x")
    try:
        with pytest.raises(httpx.TransportError) as caught:
            await transport.handle_async_request(request)
    finally:
        await transport.aclose()
    phase = Phase.CONNECTING if when == "before" else Phase.SENT
    assert type(caught.value) is expected(error, phase)
    assert caught.value.request is request
    assert request.extensions[REACHED_EXTENSION] is (when == "after")
    assert may_have_reached(request, caught.value) is (when == "after")


async def test_a_pool_wait_that_times_out_is_a_pool_timeout(
    serve: Callable[[Handler], Awaitable[str]],
) -> None:
    url = await serve(silent)
    transport = AiohttpTransport(limits=httpx.Limits(max_connections=1))
    timeout = httpx.Timeout(5.0, pool=0.2).as_dict()
    holder = httpx.Request("GET", url, extensions={"timeout": timeout})
    waiter = httpx.Request("GET", url, extensions={"timeout": timeout})
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(transport.handle_async_request, holder)
            await anyio.sleep(0.05)  # the one connection is taken, its answer never comes
            with pytest.raises(httpx.PoolTimeout):
                await transport.handle_async_request(waiter)
            tg.cancel_scope.cancel()
    finally:
        await transport.aclose()
    assert waiter.extensions[REACHED_EXTENSION] is False


async def test_an_unsupported_scheme_is_unsupported() -> None:
    transport = AiohttpTransport()
    try:
        with pytest.raises(httpx.UnsupportedProtocol):
            await transport.handle_async_request(httpx.Request("GET", "ftp://127.0.0.1/x"))
    finally:
        await transport.aclose()


async def test_aiohttp_does_not_resend_on_its_own(
    serve: Callable[[Handler], Awaitable[str]],
) -> None:
    """aiohttp resends an idempotent request once on a broken connection: not here."""
    seen = 0

    async def close_after_reading(stream: anyio.abc.SocketStream) -> None:
        nonlocal seen
        # aiohttp < 3.11 opens a second connection before its resend is refused: nothing
        # comes on it.
        with contextlib.suppress(anyio.EndOfStream, anyio.BrokenResourceError):
            await read_head(stream)
            seen += 1

    url = await serve(close_after_reading)
    transport = AiohttpTransport()
    try:
        with pytest.raises(httpx.RemoteProtocolError):
            await transport.handle_async_request(httpx.Request("GET", url))
    finally:
        await transport.aclose()
    assert seen == 1


JSON = b'{"a": 1}'


async def test_small_body_is_read_at_once(serve: Callable[[Handler], Awaitable[str]]) -> None:
    head = b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Two: 1\r\nX-Two: 2\r\n"
    url = await serve(answer(head + b"Content-Length: 8\r\n\r\n" + JSON))
    transport = AiohttpTransport()
    try:
        response = await transport.handle_async_request(httpx.Request("GET", url))
        assert isinstance(response.stream, httpx.ByteStream)  # in memory, no socket read left
        # Handed back read, as aread() leaves a response: nothing left for httpx to walk.
        assert response.is_closed and response.is_stream_consumed
        assert response.content == JSON
        assert response.elapsed.total_seconds() > 0
        assert await response.aread() == JSON
        assert response.status_code == 201
        assert response.reason_phrase == "Created"
        assert response.json() == {"a": 1}
        assert response.headers.get_list("x-two") == ["1", "2"]
    finally:
        await transport.aclose()


@pytest.mark.parametrize(
    "head",
    [
        b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",  # unknown length
        b"Content-Encoding: identity\r\nContent-Length: 3\r\n\r\nabc",  # encoded
        f"Content-Length: {EAGER_LIMIT + 1}\r\n\r\nabc".encode(),  # too big: never all sent
    ],
    ids=["chunked", "encoded", "big"],
)
async def test_other_bodies_stream(head: bytes, serve: Callable[[Handler], Awaitable[str]]) -> None:
    url = await serve(answer(b"HTTP/1.1 200 OK\r\n" + head, close=False))
    transport = AiohttpTransport()
    try:
        response = await transport.handle_async_request(httpx.Request("GET", url))
        assert not isinstance(response.stream, httpx.ByteStream)
        chunks = response.aiter_raw()
        assert (await chunks.__anext__()) == b"abc"  # before the body has ended
        await response.aclose()
    finally:
        await transport.aclose()


async def test_marked_requests_stream_even_when_small(
    serve: Callable[[Handler], Awaitable[str]],
) -> None:
    url = await serve(answer(b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n" + JSON))
    transport = AiohttpTransport()
    try:
        request = httpx.Request("GET", url, extensions={STREAM_EXTENSION: True})
        response = await transport.handle_async_request(request)
        assert not isinstance(response.stream, httpx.ByteStream)
        assert await response.aread() == JSON
    finally:
        await transport.aclose()


async def test_request_body_and_headers_go_out(serve: Callable[[Handler], Awaitable[str]]) -> None:
    seen: list[bytes] = []

    async def echo(stream: anyio.abc.SocketStream) -> None:
        data = b""
        while not data.endswith(b"hello"):
            data += await stream.receive()
        seen.append(data)
        await stream.send(b"HTTP/1.1 204 No Content\r\n\r\n")
        await stream.aclose()

    url = await serve(echo)
    transport = AiohttpTransport()
    try:
        request = httpx.Request("POST", url + "?q=a%20b", content=b"hello", headers={"X-A": "1"})
        response = await transport.handle_async_request(request)
        assert response.status_code == 204
    finally:
        await transport.aclose()
    head = seen[0].lower()
    assert head.startswith(b"post /x?q=a%20b http/1.1")
    assert b"x-a: 1" in head
    assert b"content-length: 5" in head


def recording(seen: list[bytes], answers: list[bytes]) -> Handler:
    """Read one request (head and body, Content-Length or chunked); answer the next answer."""

    async def handler(stream: anyio.abc.SocketStream) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            data += await stream.receive()
        head, _, body = data.partition(b"\r\n\r\n")
        lower = head.lower()
        if b"content-length:" in lower:
            length = int(lower.split(b"content-length:")[1].split(b"\r\n")[0])
            while len(body) < length:
                body += await stream.receive()
        elif b"chunked" in lower:
            while not body.endswith(b"0\r\n\r\n"):
                body += await stream.receive()
        seen.append(head)
        await stream.send(answers.pop(0))

    return handler


async def test_no_content_type_of_its_own(serve: Callable[[Handler], Awaitable[str]]) -> None:
    """A streamed body, and a body sent again after a 307, go out without a Content-Type, as
    httpx sends them (aiohttp would add application/octet-stream)."""
    seen: list[bytes] = []
    close = b"Connection: close\r\n"  # the server takes one request per connection
    moved = b"HTTP/1.1 307 Temporary Redirect\r\nLocation: /y\r\nContent-Length: 0\r\n" + close
    done = b"HTTP/1.1 204 No Content\r\n" + close
    url = await serve(recording(seen, [done + b"\r\n", moved + b"\r\n", done + b"\r\n"]))

    async def chunks() -> AsyncIterator[bytes]:
        yield b"hello"

    async with httpx.AsyncClient(transport=AiohttpTransport(), follow_redirects=True) as client:
        assert (await client.post(url, content=chunks())).status_code == 204
        assert (await client.post(url, content=b"again")).status_code == 204
    assert len(seen) == 3
    assert all(b"content-type" not in head.lower() for head in seen), seen


async def test_a_reason_phrase_that_is_not_utf8_keeps_its_bytes(
    serve: Callable[[Handler], Awaitable[str]],
) -> None:
    raw = b"HTTP/1.1 200 \xff\xfe Fine\r\nContent-Length: 2\r\n\r\nok"
    got = []
    for transport in (AiohttpTransport(), httpx.AsyncHTTPTransport()):
        url = await serve(answer(raw))
        try:
            response = await transport.handle_async_request(httpx.Request("GET", url))
            await response.aread()
            got.append((response.extensions["reason_phrase"], response.reason_phrase))
        finally:
            await transport.aclose()
    assert got[0] == got[1] == (b"\xff\xfe Fine", " Fine")


@pytest.mark.parametrize(("size", "watches"), [(60 << 10, 0), (1 << 20, 1)])
async def test_only_a_body_that_can_wait_is_watched(
    size: int,
    watches: int,
    serve: Callable[[Handler], Awaitable[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A body aiohttp writes at once (up to 64 KiB) costs no timer; a larger one, one a chunk."""
    armed: list[float] = []
    real = _aiohttp_transport._Attempt.watch

    def counting(self: Any, timeout: float) -> None:
        armed.append(timeout)
        real(self, timeout)

    monkeypatch.setattr(_aiohttp_transport._Attempt, "watch", counting)
    url = await serve(recording([], [b"HTTP/1.1 204 No Content\r\n\r\n"]))
    transport = AiohttpTransport()
    timeout = httpx.Timeout(5.0, write=2.0).as_dict()
    request = httpx.Request("POST", url, content=b"x" * size, extensions={"timeout": timeout})
    try:
        response = await transport.handle_async_request(request)
        assert response.status_code == 204
    finally:
        await transport.aclose()
    assert armed == [2.0] * watches
