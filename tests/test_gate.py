"""The in-flight gate: FIFO hand-over, bounded waits, and no slot lost to a timeout or a cancel.

Every test runs on asyncio (futures and a ``call_later`` timer) and on trio (``anyio.Event``
under ``move_on_after``): the two waiting paths keep one contract.
"""

from __future__ import annotations

import asyncio

import anyio
import httpx
import pytest

from meetingbooster_async._gate import SWEEP_AT, InFlightGate

pytestmark = pytest.mark.anyio

REQUEST = httpx.Request("GET", "https://mb.example/api/v1/mymeetings/list")


async def wait_queued(gate: InFlightGate, count: int) -> None:
    """Let every task run until it blocks; then ``count`` waiters must queue."""
    await anyio.wait_all_tasks_blocked()
    assert len(gate._waiters) == count


async def test_slots_are_taken_without_waiting_until_none_is_free() -> None:
    gate = InFlightGate(2)
    assert gate.try_take() and gate.try_take()
    assert not gate.try_take()
    assert gate.free == 0
    gate.give_back()
    assert gate.free == 1 and repr(gate) == "<InFlightGate 1/2 free>"


async def test_a_slot_given_back_goes_to_the_oldest_waiter_first() -> None:
    gate = InFlightGate(1)
    assert gate.try_take()
    order: list[int] = []

    async def wait(n: int) -> None:
        await gate.take(REQUEST, None)
        order.append(n)

    async with anyio.create_task_group() as tg:
        for n in range(3):
            tg.start_soon(wait, n)
            await wait_queued(gate, n + 1)
        for _ in range(3):
            gate.give_back()  # handed over: the free count never rises while they queue
            assert gate.free == 0
            await anyio.wait_all_tasks_blocked()
    assert order == [0, 1, 2]
    assert gate.free == 0  # the last waiter still holds its slot
    gate.give_back()
    assert gate.free == 1


async def test_a_wait_past_the_pool_timeout_raises_pool_timeout_and_loses_no_slot() -> None:
    gate = InFlightGate(1)
    assert gate.try_take()
    with anyio.fail_after(5), pytest.raises(httpx.PoolTimeout) as caught:
        await gate.take(REQUEST, 0.01)
    assert caught.value.request is REQUEST
    assert "max_in_flight=1" in str(caught.value)
    gate.give_back()  # the timed-out waiter is skipped: the slot comes back free
    assert gate.free == 1
    assert not gate._waiters


async def test_a_cancelled_waiter_takes_no_slot_and_the_next_one_gets_it() -> None:
    gate = InFlightGate(1)
    assert gate.try_take()
    got: list[str] = []

    async def wait(name: str, scope: anyio.CancelScope) -> None:
        with scope:
            await gate.take(REQUEST, None)
            got.append(name)

    doomed = anyio.CancelScope()
    async with anyio.create_task_group() as tg:
        tg.start_soon(wait, "cancelled", doomed)
        await wait_queued(gate, 1)
        tg.start_soon(wait, "second", anyio.CancelScope())
        await wait_queued(gate, 2)
        doomed.cancel()
        await anyio.wait_all_tasks_blocked()
        gate.give_back()
    assert got == ["second"]
    assert gate.free == 0
    gate.give_back()
    assert gate.free == 1


async def test_a_waiter_cancelled_after_the_hand_over_loses_no_slot() -> None:
    gate = InFlightGate(1)
    assert gate.try_take()
    got: list[str] = []

    async def wait(name: str, scope: anyio.CancelScope) -> None:
        with scope:
            await gate.take(REQUEST, None)
            got.append(name)
            gate.give_back()

    first = anyio.CancelScope()
    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(wait, "first", first)
            await wait_queued(gate, 1)
            tg.start_soon(wait, "second", anyio.CancelScope())
            await wait_queued(gate, 2)
            gate.give_back()  # granted to "first", which has not run yet ...
            first.cancel()  # ... and is cancelled before it does
    # A cancel scope lets a delivered grant win (on both backends): "first" uses the slot and
    # gives it back, then "second" runs. No slot leaks.
    assert got == ["first", "second"]
    assert gate.free == 1


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_native_cancel_after_the_hand_over_passes_the_slot_on() -> None:
    # asyncio's own Task.cancel(), as asyncio.timeout() or wait_for() use it.
    gate = InFlightGate(1)
    assert gate.try_take()
    first = asyncio.ensure_future(gate.take(REQUEST, None))
    second = asyncio.ensure_future(gate.take(REQUEST, None))
    await wait_queued(gate, 2)
    gate.give_back()  # granted to "first", which has not run yet ...
    first.cancel()  # ... and is cancelled before it does
    with anyio.fail_after(5):
        await second  # the slot went on instead of leaking
    assert first.cancelled()
    assert gate.free == 0
    gate.give_back()
    assert gate.free == 1


async def test_thousands_of_timed_out_waiters_are_skipped_in_one_release() -> None:
    gate = InFlightGate(1)
    assert gate.try_take()
    timeouts = 0

    async def wait() -> None:
        nonlocal timeouts
        with pytest.raises(httpx.PoolTimeout):
            await gate.take(REQUEST, 0.01)
        timeouts += 1

    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            for _ in range(2000):
                tg.start_soon(wait)
    assert timeouts == 2000
    gate.give_back()
    assert gate.free == 1 and not gate._waiters


async def test_dead_waiters_are_swept_while_no_slot_is_released() -> None:
    # Long streams hold every slot: nothing releases, yet each timed-out request leaves a dead
    # waiter behind. The queue stays bounded.
    gate = InFlightGate(1)
    assert gate.try_take()
    with anyio.fail_after(10):
        for _ in range(10 * SWEEP_AT):
            with pytest.raises(httpx.PoolTimeout):
                await gate.take(REQUEST, 0)
            assert len(gate._waiters) <= 2 * SWEEP_AT + 1
    gate.give_back()
    assert gate.free == 1 and not gate._waiters
