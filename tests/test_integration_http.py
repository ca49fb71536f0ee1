"""The core client's promises against the emulator over real HTTP (not only in process).

Each behaviour runs on asyncio and trio with the default (httpcore) transport, and on asyncio
with ``fast=True`` (httpx on aiohttp's pool).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from meetingbooster_async import LoginFailedError, MeetingBoosterAuth, MeetingBoosterClient
from meetingbooster_async.testing import Emulator, EmulatorServer, serve

from .emulated import reset
from .fakes import FakeClock
from .helpers import fire, held_storm

pytestmark = pytest.mark.anyio

USER, PASSWORD = "ann@example.com", "correct horse"
N = 1000


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with serve(Emulator(users={USER: PASSWORD}, meetings_per_user=3)) as running:
        yield running


# fast=True (aiohttp) exists on asyncio only: three combinations, none skipped.
@pytest.fixture(
    params=[("asyncio", "httpx"), ("trio", "httpx"), ("asyncio", "fast")],
    ids=["asyncio", "trio", "asyncio-fast"],
)
def backend_and_mode(request: pytest.FixtureRequest) -> tuple[str, str]:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def anyio_backend(backend_and_mode: tuple[str, str]) -> str:
    return backend_and_mode[0]


@pytest.fixture
def mode(backend_and_mode: tuple[str, str]) -> str:
    return backend_and_mode[1]


@pytest.fixture
def emulator(server: EmulatorServer) -> Iterator[Emulator]:
    with reset(server.emulator) as emulator:
        yield emulator


#: The storms queue 1,000 requests behind 100 slots on purpose: no bound on that queue.
STORM_TIMEOUT = httpx.Timeout(10.0, connect=3.0, pool=None)


def client(server: EmulatorServer, mode: str, **kwargs: Any) -> MeetingBoosterClient:
    kwargs.setdefault("timeout", STORM_TIMEOUT)
    return MeetingBoosterClient(server.url, fast=mode == "fast", **kwargs)


async def test_cold_start_single_flight(
    server: EmulatorServer, emulator: Emulator, mode: str
) -> None:
    async with client(server, mode, username=USER, password=PASSWORD) as c:
        outcomes = await held_storm(c, emulator, N)
    assert outcomes == {200: N}
    assert emulator.stats().oauth_calls == {"password": 1, "signout": 1}


async def test_hidden_expiry_single_refresh(
    server: EmulatorServer, emulator: Emulator, mode: str
) -> None:
    async with client(server, mode, username=USER, password=PASSWORD) as c:
        await c.login()
        emulator.expire_access_tokens()  # only a 401 tells
        outcomes = await held_storm(c, emulator, N)
        assert emulator.stats().oauth_calls == {"password": 1, "refresh_token": 1}
    assert outcomes == {200: N}


async def test_server_restart_relogs_in_once(
    server: EmulatorServer, emulator: Emulator, mode: str
) -> None:
    async with client(server, mode, username=USER, password=PASSWORD) as c:
        await c.login()
        emulator.restart()  # access and refresh tokens forgotten: invalid_grant, then login
        outcomes: Counter[object] = Counter()
        await fire(c, 500, outcomes)
        stats = emulator.stats()
    assert outcomes == {200: 500}
    assert stats.oauth_calls == {"password": 2, "refresh_token": 1}
    assert stats.oauth_outcomes["refresh_token"] == {"invalid_grant": 1}


async def test_expiry_by_lifetime_refreshes_proactively(
    server: EmulatorServer, emulator: Emulator, mode: str
) -> None:
    clock = FakeClock()
    auth = MeetingBoosterAuth(
        token_url=f"{server.url}/oauth", username=USER, password=PASSWORD, clock=clock
    )
    async with client(server, mode, auth=auth) as c:
        await c.get("/api/v1/mymeetings/list")
        clock.advance(1150)  # past refresh_at (1140 s) but before expiry
        outcomes: Counter[object] = Counter()
        await fire(c, 200, outcomes)
    assert outcomes == {200: 200}
    assert emulator.stats().oauth_calls == {"password": 1, "refresh_token": 1}
    assert emulator.stats().data_statuses.get(401, 0) == 0


async def test_cooldown_after_failed_login(
    server: EmulatorServer, emulator: Emulator, mode: str
) -> None:
    async with client(server, mode, username=USER, password="wrong") as c:
        outcomes = await held_storm(c, emulator, 200)
        assert outcomes == {"LoginFailedError": 200}
        for _ in range(10):
            with pytest.raises(LoginFailedError) as info:
                await c.get("/api/v1/mymeetings/list")
            assert info.value.in_cooldown and info.value.error_state == "FAILEDLOGIN"
    assert emulator.stats().oauth_calls == {"password": 1}


async def test_signout_disposes_of_the_tokens_on_the_server(
    server: EmulatorServer, emulator: Emulator, mode: str
) -> None:
    async with client(server, mode, username=USER, password=PASSWORD) as c:
        await c.get("/api/v1/mymeetings/list")
        assert emulator.stats().sessions == 1
        await c.signout()
        assert emulator.stats().sessions == 0
        assert (await c.get("/api/v1/mymeetings/list")).status_code == 200  # logs in again
    stats = emulator.stats()
    assert stats.oauth_calls == {"password": 2, "signout": 2}
    assert stats.sessions == 0
    assert stats.oauth_outcomes["signout"] == {"ok": 2}


async def test_oauth_cookie_is_never_sent_back(
    server: EmulatorServer, emulator: Emulator, mode: str
) -> None:
    async with client(server, mode, username=USER, password=PASSWORD) as c:
        await c.get("/api/v1/mymeetings/list")
        assert len(c.cookies.jar) == 0
        await c.signout()
        # Without a bearer and without a cookie, the server must see an anonymous request.
        response = await c.get("/api/v1/mymeetings/list", auth=None)
    assert response.status_code == 401
