"""The lean aiohttp transport: the adapter's error mapping, one error at a time, and bodies.

Each failure is provoked for real (a socket server on 127.0.0.1 that misbehaves in one way)
through our transport and through ``httpx_aiohttp.AiohttpTransport``: both must raise the
same httpx exception, and that type is pinned. aiohttp runs on asyncio only.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import anyio
import httpx
import pytest
from httpx_aiohttp import AiohttpTransport as AdapterTransport
from httpx_aiohttp.transport import map_aiohttp_exceptions

from meetingbooster_async._aiohttp_transport import (
    AIOHTTP_ERRORS,
    EAGER_LIMIT,
    AiohttpTransport,
    httpx_error_for,
)
from meetingbooster_async._hotpath import STREAM_EXTENSION

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


async def outcome(
    transport: httpx.AsyncBaseTransport,
    url: str,
    timeout: float = 5.0,  # noqa: ASYNC109 (httpx's per-phase timeout, not a deadline)
) -> type[BaseException] | int:
    """The exception type (or the status) of one GET through ``transport``, body read."""
    request = httpx.Request("GET", url, extensions={"timeout": httpx.Timeout(timeout).as_dict()})
    response = None
    try:
        with anyio.fail_after(10):
            response = await transport.handle_async_request(request)
            await response.aread()
            return response.status_code
    except httpx.TransportError as exc:
        # Ours attaches the request; the adapter leaves that to the client.
        attached = exc._request is request
        if isinstance(transport, AiohttpTransport) and not attached:
            return RuntimeError  # fails the comparison: ours must attach it
        return type(exc)
    except Exception as exc:
        return type(exc)
    finally:
        if response is not None:
            await response.aclose()  # the adapter leaves a failed body's connection open
        await transport.aclose()


def closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/x"


CASES: dict[str, tuple[Handler | None, float, type[BaseException]]] = {
    # name: (server behaviour, read timeout, the adapter's exception, pinned)
    "connection refused": (None, 5.0, httpx.ConnectTimeout),
    "read timeout": (silent, 0.2, httpx.ReadTimeout),
    "reset by peer": (reset, 5.0, httpx.ConnectTimeout),
    "closed before answering": (answer(b""), 5.0, httpx.ConnectTimeout),
    "garbage status line": (answer(b"NOT HTTP AT ALL\r\n\r\n"), 5.0, aiohttp.ClientResponseError),
    "body cut short": (
        answer(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"),
        5.0,
        httpx.ReadError,
    ),
    "body stalls": (
        answer(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789", close=False),
        0.2,
        httpx.ReadTimeout,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_each_error_maps_as_the_adapter_does(
    case: str, serve: Callable[[Handler], Awaitable[str]]
) -> None:
    handler, timeout, pinned = CASES[case]
    url = closed_port() if handler is None else await serve(handler)
    ours = await outcome(AiohttpTransport(), url, timeout)
    theirs = await outcome(AdapterTransport(), url, timeout)
    assert ours is theirs is pinned


async def test_pool_timeout_maps_as_the_adapter_does(
    serve: Callable[[Handler], Awaitable[str]],
) -> None:
    url = await serve(silent)
    results = []
    for transport in (
        AiohttpTransport(limits=httpx.Limits(max_connections=1)),
        AdapterTransport(limits=httpx.Limits(max_connections=1)),
    ):
        timeout = httpx.Timeout(5.0, pool=0.2).as_dict()
        holder = httpx.Request("GET", url, extensions={"timeout": timeout})
        waiter = httpx.Request("GET", url, extensions={"timeout": timeout})
        async with anyio.create_task_group() as tg:
            tg.start_soon(transport.handle_async_request, holder)
            await anyio.sleep(0.05)  # the one connection is taken, its answer never comes
            with pytest.raises(httpx.TransportError) as caught:
                await transport.handle_async_request(waiter)
            results.append(type(caught.value))
            tg.cancel_scope.cancel()
        await transport.aclose()
    assert results[0] is results[1] is httpx.ConnectTimeout


async def test_unsupported_scheme_maps_as_the_adapter_does() -> None:
    for transport in (AiohttpTransport(), AdapterTransport()):
        assert await outcome(transport, "ftp://127.0.0.1/x") is httpx.UnsupportedProtocol


def aiohttp_errors() -> list[BaseException]:
    """One instance of every aiohttp error the adapter knows, and of their relatives."""
    key = aiohttp.client_reqrep.ConnectionKey("h", 1, False, True, None, None, None)
    info = aiohttp.RequestInfo(
        url=aiohttp.client_reqrep.URL("http://h/"),
        method="GET",
        headers=aiohttp.client_reqrep.CIMultiDictProxy(aiohttp.client_reqrep.CIMultiDict()),
        real_url=aiohttp.client_reqrep.URL("http://h/"),
    )
    oserror = OSError(111, "refused")
    # Some classes are newer than the lowest aiohttp we allow (3.10.0): each is tested where
    # the installed aiohttp has it (the adapter can only raise what exists).
    made: list[tuple[str, tuple[object, ...]]] = [
        ("ServerTimeoutError", ("t",)),
        ("SocketTimeoutError", ("t",)),
        ("ConnectionTimeoutError", ("t",)),
        ("ClientConnectionError", ("c",)),
        ("ServerDisconnectedError", ()),
        ("ClientOSError", (104, "reset")),
        ("ClientConnectionResetError", ("reset",)),
        ("ClientConnectorError", (key, oserror)),
        ("ClientConnectorDNSError", (key, oserror)),
        ("ClientPayloadError", ("p",)),
        ("ClientProxyConnectionError", (key, oserror)),
        ("ClientHttpProxyError", (info, ())),
        ("NonHttpUrlClientError", ("ftp://h/",)),
        ("InvalidUrlClientError", ("http://[/",)),
        ("ClientResponseError", (info, ())),
    ]
    return [getattr(aiohttp, name)(*args) for name, args in made if hasattr(aiohttp, name)]


@pytest.mark.parametrize("error", aiohttp_errors(), ids=lambda e: type(e).__name__)
def test_error_table_resolves_as_the_adapter(error: BaseException) -> None:
    try:
        with map_aiohttp_exceptions():
            raise error
    except BaseException as raised:
        theirs = type(raised) if raised is not error else None
    assert httpx_error_for(error) is theirs


def test_error_table_is_the_adapters() -> None:
    from httpx_aiohttp.transport import AIOHTTP_EXC_MAP

    assert dict(AIOHTTP_ERRORS) == AIOHTTP_EXC_MAP


JSON = b'{"a": 1}'


async def test_small_body_is_read_at_once(serve: Callable[[Handler], Awaitable[str]]) -> None:
    head = b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Two: 1\r\nX-Two: 2\r\n"
    url = await serve(answer(head + b"Content-Length: 8\r\n\r\n" + JSON))
    transport = AiohttpTransport()
    try:
        response = await transport.handle_async_request(httpx.Request("GET", url))
        assert isinstance(response.stream, httpx.ByteStream)  # in memory, no socket read left
        await response.aread()
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
