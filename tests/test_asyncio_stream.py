"""The asyncio-native network stream (_asyncio_stream.py), over real sockets on 127.0.0.1.

Each behaviour of its contract is provoked for real: a peer socket the test drives by hand
(sends, closes, resets), a listener that never accepts (so nothing ever reads), asyncio
servers (echo, TLS). Waits are bounded; the only short timeouts are the ones under test.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import select
import socket
import ssl
import struct
import subprocess
import sys
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import anyio
import anyio.lowlevel
import httpcore
import pytest
import trustme
from httpcore._backends.auto import AutoBackend

from meetingbooster_async._asyncio_stream import HIGH_WATER, AsyncioStream, _open, connect_tcp
from meetingbooster_async._transport import CachedSocketBackend, CachedSocketStream, readable_check

pytestmark = pytest.mark.anyio

Pair = tuple[AsyncioStream, socket.socket]
Serve = Callable[[ssl.SSLContext | None], Awaitable[int]]
BODY = b"x" * (64 * 1024 * 1024)  # far beyond loopback socket buffers
USER, PASSWORD = "ann@x.test", "pw"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # the stream is asyncio's (trio keeps httpcore's: the last test)


async def connect(port: int) -> AsyncioStream:
    return await connect_tcp("127.0.0.1", port, 5.0, readable=readable_check())


async def until(condition: Callable[[], bool]) -> None:
    """Let the loop turn until ``condition`` holds (what it waits for is already underway)."""
    with anyio.fail_after(5):
        while not condition():
            await anyio.lowlevel.checkpoint()


async def close(stream: AsyncioStream) -> None:
    await stream.aclose()
    await until(lambda: stream._protocol.closed)  # the socket is closed one loop turn later


def kernel_readable(stream: AsyncioStream) -> None:
    """Block (the loop does not run) until the kernel has something for the stream's socket."""
    readable, _, _ = select.select([stream.get_extra_info("socket")], [], [], 5)
    assert readable


