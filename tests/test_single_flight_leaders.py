"""Single flight when its leader stops: its own deadline, a cancellation mid-exchange.

The callers queued behind a leader must not inherit its fate, and an exchange the leader
started (a rotated refresh token) must be finished and stored even if the leader is gone.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import anyio
import pytest

from meetingbooster_async import APITimeoutError, MemoryTokenStore, StoredToken
from meetingbooster_async.testing import Emulator

from .emulated import LIST, make_auth, make_client
from .fakes import FakeClock

pytestmark = pytest.mark.anyio


async def test_a_leaders_own_deadline_does_not_fail_the_callers_behind_it(
    emulator: Emulator, clock: FakeClock
) -> None:
    emulator.faults.hold("oauth")
    outcomes: Counter[object] = Counter()
    async with make_client(emulator, auth=make_auth(clock=clock)) as client:
        started, all_started = 0, anyio.Event()

        async def leader() -> None:
            with pytest.raises(APITimeoutError):
                await client.get(LIST, extensions={"meetingbooster_deadline": 0.05})
            outcomes["leader timed out"] += 1
            # Every follower waits behind the one exchange, still held, before it is answered.
            await all_started.wait()
            await anyio.wait_all_tasks_blocked()
            assert emulator.faults.held("oauth") == 1
            emulator.faults.release("oauth")  # the server answers the exchange it holds

        async def follower() -> None:
            nonlocal started
            started += 1
            if started == 20:
                all_started.set()
            outcomes[(await client.get(LIST)).status_code] += 1

        with anyio.fail_after(30):  # a hang guard, not a speed limit
            async with anyio.create_task_group() as tg:
                tg.start_soon(leader)
                await anyio.wait_all_tasks_blocked()
                for _ in range(20):
                    tg.start_soon(follower)
    assert outcomes == {"leader timed out": 1, 200: 20}
    # The exchange outlives its leader's deadline: the followers share that one login.
    assert emulator.stats().oauth_calls == {"password": 1}


async def test_a_cancelled_leader_still_finishes_a_two_step_exchange(
    emulator: Emulator, clock: FakeClock
) -> None:
    outcomes: Counter[object] = Counter()
    async with make_client(emulator, auth=make_auth(clock=clock)) as client:
        await client.get(LIST)
        emulator.restart()  # refresh → invalid_grant → password login
        emulator.faults.hold("oauth")
        scope = anyio.CancelScope()

        async def leader() -> None:
            with scope:
                await client.get(LIST)

        async def follower() -> None:
            outcomes[(await client.get(LIST)).status_code] += 1

        async with anyio.create_task_group() as tg:
            tg.start_soon(leader)
            with anyio.fail_after(30):  # a hang guard, not a speed limit
                await emulator.faults.wait_held(1, "oauth")  # the refresh
            for _ in range(20):
                tg.start_soon(follower)
            await anyio.wait_all_tasks_blocked()
            scope.cancel()
            await anyio.wait_all_tasks_blocked()
            emulator.faults.release("oauth")
    assert outcomes == {200: 20}
    assert emulator.stats().oauth_calls == {"password": 2, "refresh_token": 1}


class NetworkedStore(MemoryTokenStore):
    """A store whose writes yield to the loop, as a networked one (Redis) does."""

    async def compare_and_set(self, key: str, expected: Any, new: StoredToken) -> bool:
        await anyio.lowlevel.checkpoint()
        return await super().compare_and_set(key, expected, new)


async def test_a_cancelled_leader_still_writes_the_rotated_token_to_the_store(
    emulator: Emulator, clock: FakeClock
) -> None:
    store = NetworkedStore()
    a = make_client(emulator, auth=make_auth(clock=clock, token_store=store))
    b = make_client(emulator, auth=make_auth(clock=clock, token_store=store))
    async with a, b:
        await a.get(LIST)
        await b.get(LIST)
        emulator.expire_access_tokens()
        emulator.faults.hold("oauth")
        scope = anyio.CancelScope()

        async def leader() -> None:
            with scope:
                await a.get(LIST)

        async with anyio.create_task_group() as tg:
            tg.start_soon(leader)
            with anyio.fail_after(30):  # a hang guard, not a speed limit
                await emulator.faults.wait_held(1, "oauth")  # the refresh
            await anyio.wait_all_tasks_blocked()
            scope.cancel()
            await anyio.wait_all_tasks_blocked()
            emulator.faults.release("oauth")
        assert (await b.get(LIST)).status_code == 200
    # b adopted the rotated token: no second use of the old refresh token, no extra login
    stats = emulator.stats()
    assert stats.oauth_calls == {"password": 1, "refresh_token": 1}
    assert stats.oauth_outcomes["refresh_token"] == {"ok": 1}
