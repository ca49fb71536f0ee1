# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/testing/_signals.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""Wake tasks waiting for emulator state, whatever thread or event loop they run in.

The emulator's state is shared between a test (one event loop, or none) and a server thread
(uvicorn's loop). An ``anyio.Event`` must be set from its own loop, so each waiter registers a
*waker* that schedules ``event.set`` on that loop thread-safely.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

import anyio
import sniffio

__all__ = ["Notifier", "threadsafe_waker"]

Waker = Callable[[], None]


def threadsafe_waker(event: anyio.Event) -> Waker:
    """A callable, safe from any thread, that sets ``event`` on the loop that created it."""
    if sniffio.current_async_library() == "trio":
        import trio  # imported here: only present (and only needed) under trio

        token = trio.lowlevel.current_trio_token()

        def wake_trio() -> None:
            # If the waiter's loop is gone, nobody is left to wake.
            with contextlib.suppress(trio.RunFinishedError):
                token.run_sync_soon(event.set)

        return wake_trio

    import asyncio  # imported here: a plain test run need not load asyncio for this plugin

    loop = asyncio.get_running_loop()

    def wake_asyncio() -> None:
        # If the waiter's loop is closed, nobody is left to wake.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(event.set)

    return wake_asyncio


class Notifier:
    """Lets tasks wait until a predicate over shared state holds; :meth:`notify` re-checks."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wakers: set[Waker] = set()

    async def wait_for(self, predicate: Callable[[], bool]) -> None:
        """Return once ``predicate()`` is true; it is re-checked after every :meth:`notify`."""
        while True:
            event = anyio.Event()
            waker = threadsafe_waker(event)
            with self._lock:
                # Registering before checking means a change made right after the check still
                # wakes us: no lost wake-ups.
                self._wakers.add(waker)
            try:
                if predicate():
                    return
                await event.wait()
            finally:
                with self._lock:
                    self._wakers.discard(waker)

    def notify(self) -> None:
        """Wake every waiter so it re-checks its predicate (call after changing state)."""
        with self._lock:
            wakers = list(self._wakers)
        for wake in wakers:
            wake()