def reset(peer: socket.socket) -> None:
    peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    peer.close()  # linger on, 0 s: the kernel sends RST instead of FIN


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A listener on 127.0.0.1; a connection it does not accept is one nothing reads."""
    with socket.create_server(("127.0.0.1", 0), backlog=8) as sock:
        sock.settimeout(5)
        yield sock


@pytest.fixture
async def pair(listener: socket.socket) -> AsyncIterator[Pair]:
    """A stream and the server side of its connection, a non-blocking socket the test drives."""
    stream = await connect(listener.getsockname()[1])
    peer, _ = listener.accept()
    with peer:
        peer.setblocking(False)
        yield stream, peer
    await close(stream)


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """Start asyncio echo servers on 127.0.0.1 (TLS or not); at teardown all have ended."""
    servers: list[asyncio.Server] = []
    handlers: list[asyncio.Task[Any] | None] = []

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handlers.append(asyncio.current_task())
        with contextlib.closing(writer):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()

    async def start(tls: ssl.SSLContext | None) -> int:
        servers.append(await asyncio.start_server(echo, "127.0.0.1", 0, ssl=tls))
        return int(servers[-1].sockets[0].getsockname()[1])

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()
    with anyio.fail_after(5):
        await asyncio.gather(*filter(None, handlers))


async def test_a_round_trip_and_a_chunk_split_by_max_bytes(serve: Serve) -> None:
    stream = await connect(await serve(None))
    await stream.write(b"0123456789", timeout=5)
    await until(lambda: stream._protocol.buffered == 10)  # the whole echo has arrived
    assert await stream.read(4, timeout=5) == b"0123"
    assert await stream.read(100, timeout=5) == b"456789"  # the rest of the same chunk
    await close(stream)


async def test_a_read_timeout_leaves_the_stream_usable(pair: Pair) -> None:
    stream, peer = pair
    with anyio.fail_after(5), pytest.raises(httpcore.ReadTimeout):
        await stream.read(100, timeout=0.05)  # the peer says nothing
    peer.send(b"late")
    assert await stream.read(100, timeout=5) == b"late"


async def test_a_peer_that_closed_cleanly_reads_as_eof(pair: Pair) -> None:
    stream, peer = pair
    peer.send(b"last")
    peer.close()
    assert await stream.read(100, timeout=5) == b"last"  # what came before the FIN first
    assert await stream.read(100, timeout=5) == b""
    assert await stream.read(100, timeout=5) == b""


async def test_a_peer_that_reset_raises_read_error(pair: Pair) -> None:
    stream, peer = pair
    reset(peer)
    for _ in range(2):  # and stays failed
        with anyio.fail_after(5), pytest.raises(httpcore.ReadError) as info:
            await stream.read(100, timeout=5)
        assert isinstance(info.value.__cause__, ConnectionResetError)


async def test_a_write_nothing_reads_times_out_and_aclose_frees_it(listener: socket.socket) -> None:
    stream = await connect(listener.getsockname()[1])  # never accepted: nothing reads
    sock = stream.get_extra_info("socket")
    with anyio.fail_after(5), pytest.raises(httpcore.WriteTimeout):
        await stream.write(BODY, timeout=0.05)
    assert stream._transport.get_write_buffer_size() > 0  # the body's unsent tail
    await close(stream)  # a plain close would wait for ever to flush it
    assert sock.fileno() == -1
    with pytest.raises(httpcore.WriteError):  # closed
        await stream.write(b"x", timeout=5)


async def test_writes_to_a_reset_connection(pair: Pair) -> None:
    stream, peer = pair
    reset(peer)
    kernel_readable(stream)  # the RST has arrived; the loop has not seen it
    # As on httpcore's anyio backend: asyncio's transport hands the kernel's error to the
    # protocol a loop turn later, so this write returns; the read and any later write fail.
    await stream.write(b"GET / HTTP/1.1\r\n", timeout=5)
    with anyio.fail_after(5), pytest.raises(httpcore.ReadError):
        await stream.read(100, timeout=5)
    with pytest.raises(httpcore.WriteError):
        await stream.write(b"\r\n", timeout=5)


async def test_a_refused_connect_and_one_with_no_time_left(listener: socket.socket) -> None:
    with socket.socket() as bound:  # bound and never listening: the kernel refuses
        bound.bind(("127.0.0.1", 0))
        with anyio.fail_after(5), pytest.raises(httpcore.ConnectError) as info:
            await connect(bound.getsockname()[1])
    assert isinstance(info.value.__cause__, ConnectionRefusedError)
    with pytest.raises(httpcore.ConnectTimeout):  # the listener would accept it
        await connect_tcp("127.0.0.1", listener.getsockname()[1], 0, readable=readable_check())


@pytest.mark.parametrize("addresses", [1, 2])
def test_a_connect_cancelled_as_it_completes_leaves_no_socket_behind(
    listener: socket.socket, monkeypatch: pytest.MonkeyPatch, addresses: int
) -> None:
    # asyncio's own selector loop, whatever the worker's policy: the test reaches into its
    # sock_connect (an earlier test's anyio 4.5 ``use_uvloop`` can leave uvloop's policy set).
    with asyncio.Runner(loop_factory=asyncio.SelectorEventLoop) as runner:
        runner.run(connect_cancelled(listener, monkeypatch, addresses))


async def connect_cancelled(
    listener: socket.socket, monkeypatch: pytest.MonkeyPatch, addresses: int
) -> None:
    # With two addresses the first never answers: the race starts the second after the
    # happy-eyeballs delay, and the cancellation lands as that one connects. asyncio's own
    # Task.cancel(), so it lands at the same point on every anyio version.
    loop = asyncio.get_running_loop()
    sock_connect = loop.sock_connect
    port = listener.getsockname()[1]
    connecting: list[asyncio.Task[Any]] = []
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent_port = silent.getsockname()[1]

        async def connect_then_cancel(sock: socket.socket, address: Any) -> None:
            if address[1] == silent_port:
                await asyncio.Event().wait()  # cancelled with the rest of the race
            await sock_connect(sock, address)
            connecting[0].cancel()  # the caller's deadline passes as the connection completes
            await asyncio.sleep(0)  # and lands before the transport exists

        monkeypatch.setattr(loop, "sock_connect", connect_then_cancel)
        host = "127.0.0.1"
        if addresses == 2:
            two_addresses(monkeypatch, (silent_port, port))
            host = "dual.test"
        tasks = asyncio.all_tasks()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # _open itself (the race), outside connect_tcp's anyio.fail_after: anyio 4.5, our
            # lowest, can let a native cancellation that lands inside its scope go unraised.
            connecting.append(asyncio.ensure_future(_open(loop, host, port, None)))
            with anyio.fail_after(5):
                await asyncio.wait(connecting)
            monkeypatch.undo()
            await until(lambda: asyncio.all_tasks() <= tasks)  # the connect's own tasks ended
            await anyio.lowlevel.checkpoint()  # and what they closed is closed
            gc.collect()
    assert connecting[0].cancelled()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


def two_addresses(monkeypatch: pytest.MonkeyPatch, ports: tuple[int, int]) -> None:
    """``dual.test`` resolves to two addresses: 127.0.0.1 on ``ports[0]``, then ``ports[1]``."""
    loop = asyncio.get_running_loop()

    async def getaddrinfo(host: str, port: int, **kwargs: Any) -> list[Any]:
        assert host == "dual.test"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", each)) for each in ports]

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)


async def test_a_host_with_two_addresses_connects_to_the_one_that_answers(
    listener: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as refusing:
        refusing.bind(("127.0.0.1", 0))
        two_addresses(monkeypatch, (refusing.getsockname()[1], listener.getsockname()[1]))
        with anyio.fail_after(5):  # the refusal starts the next attempt at once
            stream = await connect_tcp("dual.test", 0, 5.0, readable=readable_check())
    assert stream.get_extra_info("server_addr") == listener.getsockname()
    await close(stream)


async def test_a_host_whose_addresses_all_refuse_raises_connect_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as one, socket.socket() as two:
        one.bind(("127.0.0.1", 0))
        two.bind(("127.0.0.1", 0))
        two_addresses(monkeypatch, (one.getsockname()[1], two.getsockname()[1]))
        with anyio.fail_after(5), pytest.raises(httpcore.ConnectError, match="Multiple"):
            await connect_tcp("dual.test", 0, 5.0, readable=readable_check())


async def test_a_cancelled_read_raises_the_cancellation_and_reads_on(pair: Pair) -> None:
    stream, peer = pair
    scope = anyio.CancelScope()

    async def read() -> None:
        with scope:
            await stream.read(100, timeout=5)

    async with anyio.create_task_group() as tg:  # an httpcore error would fail the group
        tg.start_soon(read)
        await until(lambda: stream._protocol.reader is not None)  # the read waits
        scope.cancel()
    assert scope.cancelled_caught
    assert stream._protocol.reader is None
    peer.send(b"after")
    assert await stream.read(100, timeout=5) == b"after"


async def test_reading_pauses_above_high_water_and_resumes_once_drained(pair: Pair) -> None:
    stream, peer = pair
    protocol = stream._protocol
    payload = bytes(range(256)) * (4 * HIGH_WATER // 256)
    received = bytearray()
    async with anyio.create_task_group() as tg:
        tg.start_soon(asyncio.get_running_loop().sock_sendall, peer, payload)
        await until(lambda: protocol.paused)
        buffered = protocol.buffered
        assert buffered > HIGH_WATER
        for _ in range(10):
            await anyio.lowlevel.checkpoint()
        assert protocol.buffered == buffered  # paused: the loop no longer reads the socket
        with anyio.fail_after(5):  # the rest arrives only if reading resumed
            while len(received) < len(payload):
                chunk = await stream.read(64 * 1024, timeout=5)
                assert 0 < len(chunk) <= 64 * 1024
                received += chunk
    assert received == payload
    assert not protocol.paused and protocol.buffered == 0


@pytest.mark.parametrize("peer_does", ["close", "send"])
async def test_is_readable_once_the_peer_closed_or_sent_data(pair: Pair, peer_does: str) -> None:
    stream, peer = pair
    protocol = stream._protocol
    assert stream.get_extra_info("is_readable") is False  # idle and open: reusable
    if peer_does == "close":
        peer.close()
    else:
        peer.send(b"junk")
    kernel_readable(stream)
    assert not (protocol.chunks or protocol.eof)  # the loop has not read it yet: the kernel
    assert stream.get_extra_info("is_readable") is True  # answers, as httpcore's own check
    await until(lambda: bool(protocol.chunks) or protocol.eof)
    assert stream.get_extra_info("is_readable") is True  # now the protocol answers


async def test_socket_options_local_address_and_extra_info(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    keepalive = (socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    stream = await connect_tcp(
        "127.0.0.1", port, 5.0, "127.0.0.1", [keepalive], readable=readable_check()
    )
    plain = await connect(port)
    sock = stream.get_extra_info("socket")
    assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) != 0
    assert plain.get_extra_info("socket").getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 0
    assert stream.get_extra_info("server_addr") == ("127.0.0.1", port)
    assert stream.get_extra_info("client_addr") == sock.getsockname()
    assert stream.get_extra_info("client_addr")[0] == "127.0.0.1"
    assert stream.get_extra_info("ssl_object") is None
    assert stream.get_extra_info("no such thing") is None
    await close(stream)
    await close(plain)


def tls_contexts(server_ca: trustme.CA, client_ca: trustme.CA) -> tuple[ssl.SSLContext, ...]:
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ca.issue_cert("127.0.0.1").configure_cert(server)
    client = ssl.create_default_context()
    client_ca.configure_trust(client)
    return server, client


async def test_tls_round_trip(serve: Serve) -> None:
    ca = trustme.CA()
    server, client = tls_contexts(ca, ca)
    stream = await connect(await serve(server))
    tls = await stream.start_tls(client, server_hostname="127.0.0.1", timeout=5)
    assert isinstance(tls, AsyncioStream)
    assert isinstance(tls.get_extra_info("ssl_object"), ssl.SSLObject)
    await tls.write(b"ping", timeout=5)
    await until(lambda: tls._protocol.buffered == 4)
    assert await tls.read(100, timeout=5) == b"ping"
    await close(tls)


async def test_an_untrusted_certificate_raises_connect_error(serve: Serve) -> None:
    server, client = tls_contexts(trustme.CA(), trustme.CA())  # the client trusts another CA
    stream = await connect(await serve(server))
    with pytest.raises(httpcore.ConnectError) as info:
        await stream.start_tls(client, server_hostname="127.0.0.1", timeout=5)
    assert isinstance(info.value.__cause__, ssl.SSLCertVerificationError)
    sock = stream.get_extra_info("socket")
    await until(lambda: sock.fileno() == -1)  # aborted: the socket is freed


async def test_plaintext_before_the_tls_handshake_is_refused() -> None:
    # An answer injected ahead of the handshake must not pass for the server's answer over TLS.
    ca = trustme.CA()
    _, client_context = tls_contexts(ca, ca)
    done = asyncio.Event()

    async def inject(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil")
        await writer.drain()
        await done.wait()
        writer.close()

    server = await asyncio.start_server(inject, "127.0.0.1", 0)
    async with server:
        stream = await connect(server.sockets[0].getsockname()[1])
        await until(lambda: stream._protocol.buffered > 0)
        with pytest.raises(httpcore.ConnectError, match="before the TLS handshake"):
            await stream.start_tls(client_context, server_hostname="127.0.0.1", timeout=5)
        await until(lambda: stream._protocol.closed)  # aborted
        done.set()


async def test_closing_a_tls_stream_the_peer_closed_first() -> None:
    ca = trustme.CA()
    server_context, client_context = tls_contexts(ca, ca)

    async def bye(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(bye, "127.0.0.1", 0, ssl=server_context)
    async with server:
        stream = await connect(server.sockets[0].getsockname()[1])
        tls = await stream.start_tls(client_context, server_hostname="127.0.0.1", timeout=5)
        assert isinstance(tls, AsyncioStream)
        await until(lambda: tls._protocol.closed)
        assert tls.get_extra_info("is_readable") is True  # what makes httpcore close it
        await tls.aclose()  # asyncio's own TLS transport raised AttributeError on a close()
        await tls.aclose()  # twice is harmless


async def test_reads_and_writes_after_our_own_close_raise(pair: Pair) -> None:
    stream, _ = pair
    await close(stream)
    with pytest.raises(httpcore.ReadError):
        await stream.read(100, timeout=5)
    with pytest.raises(httpcore.WriteError):
        await stream.write(b"x", timeout=5)


@pytest.mark.parametrize(
    ("anyio_backend", "native", "expected"),
    [
        ("asyncio", True, AsyncioStream),
        ("asyncio", False, CachedSocketStream),
        ("trio", True, CachedSocketStream),  # trio keeps httpcore's backend
    ],
)
async def test_the_backend_uses_the_native_stream_on_asyncio_only(
    listener: socket.socket, anyio_backend: str, native: bool, expected: type
) -> None:
    backend = CachedSocketBackend(AutoBackend(), native=native)  # the pool's
    stream = await backend.connect_tcp("127.0.0.1", listener.getsockname()[1], timeout=5)
    assert type(stream) is expected
    await stream.aclose()
    await anyio.lowlevel.checkpoint()  # on asyncio the socket closes a loop turn later


UVLOOP_CLIENT = """
import asyncio, uvloop
from meetingbooster_async import MeetingBoosterClient
from meetingbooster_async._asyncio_stream import AsyncioStream
from meetingbooster_async.testing import Emulator, aserve

async def main() -> None:
    emulator = Emulator(users={"ann@x.test": "pw"})
    async with aserve(emulator) as server, MeetingBoosterClient(
        server.url, username="ann@x.test", password="pw"
    ) as client:
        for _ in range(3):
            assert (await client.get("/api/v1/mymeetings/list")).status_code == 200
        [connection] = client._transport._pool.connections
        assert isinstance(connection._connection._network_stream, AsyncioStream)
        assert isinstance(asyncio.get_running_loop(), uvloop.Loop)
    print("ok")

with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
    runner.run(main())
"""


def test_a_client_on_uvloop_uses_the_native_stream() -> None:
    pytest.importorskip("uvloop")  # not built for Windows; installed everywhere else
    # In a process of its own: with anyio 4.5 (our lowest), a client run on uvloop left state
    # behind that changed how later tests' connects took a cancellation in the same process.
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", UVLOOP_CLIENT],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
