"""Transport conformance: one meaning of every transport outcome, whatever the transport.

Every scenario is a raw socket server on 127.0.0.1 that misbehaves in one way
(:mod:`tests.misbehaving`); every transport we ship runs it through a whole client (default and
``fast=True``; both again in the httpx2 twin, whose suite is generated from this one; asyncio,
trio where the transport runs there, and uvloop in a process of its own). Each scenario pins,
for a POST and for a GET:

* the error class the caller gets (or the status),
* how many times the request reached the server (a retry of a POST that may have been read
  would duplicate its effect), and so the retry decision.

The table is httpcore's meaning (a connect error only before the first byte, a disconnect
after it ``RemoteProtocolError``, a reset ``ReadError``); ``fast=True`` must give the same.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import anyio
import attrs
import httpx
import pytest

from meetingbooster_async import MeetingBoosterClient, RetryPolicy

from .misbehaving import Connection, MisbehavingServer, Unread, reset_unread, wait_for_unread

pytestmark = pytest.mark.anyio

#: Three attempts at most; backoffs of a millisecond (tests count, they do not wait).
RETRY = RetryPolicy(max_retries=2, backoff_initial=0.001, backoff_max=0.002)
BIG = 8 << 20  # an upload larger than the socket buffers in between
TIMEOUT = httpx.Timeout(5.0, read=0.3, write=0.3)
#: The slow reader answers once it has read everything: more than the read timeout above.
TIMEOUTS = {"reads-slowly": httpx.Timeout(5.0, write=0.3)}

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


async def read_then_close(conn: Connection) -> None:
    await conn.read_request()
    conn.writer.close()


async def read_then_reset(conn: Connection) -> None:
    await conn.read_request()
    conn.reset()


async def reset_before_reading(sock: socket.socket, server: MisbehavingServer) -> None:
    """The whole request arrives, and the server resets without reading a byte of it."""
    peeked = await wait_for_unread(sock, until=b"\r\n\r\n")
    head = peeked.split(b"\r\n\r\n", 1)[0]
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await wait_for_unread(sock, until=b"\r\n\r\n", total=len(head) + 4 + length)
    server.hits["reset-before-reading"] += 1  # it has arrived: the client wrote it all
    reset_unread(sock)


def answer(raw: bytes, *, then_stall: bool = False) -> Any:
    async def behaviour(conn: Connection) -> None:
        await conn.read_request()
        await conn.send(raw)
        if then_stall:
            await anyio.sleep(30)

    return behaviour


async def linger(conn: Connection, answer: bytes) -> None:
    """nginx on a body it will not take: answer at once, close its side, drain what comes."""
    await conn.read_request(body=False)
    await conn.send(answer)
    conn.writer.write_eof()
    while await conn.reader.read(1 << 16):
        pass


async def early_answer_lingering_close(conn: Connection) -> None:
    await linger(
        conn, b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )


async def early_401_then_ok(conn: Connection) -> None:
    """The first upload meets an early 401 and a lingering close; the replay is read whole."""
    if conn.server.hits[conn.name] == 0:
        await linger(
            conn, b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        return
    await conn.read_request()
    await conn.send(OK)


async def stops_reading(conn: Connection) -> None:
    await conn.read_request(body=False)
    await anyio.sleep(30)


async def reads_slowly(conn: Connection) -> None:
    """64 KiB every 10 ms: the upload takes longer than the write timeout, but never stalls."""
    await conn.read_request(body=False)
    left = conn.content_length()
    while left:
        left -= len(await conn.reader.read(min(left, 64 << 10)))
        await anyio.sleep(0.01)
    await conn.send(OK)


async def tokens(conn: Connection) -> None:
    await conn.serve_tokens()


async def tokens_losing_refresh(conn: Connection) -> None:
    await conn.serve_tokens(lose_refresh=True)


async def unauthorized_once(conn: Connection) -> None:
    """401 to the first request (a hidden expiry), 200 to every later one."""
    await conn.read_request()
    first = conn.server.hits[conn.name] == 1
    await conn.send(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n" if first else OK)
    while True:
        await conn.read_request()
        await conn.send(OK)


@attrs.frozen
class Expect:
    """What every transport must give: the outcome (a class or a status) and the hits."""

    outcome: type[BaseException] | int
    post_hits: int
    get_hits: int | None  # None: the scenario is an upload (POST only)


BEHAVIOURS = {
    "read-then-close": read_then_close,
    "read-then-reset": read_then_reset,
    "reset-before-reading": Unread(reset_before_reading),
    "early-answer-lingering-close": early_answer_lingering_close,
    "early-401-lingering-close": early_401_then_ok,
    "stops-reading": stops_reading,
    "reads-slowly": reads_slowly,
    "garbage-status-line": answer(b"NOT HTTP AT ALL\r\n\r\n"),
    "oversized-header": answer(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (200 << 10) + b"\r\n\r\n"),
    "bad-chunk": answer(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n"),
    "duplicate-content-length": answer(
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok"
    ),
    "non-utf8-reason": answer(b"HTTP/1.1 200 \xff\xfe Fine\r\nContent-Length: 2\r\n\r\nok"),
    "stall-mid-body": answer(
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789", then_stall=True
    ),
    "oauth": tokens,
    "oauth-losing-refresh": tokens_losing_refresh,
    "unauthorized-once": unauthorized_once,
}

#: httpcore's meaning, which every transport must give.
EXPECTED: dict[str, Expect] = {
    "connection-refused": Expect(httpx.ConnectError, post_hits=0, get_hits=0),
    "read-then-close": Expect(httpx.RemoteProtocolError, post_hits=1, get_hits=3),
    "read-then-reset": Expect(httpx.ReadError, post_hits=1, get_hits=3),
    "reset-before-reading": Expect(httpx.ReadError, post_hits=1, get_hits=3),
    "early-answer-lingering-close": Expect(413, post_hits=1, get_hits=None),
    "early-401-lingering-close": Expect(200, post_hits=2, get_hits=None),
    "stops-reading": Expect(httpx.WriteTimeout, post_hits=1, get_hits=None),
    "reads-slowly": Expect(200, post_hits=1, get_hits=None),
    "garbage-status-line": Expect(httpx.RemoteProtocolError, post_hits=1, get_hits=3),
    "oversized-header": Expect(httpx.RemoteProtocolError, post_hits=1, get_hits=3),
    "bad-chunk": Expect(httpx.RemoteProtocolError, post_hits=1, get_hits=3),
    "duplicate-content-length": Expect(httpx.RemoteProtocolError, post_hits=1, get_hits=3),
    "non-utf8-reason": Expect(200, post_hits=1, get_hits=1),
    "stall-mid-body": Expect(httpx.ReadTimeout, post_hits=1, get_hits=3),
}

UPLOADS = {name for name, expect in EXPECTED.items() if expect.get_hits is None}


@pytest.fixture(scope="module")
def server() -> Iterator[MisbehavingServer]:
    # A small receive buffer on the server side: an upload meets backpressure early.
    with MisbehavingServer(BEHAVIOURS, recv_buffer=64 << 10) as running:
        yield running


UVLOOP = os.environ.get("MB_CONFORMANCE_UVLOOP") == "1"
#: (event loop, transport): fast=True runs on asyncio only (aiohttp); the uvloop child process
#: runs the asyncio cases on uvloop.
CASES = [("asyncio", "default"), ("asyncio", "fast")] + ([] if UVLOOP else [("trio", "default")])


@pytest.fixture(params=CASES, ids=["-".join(case) for case in CASES])
def case(request: pytest.FixtureRequest) -> tuple[str, str]:
    return tuple(request.param)  # type: ignore[return-value]


@pytest.fixture
def anyio_backend(case: tuple[str, str]) -> Any:
    if UVLOOP:
        return ("asyncio", {"use_uvloop": True})
    return case[0]


@pytest.fixture
def transport(case: tuple[str, str]) -> str:
    return case[1]


def url_for(server: MisbehavingServer, scenario: str) -> str:
    if scenario == "connection-refused":
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return f"http://127.0.0.1:{sock.getsockname()[1]}"
    return server.url(scenario)


def client_for(
    server: MisbehavingServer,
    base: str,
    transport: str,
    *,
    token_listener: str = "oauth",
    timeout: httpx.Timeout = TIMEOUT,
) -> MeetingBoosterClient:
    return MeetingBoosterClient(
        base,
        username="ann@example.com",
        password="secret",
        token_url=server.url(token_listener) + "/oauth",
        retry=RETRY,
        timeout=timeout,
        fast=transport == "fast",
    )


async def outcome_of(call: Any) -> type[BaseException] | int:
    try:
        with anyio.fail_after(20):
            response = await call
    except httpx.TransportError as exc:
        # The class httpx's own hierarchy gives it (our subclasses keep httpx's meaning).
        return next(cls for cls in type(exc).__mro__ if cls.__module__.startswith("httpx"))
    return int(response.status_code)


@pytest.fixture
def reset(server: MisbehavingServer) -> None:
    server.reset_counts()


#: Every scenario with a POST; with a GET too, unless it is about an upload.
RUNS = [
    (scenario, method)
    for scenario in sorted(EXPECTED)
    for method in ("POST", "GET")
    if method == "POST" or EXPECTED[scenario].get_hits is not None
]


@pytest.mark.parametrize(("scenario", "method"), RUNS, ids=[f"{s}-{m}" for s, m in RUNS])
async def test_every_transport_means_the_same(
    scenario: str, method: str, transport: str, server: MisbehavingServer, reset: None
) -> None:
    expect = EXPECTED[scenario]
    body = b"x" * (BIG if scenario in UPLOADS else 64)
    timeout = TIMEOUTS.get(scenario, TIMEOUT)
    client = client_for(server, url_for(server, scenario), transport, timeout=timeout)
    async with client:
        if method == "POST":
            got = await outcome_of(client.post("/x", content=body))
        else:
            got = await outcome_of(client.get("/x"))
    hits = expect.post_hits if method == "POST" else expect.get_hits
    assert (got, server.hits[scenario]) == (expect.outcome, hits)


async def test_a_lost_refresh_answer_never_resends_the_refresh_token(
    transport: str, server: MisbehavingServer, reset: None
) -> None:
    """The refresh grant was read, its answer lost: log in with the password, never resend."""
    base = server.url("unauthorized-once")
    client = client_for(server, base, transport, token_listener="oauth-losing-refresh")
    async with client:
        response = await client.get("/x")
    assert response.status_code == 200
    assert (server.grants["password"], server.grants["refresh_token"]) == (2, 1)
    spent = [token for token in server.refresh_tokens if token]
    assert len(spent) == len(set(spent))  # the refresh grant's token, and signout's


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop has no Windows build")
def test_the_suite_passes_on_uvloop_in_a_process_of_its_own() -> None:
    """uvloop sets a process-wide loop policy: its cases run in a child pytest."""
    pytest.importorskip("uvloop")
    env = dict(os.environ, MB_CONFORMANCE_UVLOOP="1")
    env.pop("PYTEST_XDIST_WORKER", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-k",
            "not uvloop",
            __file__,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout


async def test_a_write_timeout_frees_the_connection_and_the_in_flight_slot(
    transport: str, server: MisbehavingServer, reset: None
) -> None:
    """One slot, one connection: after a stalled upload fails, the next request goes through."""
    client = MeetingBoosterClient(
        server.url("stops-reading"),
        username="ann@example.com",
        password="secret",
        token_url=server.url("oauth") + "/oauth",
        retry=RETRY,
        timeout=TIMEOUT,
        fast=transport == "fast",
        max_in_flight=1,
        limits=httpx.Limits(max_connections=1),
    )
    async with client:
        assert await outcome_of(client.post("/x", content=b"x" * BIG)) is httpx.WriteTimeout
        assert await outcome_of(client.post("/x", content=b"x" * BIG)) is httpx.WriteTimeout
    assert server.hits["stops-reading"] == 2  # each on a connection of its own, none stuck
