"""Single flight: N concurrent requests cause exactly one /oauth call (asyncio and trio).

The token endpoint is held open on an ``anyio.Event`` until every request is waiting
(``anyio.wait_all_tasks_blocked``), then released; calls are counted exactly.
"""

from __future__ import annotations

from collections import Counter

import anyio
import pytest

from meetingbooster_async import LoginFailedError, MeetingBoosterAuth, MeetingBoosterClient

from .fakes import BASE, FakeClock, FakeServer
from .helpers import fire

pytestmark = pytest.mark.anyio

N = 1000


def client_for(
    fake: FakeServer, clock: FakeClock, max_in_flight: int | None = 100, password: str | None = None
) -> MeetingBoosterClient:
    auth = MeetingBoosterAuth(
        token_url=f"{BASE}/oauth", username="ann", password=password or fake.password, clock=clock
    )
    return MeetingBoosterClient(BASE, auth=auth, max_in_flight=max_in_flight)


async def storm(client: MeetingBoosterClient, fake: FakeServer, n: int = N) -> Counter[object]:
    """Fire n requests with /oauth held; release it once all n wait; count the outcomes."""
    fake.hold = anyio.Event()
    entered_before = fake.oauth_entered
    outcomes: Counter[object] = Counter()

    async with anyio.create_task_group() as tg:
        tg.start_soon(fire, client, n, outcomes)
        await anyio.wait_all_tasks_blocked()
        assert fake.oauth_entered == entered_before + 1  # one call in flight, the rest wait
        fake.hold.set()
    fake.hold = None
    return outcomes


@pytest.mark.parametrize("max_in_flight", [100, None])
async def test_cold_start_makes_one_login(
    fake: FakeServer, clock: FakeClock, max_in_flight: int | None
) -> None:
    async with client_for(fake, clock, max_in_flight) as client:
        outcomes = await storm(client, fake)
    assert outcomes == {200: N}
    assert fake.grants == {"password": 1}


@pytest.mark.parametrize(("max_in_flight", "stale_sends"), [(100, 100), (None, N)])
async def test_401_storm_makes_one_refresh(
    fake: FakeServer, clock: FakeClock, max_in_flight: int | None, stale_sends: int
) -> None:
    async with client_for(fake, clock, max_in_flight) as client:
        await client.get("/api/v1/x")
        fake.kill_access()  # hidden expiry: only a 401 tells
        outcomes = await storm(client, fake)
        assert fake.grants == {"password": 1, "refresh_token": 1}
    assert outcomes == {200: N}
    # Only requests already past the in-flight gate can have carried the dead token: once
    # the first 401 is seen, the token is dropped and everyone else waits for the refresh.
    assert 1 <= fake.api_statuses[401] <= stale_sends


async def test_expiry_storm_makes_one_refresh_and_no_401(
    fake: FakeServer, clock: FakeClock
) -> None:
    async with client_for(fake, clock) as client:
        await client.get("/api/v1/x")
        clock.advance(1200)
        fake.kill_access()
        outcomes = await storm(client, fake)
        assert fake.grants == {"password": 1, "refresh_token": 1}
    assert outcomes == {200: N}
    assert fake.api_statuses[401] == 0


async def test_rotated_refresh_token_dead_storm_makes_one_login(
    fake: FakeServer, clock: FakeClock
) -> None:
    async with client_for(fake, clock) as client:
        await client.get("/api/v1/x")
        fake.kill_access()
        fake.valid_refresh.clear()  # a server restart forgets all tokens
        fake.hold = anyio.Event()
        outcomes: Counter[int] = Counter()

        async def one() -> None:
            response = await client.get("/api/v1/x")
            outcomes[response.status_code] += 1

        async with anyio.create_task_group() as tg:
            for _ in range(N):
                tg.start_soon(one)
            await anyio.wait_all_tasks_blocked()
            fake.hold.set()
        assert fake.grants == {"password": 2, "refresh_token": 1}
    assert outcomes == {200: N}


async def test_cancelled_leader_neither_fails_nor_hangs_the_others(
    fake: FakeServer, clock: FakeClock
) -> None:
    fake.hold = anyio.Event()
    outcomes: Counter[int] = Counter()
    leader_scope = anyio.CancelScope()

    async def leader() -> None:
        with leader_scope:
            await client.get("/api/v1/x")
            outcomes["leader finished"] += 1

    async def follower() -> None:
        response = await client.get("/api/v1/x")
        outcomes[response.status_code] += 1

    async with client_for(fake, clock) as client, anyio.create_task_group() as tg:
        tg.start_soon(leader)
        await anyio.wait_all_tasks_blocked()
        assert fake.oauth_entered == 1  # the leader is inside /oauth
        for _ in range(N - 1):
            tg.start_soon(follower)
        await anyio.wait_all_tasks_blocked()
        leader_scope.cancel()
        await anyio.wait_all_tasks_blocked()
        fake.hold.set()
    # The leader ends cancelled at its next checkpoint (a mocked send may have none left).
    assert outcomes.pop("leader finished", 0) + leader_scope.cancelled_caught == 1
    assert outcomes == {200: N - 1}
    assert fake.grants == {"password": 1}


async def test_cancelled_waiters_release_everything(fake: FakeServer, clock: FakeClock) -> None:
    fake.hold = anyio.Event()
    async with client_for(fake, clock) as client:
        async with anyio.create_task_group() as tg:
            for _ in range(50):
                tg.start_soon(client.get, "/api/v1/x")
            await anyio.wait_all_tasks_blocked()
            tg.cancel_scope.cancel()
            # The leader's /oauth call is shielded: it finishes for whoever comes next.
            fake.hold.set()
        # No lock or gate slot stays held: the next request goes straight through.
        with anyio.fail_after(5):
            response = await client.get("/api/v1/x")
    assert response.status_code == 200
    assert fake.grants["password"] == 1


async def test_failed_login_storm_makes_one_call_and_fails_everyone(
    fake: FakeServer, clock: FakeClock
) -> None:
    async with client_for(fake, clock, password="wrong") as client:
        outcomes = await storm(client, fake)
        assert outcomes == {"LoginFailedError": N}
        assert fake.grants == {"password": 1}
        # Inside the cooldown window nothing more is sent.
        clock.advance(30)
        with pytest.raises(LoginFailedError) as info:
            await client.get("/api/v1/x")
        assert info.value.in_cooldown and info.value.retry_in_seconds == 30
    assert fake.grants == {"password": 1}
