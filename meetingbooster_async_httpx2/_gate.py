# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_gate.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""InFlightGate: at most N requests on the wire, waiting bounded like httpx2's pool.

The client takes a slot *after* a request has its token and *before* it stamps the newest
token on the request and httpx2 queues it for a pooled connection, so the queue forms where a
token cannot go stale (see ``docs/request-path.md``). Waiting is bounded by the request's
``timeout.pool``, as httpx2 bounds waiting for a pooled connection: when it passes,
``httpx2.PoolTimeout``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import httpx2

__all__ = ["InFlightGate"]


class InFlightGate:
    """``size`` slots; a streamed response keeps its slot until its body is closed."""

    __slots__ = ("size", "slots")

    def __init__(self, size: int) -> None:
        self.size = size
        self.slots = anyio.Semaphore(size)

    def __repr__(self) -> str:
        return f"<InFlightGate {self.slots.value}/{self.size} free>"

    def try_take(self) -> bool:
        """Take a slot if one is free, without waiting (and without a checkpoint).

        No checkpoint on the fast path: httpx2 yields to the loop soon enough, and a free
        slot means nobody is queued (a release hands the slot to a waiter directly).
        """
        try:
            self.slots.acquire_nowait()
        except anyio.WouldBlock:
            return False
        return True

    def timed_out(self, request: httpx2.Request, pool: float | None) -> httpx2.PoolTimeout:
        """The error for a request that waited ``pool`` seconds for a slot in vain."""
        return httpx2.PoolTimeout(
            f"no in-flight slot within the {pool:g}s pool timeout (max_in_flight={self.size})",
            request=request,
        )

    def give_back(self) -> None:
        """Release a slot (taken with :meth:`try_take` or by waiting on :attr:`slots`)."""
        self.slots.release()

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
