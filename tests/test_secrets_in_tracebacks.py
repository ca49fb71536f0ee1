"""No password or refresh token in what an error reporter records of a failed ``/oauth`` call.

Error reporters (Sentry and the like) serialise every frame of an exception's traceback, with
its locals, and follow ``__cause__`` and ``__context__``. A grant's body (the password, a refresh
token) lives in the locals of the frames that sent it. After a failed ``/oauth`` call, on every
transport, this test walks everything such a reporter would walk and looks for either secret:
in each local's ``repr()``, in any str/bytes/bytearray/memoryview local, inside dicts, lists and
tuples down to depth 3, and in the body of any request an error in the chain still holds.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from types import TracebackType
from typing import Any

import httpx
import pytest

from meetingbooster_async import (
    MeetingBoosterAuth,
    MeetingBoosterClient,
    MeetingBoosterError,
    RetryPolicy,
)

from .misbehaving import Connection, MisbehavingServer

pytestmark = pytest.mark.anyio

PASSWORD = "pw-6f1e0c2d-secret"
#: The refresh token the first login hands out (tests/misbehaving.py numbers them).
REFRESH = "RT-1"


async def drop_every_grant(conn: Connection) -> None:
    """Read a grant and close: its answer is lost (a transport error on /oauth)."""
    await conn.read_request()
    conn.writer.close()


async def one_login_then_drop(conn: Connection) -> None:
    """The first grant (a login) is answered; every later one is read and dropped."""
    if sum(conn.server.grants.values()) == 0:
        await conn.read_head()
        await conn.read_body()
        conn.server.grants["password"] += 1
        body = b'{"access_token": "AT-1", "refresh_token": "RT-1", "expires_in": 1200}'
        await conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    await drop_every_grant(conn)


async def garbage(conn: Connection) -> None:
    """Not HTTP: a parse error inside the transport."""
    await conn.read_request()
    await conn.send(b"NOT HTTP AT ALL\r\n\r\n")


async def unauthorized(conn: Connection) -> None:
    await conn.read_request()
    await conn.send(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")


BEHAVIOURS = {
    "drop": drop_every_grant,
    "login-then-drop": one_login_then_drop,
    "garbage": garbage,
    "unauthorized": unauthorized,
}


@pytest.fixture(scope="module")
def server() -> Iterator[MisbehavingServer]:
    with MisbehavingServer(BEHAVIOURS) as running:
        yield running


@pytest.fixture(params=["default", "fast"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # fast=True is asyncio only; trio adds no frames of its own here


def found_in(value: Any, secret: str, depth: int = 0) -> bool:
    """True if ``secret`` is in ``value`` as a reporter would serialise it."""
    if isinstance(value, str):
        return secret in value
    if isinstance(value, bytes | bytearray | memoryview):
        return secret.encode() in bytes(value)
    if isinstance(value, httpx.Request):  # stricter than a reporter: a request's body too
        try:
            return secret.encode() in value.content
        except httpx.RequestNotRead:
            return False
    try:
        if secret in repr(value):
            return True
    except Exception:  # a repr that fails shows nothing
        pass
    if depth >= 3:
        return False
    if isinstance(value, dict):
        deeper = depth + 1
        return any(
            found_in(k, secret, deeper) or found_in(v, secret, deeper) for k, v in value.items()
        )
    if isinstance(value, list | tuple | set | frozenset):
        return any(found_in(item, secret, depth + 1) for item in value)
    return False


def frames(tb: TracebackType | None) -> Iterator[Any]:
    while tb is not None:
        yield tb.tb_frame
        tb = tb.tb_next


def leaks(error: BaseException, secrets: tuple[str, ...]) -> list[str]:
    """Where any of ``secrets`` shows in ``error``'s chain, its frames and their locals."""
    found: list[str] = []
    seen: set[int] = set()
    stack: list[BaseException] = [error]
    while stack:
        exc = stack.pop()
        if id(exc) in seen:
            continue
        seen.add(id(exc))
        name = type(exc).__name__
        for secret in secrets:
            if found_in(str(exc), secret) or found_in(exc.args, secret):
                found.append(f"{name}: message")
            if found_in(vars(exc) if hasattr(exc, "__dict__") else {}, secret):
                found.append(f"{name}: attributes")
            request = getattr(exc, "_request", None)
            if isinstance(request, httpx.Request):
                try:
                    body = request.content
                except httpx.RequestNotRead:
                    body = b""
                if secret.encode() in body:
                    found.append(f"{name}: its request's body")
            for frame in frames(exc.__traceback__):
                for local, value in frame.f_locals.items():
                    if found_in(value, secret):
                        code = frame.f_code
                        found.append(f"{name}: {code.co_filename}:{code.co_name} local {local!r}")
        stack.extend(e for e in (exc.__cause__, exc.__context__) if e is not None)
    return found


