"""The core under adversity, over real HTTP against the emulator, on asyncio and trio.

Each test pins one promise of the request path (token, slot, re-check, send) or of the token
exchange: every wait has a bound, no user's slow login blocks another, a cancelled caller
returns at once, and every ``/oauth`` outcome has a rule for the next caller. Waits in these
tests are bounded by ``anyio.fail_after`` as hang guards, never as speed assertions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest

from meetingbooster_async import (
    APIConnectionError,
    APITimeoutError,
    ClientClosedError,
    LoginFailedError,
    MeetingBoosterAuth,
    MeetingBoosterClient,
    OAuthResponseError,
    TokenPolicy,
)
from meetingbooster_async.testing import Emulator, EmulatorServer, serve

from .emulated import reset
from .fakes import FakeClock

pytestmark = pytest.mark.anyio

USER, PASSWORD = "ann@example.com", "correct horse"
OTHERS = [(f"user{i}@example.com", f"pw{i}") for i in range(5)]
LIST = "/api/v1/mymeetings/list"
TASKS = "/api/v1/mytasks/sync"
#: Queues in these tests are deliberate: only the pool tests bound them.
QUEUE_TIMEOUT = httpx.Timeout(10.0, connect=3.0, pool=None)


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    users = {USER: PASSWORD, **dict(OTHERS)}
    with serve(Emulator(users=users, meetings_per_user=2)) as running:
        yield running


@pytest.fixture
def emulator(server: EmulatorServer) -> Iterator[Emulator]:
    with reset(server.emulator) as emulator:
        yield emulator


def make(server: EmulatorServer, **kwargs: Any) -> MeetingBoosterClient:
    kwargs.setdefault("timeout", QUEUE_TIMEOUT)
    if "auth" not in kwargs:
        kwargs.setdefault("username", USER)
        kwargs.setdefault("password", PASSWORD)
    return MeetingBoosterClient(server.url, **kwargs)


def auth_for(server: EmulatorServer, **kwargs: Any) -> MeetingBoosterAuth:
    return MeetingBoosterAuth(
        token_url=f"{server.url}/oauth", username=USER, password=PASSWORD, **kwargs
    )


# -- 1. No wait without a bound -----------------------------------------------------------


async def test_a_request_inside_an_open_stream_gets_pool_timeout(
    server: EmulatorServer, emulator: Emulator
) -> None:
    timeout = httpx.Timeout(5.0, pool=0.2)
    async with make(server, max_in_flight=2, timeout=timeout) as client:
        await client.login()
        async with client.stream("GET", LIST) as first, client.stream("GET", LIST) as second:
            assert first.status_code == second.status_code == 200
            with anyio.fail_after(5), pytest.raises(httpx.PoolTimeout):
                await client.get(LIST)  # both slots are held by the open streams
        # The streams gave their slots back when closed.
        assert (await client.get(LIST)).status_code == 200
    assert emulator.stats().answered("list") == 3  # the timed-out request never went out


async def test_the_clients_timeout_bounds_each_oauth_attempt(
    server: EmulatorServer, emulator: Emulator
) -> None:
    emulator.faults.hold("oauth")  # a stalled /oauth: every attempt hangs
    async with make(server, timeout=httpx.Timeout(0.2)) as client:
        with anyio.fail_after(10), pytest.raises(APITimeoutError):
            await client.get(LIST)  # token_timeout is 30 s: only the client's 0.2 s helps
    # Each timed-out attempt closed its connection: the server abandons the held requests.
    # Released before that, one would go on and take a later test's scripted answer.
    with anyio.fail_after(10):
        await emulator.faults.wait_released("oauth")
    emulator.faults.release("oauth")
    assert emulator.stats().oauth_calls["password"] == 3  # 1 attempt + 2 retries


async def test_a_thousand_callers_share_one_failed_exchange_then_a_backoff(
    server: EmulatorServer, emulator: Emulator
) -> None:
    emulator.faults.force("oauth", status=503, body="html", times=3)
    outcomes: Counter[str] = Counter()
    clock = FakeClock()
    async with make(server, auth=auth_for(server, clock=clock)) as client:

        async def one() -> None:
            try:
                await client.get(LIST)
            except OAuthResponseError as exc:
                outcomes["in backoff" if exc.in_cooldown else "shared failure"] += 1

        emulator.faults.hold("oauth", times=1)
        async with anyio.create_task_group() as tg:
            for _ in range(1000):
                tg.start_soon(one)
            with anyio.fail_after(10):
                await emulator.faults.wait_held(1, "oauth")
            await anyio.wait_all_tasks_blocked()
            emulator.faults.release("oauth")
        assert outcomes == {"shared failure": 1000}
        assert emulator.stats().oauth_calls == {"password": 3}  # one exchange, its retries
        # Inside the backoff the next caller gets the last error at once, marked.
        with pytest.raises(OAuthResponseError) as info:
            await client.get(LIST)
        assert info.value.in_cooldown and 0 < info.value.retry_in_seconds <= 0.5
        assert emulator.stats().oauth_calls == {"password": 3}
        clock.advance(0.5)
        assert (await client.get(LIST)).status_code == 200


# -- 2. No head-of-line blocking ---------------------------------------------------------


async def test_one_users_slow_login_does_not_block_the_others(
    server: EmulatorServer, emulator: Emulator
) -> None:
    async with make(server, max_in_flight=100) as client:
        others = [client.as_user(name, password) for name, password in OTHERS]
        for other in others:
            await other.login()
        emulator.faults.hold("oauth")  # ann's login hangs
        done: Counter[str] = Counter()

        async def ann() -> None:
            done[f"ann {(await client.get(LIST)).status_code}"] += 1

        async def other_user(n: int) -> None:
            done[f"other {(await others[n % len(others)].get(LIST)).status_code}"] += 1

        async with anyio.create_task_group() as tg:
            for _ in range(150):  # more than the 100 slots: none of them may hold one
                tg.start_soon(ann)
            with anyio.fail_after(10):
                await emulator.faults.wait_held(1, "oauth")
            with anyio.fail_after(20):
                async with anyio.create_task_group() as inner:
                    for n in range(200):
                        inner.start_soon(other_user, n)
            # Every other user's request finished while ann's login is still held.
            assert done == {"other 200": 200}
            assert emulator.faults.held("oauth") == 1
            emulator.faults.release("oauth")
    assert done == {"other 200": 200, "ann 200": 150}


async def test_a_proactive_refresh_holds_up_no_request(
    server: EmulatorServer, emulator: Emulator
) -> None:
    clock = FakeClock()
    auth = auth_for(server, clock=clock, refresh_margin=600)
    async with make(server, auth=auth) as client:
        await client.login()
        clock.advance(601)  # inside the margin of a 1,200 s token: due, still valid
        emulator.faults.hold("oauth")
        statuses: Counter[int] = Counter()

        async def one() -> None:
            statuses[(await client.get(LIST)).status_code] += 1

        with anyio.fail_after(20):
            async with anyio.create_task_group() as tg:
                for _ in range(50):
                    tg.start_soon(one)
        assert statuses == {200: 50}  # all went out with the valid token
        with anyio.fail_after(10):  # the refresh reaches the server over real HTTP
            await emulator.faults.wait_held(1, "oauth")
        assert emulator.faults.held("oauth") == 1  # exactly one refresh waits
        emulator.faults.release("oauth")
        with anyio.fail_after(10):
            await client.login()  # the refresh lands
    assert emulator.stats().oauth_calls == {"password": 1, "refresh_token": 1}


async def test_a_token_that_expires_while_queued_for_a_slot_is_replaced(
    server: EmulatorServer, emulator: Emulator
) -> None:
    clock = FakeClock()
    async with make(server, auth=auth_for(server, clock=clock), max_in_flight=1) as client:
        await client.login()
        async with client.stream("GET", LIST) as holding, anyio.create_task_group() as tg:
            statuses: list[int] = []

            async def queued() -> None:
                statuses.append((await client.get(LIST)).status_code)

            tg.start_soon(queued)
            await anyio.wait_all_tasks_blocked()  # queued for the only slot
            clock.advance(1201)  # its token expired meanwhile
            emulator.expire_access_tokens()
            await holding.aclose()
        assert statuses == [200]
    stats = emulator.stats()
    assert stats.data_statuses.get(401, 0) == 0  # the dead token never went out
    assert stats.oauth_calls["refresh_token"] == 1


# -- 3. Cancellation returns at once ------------------------------------------------------


async def test_a_cancelled_leader_returns_at_once_and_its_login_is_kept(
    server: EmulatorServer, emulator: Emulator
) -> None:
    emulator.faults.hold("oauth")
    async with make(server) as client:
        with anyio.fail_after(10):
            async with anyio.create_task_group() as tg:
                tg.start_soon(client.get, LIST)
                await emulator.faults.wait_held(1, "oauth")
                tg.cancel_scope.cancel()  # e.g. the web handler's client went away
        # It returned while its exchange is still held at the server.
        assert emulator.faults.held("oauth") == 1
        emulator.faults.release("oauth")
        with anyio.fail_after(10):
            assert (await client.get(LIST)).status_code == 200
        assert emulator.stats().oauth_calls == {"password": 1}  # that login was reused


async def test_a_callers_deadline_returns_at_once_while_the_exchange_goes_on(
    server: EmulatorServer, emulator: Emulator
) -> None:
    emulator.faults.hold("oauth")
    async with make(server) as client:
        with anyio.fail_after(10), pytest.raises(APITimeoutError):
            await client.get(LIST, extensions={"meetingbooster_deadline": 0.1})
        assert emulator.faults.held("oauth") == 1
        emulator.faults.release("oauth")
        assert (await client.get(LIST)).status_code == 200
    assert emulator.stats().oauth_calls["password"] == 1


async def test_nothing_runs_after_aclose(server: EmulatorServer, emulator: Emulator) -> None:
    emulator.faults.hold("oauth")
    client = make(server, signout_on_close=False)
    waiter_error: list[BaseException] = []
    async with anyio.create_task_group() as tg:

        async def waiter() -> None:
            try:
                await client.get(LIST)
            except (APIConnectionError, ClientClosedError) as exc:
                waiter_error.append(exc)

        tg.start_soon(waiter)
        with anyio.fail_after(10):
            await emulator.faults.wait_held(1, "oauth")
        with anyio.fail_after(10):
            await client.aclose()
    auth = client.mb_auth
    assert auth._exchanges.inflight is None and not auth._exchanges.tasks
    assert len(waiter_error) == 1  # the waiter was told, not left hanging
    emulator.faults.release("oauth")
    with pytest.raises(ClientClosedError):
        await client.get(LIST)


# -- 4. No loops on /oauth ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body"), [(401, "html"), (403, "empty"), (400, "html"), (200, "html")]
)
async def test_a_gateway_refusing_the_password_without_oauth_body_is_not_looped(
    server: EmulatorServer, emulator: Emulator, status: int, body: str
) -> None:
    emulator.faults.force("oauth", status=status, body=body, times=30)
    async with make(server, signout_on_close=False) as client:
        for _ in range(30):
            with pytest.raises(LoginFailedError):
                await client.get(LIST)
    assert emulator.stats().oauth_calls == {"password": 1}


async def test_an_always_401_endpoint_costs_a_couple_of_oauth_calls_in_total(
    server: EmulatorServer, emulator: Emulator
) -> None:
    emulator.faults.force("tasks_sync", status=401, body={"Message": "no licence"}, times=500)
    async with make(server, signout_on_close=False) as client:
        for _ in range(100):
            assert (await client.get(TASKS)).status_code == 401
        assert sum(emulator.stats().oauth_calls.values()) <= 2
        emulator.faults.clear()
        # A hidden expiry elsewhere is still recovered by exactly one refresh.
        before = emulator.stats().oauth_calls.get("refresh_token", 0)
        emulator.expire_access_tokens()
        assert (await client.get(LIST)).status_code == 200
        assert emulator.stats().oauth_calls["refresh_token"] == before + 1


@pytest.mark.parametrize("expires_in", ["", "0", 0, -5, "abc", "1200s"])
async def test_an_unusable_expires_in_keeps_the_session(
    server: EmulatorServer, emulator: Emulator, expires_in: object
) -> None:
    emulator.faults.force("oauth", patch={"expires_in": expires_in})
    async with make(server, signout_on_close=False) as client:
        for _ in range(20):
            assert (await client.get(LIST)).status_code == 200
        assert client.mb_auth.token_lifetime == pytest.approx(1200)  # the default lifetime
    assert emulator.stats().oauth_calls == {"password": 1}


async def test_a_tiny_expires_in_is_clamped(server: EmulatorServer, emulator: Emulator) -> None:
    emulator.faults.force("oauth", patch={"expires_in": "1e-06"})
    clock = FakeClock()
    async with make(server, auth=auth_for(server, clock=clock)) as client:
        for _ in range(200):
            assert (await client.get(LIST)).status_code == 200
        assert client.mb_auth.token_lifetime == pytest.approx(TokenPolicy().min_lifetime)
        assert emulator.stats().oauth_calls == {"password": 1}
        clock.advance(TokenPolicy().min_lifetime)  # the clamped lifetime ends: one refresh
        assert (await client.get(LIST)).status_code == 200
    assert emulator.stats().oauth_calls == {"password": 1, "refresh_token": 1}


# -- 5/6/7. Tokens and stores; closing and sharing ---------------------------------------


async def test_aclose_signs_out_every_session_including_dropped_ones(
    server: EmulatorServer, emulator: Emulator
) -> None:
    async with make(server) as client:
        await client.login()
        for name, password in OTHERS:
            await client.as_user(name, password).login()
        # A view with a new password replaces the old session, still signed in.
        emulator.update_user(OTHERS[0][0], password="new password")
        try:
            await client.as_user(OTHERS[0][0], "new password").login()
        finally:
            emulator.update_user(OTHERS[0][0], password=OTHERS[0][1])
    assert emulator.stats().oauth_calls["signout"] == 1 + len(OTHERS) + 1


async def test_a_shared_auth_uses_the_transport_of_the_client_sending(
    server: EmulatorServer, emulator: Emulator
) -> None:
    auth = auth_for(server)
    async with make(server, auth=auth, signout_on_close=False) as first:
        assert (await first.get(LIST)).status_code == 200
    emulator.expire_access_tokens()  # the second client must refresh through its own pool
    async with make(server, auth=auth, signout_on_close=False) as second:
        assert (await second.get(LIST)).status_code == 200
    assert emulator.stats().oauth_calls == {"password": 1, "refresh_token": 1}


# -- 8. httpx semantics -------------------------------------------------------------------


async def test_an_unsupported_url_fails_at_once_without_retries(server: EmulatorServer) -> None:
    async with make(server, signout_on_close=False) as client:
        with anyio.fail_after(1), pytest.raises(httpx.UnsupportedProtocol):
            await client.get("ftp://files.example/x")
