"""Single flight: N concurrent requests cause exactly one /oauth call (asyncio and trio).

The emulator holds its token endpoint open until every request is waiting
(``faults.wait_held`` and ``anyio.wait_all_tasks_blocked``), then releases it; its stats count
the calls exactly.
"""

from __future__ import annotations

from collections import Counter

import anyio
import pytest

from meetingbooster_async import LoginFailedError, MeetingBoosterClient
from meetingbooster_async.testing import Emulator

from .emulated import LIST, PASSWORD, make_auth, make_client
from .fakes import FakeClock
from .helpers import held_storm

pytestmark = pytest.mark.anyio

N = 1000


def client_for(
    emulator: Emulator,
    clock: FakeClock,
    max_in_flight: int | None = 100,
    password: str = PASSWORD,
) -> MeetingBoosterClient:
    auth = make_auth(password=password, clock=clock)
    return make_client(emulator, auth=auth, max_in_flight=max_in_flight)


@pytest.mark.parametrize("max_in_flight", [100, None])
async def test_cold_start_makes_one_login(
    emulator: Emulator, clock: FakeClock, max_in_flight: int | None
) -> None:
    async with client_for(emulator, clock, max_in_flight) as client:
        outcomes = await held_storm(client, emulator, N)
    assert outcomes == {200: N}
    assert emulator.stats().oauth_calls == {"password": 1}


@pytest.mark.parametrize(("max_in_flight", "stale_sends"), [(100, 100), (None, N)])
async def test_401_storm_makes_one_refresh(
    emulator: Emulator, clock: FakeClock, max_in_flight: int | None, stale_sends: int
) -> None:
    async with client_for(emulator, clock, max_in_flight) as client:
        await client.get(LIST)
        emulator.expire_access_tokens()  # hidden expiry: only a 401 tells
        outcomes = await held_storm(client, emulator, N)
        assert emulator.stats().oauth_calls == {"password": 1, "refresh_token": 1}
    assert outcomes == {200: N}
    # Only requests already past the in-flight gate can have carried the dead token: once
    # the first 401 is seen, the token is dropped and everyone else waits for the refresh.
    # Without a gate every request may have been on the wire: only "at least one" holds.
    dead_sends = emulator.stats().data_statuses[401]
    assert dead_sends >= 1
    if stale_sends < N:
        assert dead_sends <= stale_sends


async def test_expiry_storm_makes_one_refresh_and_no_401(
    emulator: Emulator, clock: FakeClock
) -> None:
    async with client_for(emulator, clock) as client:
        await client.get(LIST)
        clock.advance(1200)  # the emulator runs on this clock: the token has expired there too
        outcomes = await held_storm(client, emulator, N)
        assert emulator.stats().oauth_calls == {"password": 1, "refresh_token": 1}
    assert outcomes == {200: N}
    assert emulator.stats().data_statuses.get(401, 0) == 0


async def test_rotated_refresh_token_dead_storm_makes_one_login(
    emulator: Emulator, clock: FakeClock
) -> None:
    async with client_for(emulator, clock) as client:
        await client.get(LIST)
        emulator.restart()  # a server restart forgets all tokens
        outcomes = await held_storm(client, emulator, N)
        stats = emulator.stats()
    assert outcomes == {200: N}
    assert stats.oauth_calls == {"password": 2, "refresh_token": 1}
    assert stats.oauth_outcomes["refresh_token"] == {"invalid_grant": 1}


async def test_cancelled_leader_neither_fails_nor_hangs_the_others(
    emulator: Emulator, clock: FakeClock
) -> None:
    emulator.faults.hold("oauth")
    outcomes: Counter[object] = Counter()
    leader_scope = anyio.CancelScope()

    async def leader() -> None:
        with leader_scope:
            await client.get(LIST)
            outcomes["leader finished"] += 1

    async def follower() -> None:
        response = await client.get(LIST)
        outcomes[response.status_code] += 1

    async with client_for(emulator, clock) as client, anyio.create_task_group() as tg:
        tg.start_soon(leader)
        with anyio.fail_after(30):  # a hang guard, not a speed limit
            await emulator.faults.wait_held(1, "oauth")  # the leader is inside /oauth
        for _ in range(N - 1):
            tg.start_soon(follower)
        await anyio.wait_all_tasks_blocked()
        assert emulator.stats().oauth_total == 1
        leader_scope.cancel()
        await anyio.wait_all_tasks_blocked()
        emulator.faults.release("oauth")
    # The leader ends cancelled at its next checkpoint (it may have none left).
    assert outcomes.pop("leader finished", 0) + leader_scope.cancelled_caught == 1
    assert outcomes == {200: N - 1}
    assert emulator.stats().oauth_calls == {"password": 1}


async def test_cancelled_waiters_release_everything(emulator: Emulator, clock: FakeClock) -> None:
    emulator.faults.hold("oauth")
    async with client_for(emulator, clock) as client:
        async with anyio.create_task_group() as tg:
            for _ in range(50):
                tg.start_soon(client.get, LIST)
            with anyio.fail_after(30):  # a hang guard, not a speed limit
                await emulator.faults.wait_held(1, "oauth")
            await anyio.wait_all_tasks_blocked()
            assert emulator.faults.held("oauth") == 1
            tg.cancel_scope.cancel()
            # The leader's /oauth call is shielded: it finishes for whoever comes next.
            emulator.faults.release("oauth")
        # No lock or gate slot stays held: the next request goes straight through.
        with anyio.fail_after(5):
            response = await client.get(LIST)
    assert response.status_code == 200
    assert emulator.stats().oauth_calls == {"password": 1}


async def test_failed_login_storm_makes_one_call_and_fails_everyone(
    emulator: Emulator, clock: FakeClock
) -> None:
    async with client_for(emulator, clock, password="wrong") as client:
        outcomes = await held_storm(client, emulator, N)
        assert outcomes == {"LoginFailedError": N}
        assert emulator.stats().oauth_calls == {"password": 1}
        # Inside the cooldown window nothing more is sent.
        clock.advance(30)
        with pytest.raises(LoginFailedError) as info:
            await client.get(LIST)
        assert info.value.in_cooldown and info.value.retry_in_seconds == 30
    assert emulator.stats().oauth_calls == {"password": 1}