def client(server: MisbehavingServer, token: str, transport: str) -> MeetingBoosterClient:
    return MeetingBoosterClient(
        server.url("unauthorized"),
        username="ann@example.com",
        password=PASSWORD,
        token_url=server.url(token) + "/oauth",
        retry=RetryPolicy(max_retries=0),
        fast=transport == "fast",
    )


async def caught(server: MisbehavingServer, token: str, transport: str) -> BaseException:
    server.reset_counts()
    async with client(server, token, transport) as mb:
        try:
            await mb.get("/x")
        except MeetingBoosterError:
            return sys.exc_info()[1]  # type: ignore[return-value]
    pytest.fail("no error")


@pytest.mark.parametrize("token", ["drop", "garbage"])
async def test_a_failed_login_leaves_no_password_behind(
    token: str, transport: str, server: MisbehavingServer
) -> None:
    error = await caught(server, token, transport)
    assert leaks(error, (PASSWORD,)) == []


async def test_a_failed_refresh_and_login_leave_neither_secret_behind(
    transport: str, server: MisbehavingServer
) -> None:
    """Logged in, then a 401: the refresh is lost, and so is the password login after it."""
    error = await caught(server, "login-then-drop", transport)
    assert server.grants["password"] == 1  # the first login; the later grants were dropped
    assert leaks(error, (PASSWORD, REFRESH)) == []


def test_the_walker_finds_what_it_looks_for() -> None:
    """The check itself: a secret in a local, nested or as bytes, is found."""

    def fail(body: bytes, nested: dict[str, Any]) -> None:
        raise ValueError("boom")

    try:
        fail(PASSWORD.encode(), {"a": [("x", PASSWORD)]})
    except ValueError as exc:
        where = leaks(exc, (PASSWORD,))
    assert any("'body'" in w for w in where) and any("'nested'" in w for w in where)


def thread_error(server: MisbehavingServer) -> BaseException:
    server.reset_counts()
    auth = MeetingBoosterAuth(
        token_url=server.url("drop") + "/oauth", username="ann@example.com", password=PASSWORD
    )
    auth.add_origin(server.url("unauthorized"))  # the API lives on another port here
    with httpx.Client(auth=auth) as client:
        try:
            client.get(server.url("unauthorized") + "/x")
        except MeetingBoosterError:
            return sys.exc_info()[1]  # type: ignore[return-value]
    pytest.fail("no error")


def test_the_thread_flow_leaves_no_password_behind(server: MisbehavingServer) -> None:
    """The same for a plain ``httpx.Client`` with our auth (the token flow run in a thread)."""
    assert leaks(thread_error(server), (PASSWORD,)) == []


async def signout_error(server: MisbehavingServer, transport: str) -> BaseException:
    server.reset_counts()
    async with client(server, "login-then-drop", transport) as mb:
        await mb.login()
        try:
            await mb.signout()
        except MeetingBoosterError:
            return sys.exc_info()[1]  # type: ignore[return-value]
    pytest.fail("no error")


async def test_a_failed_signout_leaves_no_refresh_token_behind(
    transport: str, server: MisbehavingServer
) -> None:
    error = await signout_error(server, transport)
    assert leaks(error, (PASSWORD, REFRESH)) == []
