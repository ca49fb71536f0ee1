# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_gate.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""InFlightGate: at most N requests on the wire, waiting bounded like httpx2's pool.

The client takes a slot *after* a request has its token and *before* it stamps the newest
token on the request and httpx2 queues it for a pooled connection, so the queue forms where a
token cannot go stale (see ``docs/request-path.md``). Waiting is bounded by the request's
``timeout.pool``, as httpx2 bounds waiting for a pooled connection: when it passes,
``httpx2.PoolTimeout``.

Waiters queue first in, first out, and a slot given back goes straight to the oldest live
waiter. On asyncio a waiter is a bare future bounded by one ``loop.call_later`` timer: a third
of the CPU of a cancel scope around an ``anyio.Semaphore`` (10 against 31 µs per hand-over with
256 waiters on the benchmark machine). On trio it is an ``anyio.Event`` under
``anyio.move_on_after``. A waiter that timed out or was
cancelled stays in the queue, dead, until a release skips it (O(1) either way), or until a
sweep once most of the queue is dead (while long streams hold every slot, nothing releases).
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import AsyncIterator

import anyio
import httpx2
import sniffio

__all__ = ["InFlightGate"]


class _Waiter:
    """A waiter off asyncio (trio): granted or dead once, woken through its event."""

    __slots__ = ("dead", "event", "granted")

    def __init__(self) -> None:
        self.event = anyio.Event()
        self.granted = False
        self.dead = False


#: Dead waiters tolerated in the queue before a sweep (when they are also most of it).
SWEEP_AT = 64


def _alive(waiter: asyncio.Future[bool] | _Waiter) -> bool:
    return not waiter.done() if isinstance(waiter, asyncio.Future) else not waiter.dead


def _expire(future: asyncio.Future[bool]) -> None:
    if not future.done():
        future.set_result(False)  # timed out: no slot


class InFlightGate:
    """``size`` slots; a streamed response keeps its slot until its body is closed."""

    __slots__ = ("_dead", "_waiters", "free", "size")

    def __init__(self, size: int) -> None:
        self.size = size
        #: Slots nobody holds. Never above 0 while a live waiter queues (a release hands over).
        self.free = size
        self._waiters: deque[asyncio.Future[bool] | _Waiter] = deque()
        self._dead = 0  # dead waiters still queued

    def __repr__(self) -> str:
        return f"<InFlightGate {self.free}/{self.size} free>"

    def try_take(self) -> bool:
        """Take a slot if one is free, without waiting (and without a checkpoint).

        No checkpoint on the fast path: httpx2 yields to the loop soon enough, and a free
        slot means nobody is queued (a release hands the slot to a waiter directly).
        """
        if self.free > 0:
            self.free -= 1
            return True
        return False

    async def take(self, request: httpx2.Request, pool: float | None) -> None:
        """Wait for a slot, first in, first out; ``httpx2.PoolTimeout`` after ``pool`` seconds."""
        if sniffio.current_async_library() != "asyncio":  # trio (guest mode on asyncio too)
            await self._take_anyio(request, pool)
            return
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bool] = loop.create_future()
        self._waiters.append(future)
        timer = None if pool is None else loop.call_later(pool, _expire, future)
        try:
            granted = await future
        except BaseException:  # cancelled: a slot handed over meanwhile goes on to the next
            if future.done() and not future.cancelled() and future.result():
                self.give_back()
            else:
                future.cancel()  # dead, if not yet
                self._died()
            raise
        finally:
            if timer is not None:
                timer.cancel()
        if not granted:
            self._died()
            raise self.timed_out(request, pool)

    async def _take_anyio(self, request: httpx2.Request, pool: float | None) -> None:
        waiter = _Waiter()
        self._waiters.append(waiter)
        try:
            with anyio.move_on_after(math.inf if pool is None else pool):
                await waiter.event.wait()
        except BaseException:
            waiter.dead = True
            if waiter.granted:
                self.give_back()
            else:
                self._died()
            raise
        if not waiter.granted:  # a grant that raced the deadline still counts
            waiter.dead = True
            self._died()
            raise self.timed_out(request, pool)

    def _died(self) -> None:
        """Count a dead waiter; sweep the queue once most of it is dead.

        Releases skip dead waiters, but while every slot stays held (long streams) nothing is
        released, and each timed-out request would leave one behind: the sweep bounds them.
        """
        self._dead += 1
        if self._dead > SWEEP_AT and 2 * self._dead > len(self._waiters):
            self._waiters = deque(w for w in self._waiters if _alive(w))
            self._dead = 0

    def timed_out(self, request: httpx2.Request, pool: float | None) -> httpx2.PoolTimeout:
        """The error for a request that waited ``pool`` seconds for a slot in vain."""
        return httpx2.PoolTimeout(
            f"no in-flight slot within the {pool:g}s pool timeout (max_in_flight={self.size})",
            request=request,
        )

    def give_back(self) -> None:
        """Release a slot: to the oldest live waiter if any, else to the free count."""
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if isinstance(waiter, asyncio.Future):
                if not waiter.done():
                    waiter.set_result(True)
                    return
            elif not waiter.dead:
                waiter.granted = True
                waiter.event.set()
                return
            self._dead = max(0, self._dead - 1)
        self.free += 1

    def hold_until_closed(self, response: httpx2.Response) -> None:
        """Give the slot back when ``response``'s streamed body is closed, not before."""
        assert isinstance(response.stream, httpx2.AsyncByteStream)
        response.stream = _SlotReleasingStream(response.stream, self)


class _SlotReleasingStream(httpx2.AsyncByteStream):
    """A streamed response body that gives its in-flight slot back when closed."""

    def __init__(self, stream: httpx2.AsyncByteStream, gate: InFlightGate) -> None:
        self._stream = stream
        self._gate: InFlightGate | None = gate

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if self._gate is not None:
                self._gate.give_back()
                self._gate = None
