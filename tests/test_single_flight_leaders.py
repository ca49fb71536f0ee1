"""Single flight when its leader stops: its own deadline, a cancellation mid-exchange.

The callers queued behind a leader must not inherit its fate, and an exchange the leader
started (a rotated refresh token) must be finished and stored even if the leader is gone.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import anyio
import pytest

from meetingbooster_async import (
    APITimeoutError,
    MeetingBoosterClient,
    MemoryTokenStore,
    StoredToken,
)

from .fakes import BASE, FakeClock, FakeServer
from .helpers import auth_for

pytestmark = pytest.mark.anyio


async def test_a_leaders_own_deadline_does_not_fail_the_callers_behind_it(
    fake: FakeServer,
) -> None:
    fake.hold = anyio.Event()
    outcomes: Counter[object] = Counter()
    async with MeetingBoosterClient(BASE, auth=auth_for(fake)) as client:

        async def leader() -> None:
            with pytest.raises(APITimeoutError):
                await client.get("/api/v1/x", extensions={"meetingbooster_deadline": 0.05})
            outcomes["leader timed out"] += 1
            fake.hold.set()  # the server answers the next caller's attempt

        async def follower() -> None:
            outcomes[(await client.get("/api/v1/x")).status_code] += 1

        async with anyio.create_task_group() as tg:
            tg.start_soon(leader)
            await anyio.wait_all_tasks_blocked()
            for _ in range(20):
                tg.start_soon(follower)
    assert outcomes == {"leader timed out": 1, 200: 20}
    # The exchange outlives its leader's deadline: the followers share that one login.
    assert fake.grants["password"] == 1


async def test_a_cancelled_leader_still_finishes_a_two_step_exchange(
    fake: FakeServer, clock: FakeClock
) -> None:
    outcomes: Counter[object] = Counter()
    async with MeetingBoosterClient(BASE, auth=auth_for(fake, clock=clock)) as client:
        await client.get("/api/v1/x")
        fake.kill_access()
        fake.valid_refresh.clear()  # refresh → invalid_grant → password login
        fake.hold = anyio.Event()
        scope = anyio.CancelScope()

        async def leader() -> None:
            with scope:
                await client.get("/api/v1/x")

        async def follower() -> None:
            outcomes[(await client.get("/api/v1/x")).status_code] += 1

        async with anyio.create_task_group() as tg:
            tg.start_soon(leader)
            await anyio.wait_all_tasks_blocked()
            for _ in range(20):
                tg.start_soon(follower)
            await anyio.wait_all_tasks_blocked()
            scope.cancel()
            await anyio.wait_all_tasks_blocked()
            fake.hold.set()
    assert outcomes == {200: 20}
    assert fake.grants == {"password": 2, "refresh_token": 1}


class NetworkedStore(MemoryTokenStore):
    """A store whose writes yield to the loop, as a networked one (Redis) does."""

    async def compare_and_set(self, key: str, expected: Any, new: StoredToken) -> bool:
        await anyio.lowlevel.checkpoint()
        return await super().compare_and_set(key, expected, new)


async def test_a_cancelled_leader_still_writes_the_rotated_token_to_the_store(
    fake: FakeServer, clock: FakeClock
) -> None:
    store = NetworkedStore()
    a = MeetingBoosterClient(BASE, auth=auth_for(fake, clock=clock, token_store=store))
    b = MeetingBoosterClient(BASE, auth=auth_for(fake, clock=clock, token_store=store))
    async with a, b:
        await a.get("/api/v1/x")
        await b.get("/api/v1/x")
        fake.kill_access()
        fake.hold = anyio.Event()
        scope = anyio.CancelScope()

        async def leader() -> None:
            with scope:
                await a.get("/api/v1/x")

        async with anyio.create_task_group() as tg:
            tg.start_soon(leader)
            await anyio.wait_all_tasks_blocked()
            scope.cancel()
            await anyio.wait_all_tasks_blocked()
            fake.hold.set()
        fake.hold = None
        assert (await b.get("/api/v1/x")).status_code == 200
    # b adopted the rotated token: no second use of ref-1, no extra login
    assert fake.grants == {"password": 1, "refresh_token": 1}
