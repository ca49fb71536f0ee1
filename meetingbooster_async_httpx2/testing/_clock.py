# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/testing/_clock.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""The emulator's clock: a monotonic clock that tests can move forward without sleeping."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

__all__ = ["EmulatorClock", "format_datetime"]


def format_datetime(moment: datetime) -> str:
    """``moment`` in the wire form of the API: UTC, second precision, a ``Z`` suffix."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class EmulatorClock:
    """Monotonic time (token expiry, lockouts) and wall time (``ModifiedTime``), both shiftable.

    Args:
        monotonic: The underlying monotonic clock; ``time.monotonic`` by default.
        wall: The underlying wall clock; ``datetime.now(UTC)`` by default.
    """

    def __init__(
        self,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] | None = None,
    ) -> None:
        self._monotonic = monotonic
        self._wall = wall or (lambda: datetime.now(UTC))
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Monotonic seconds, including every :meth:`advance`."""
        return self._monotonic() + self._offset

    def wall(self) -> datetime:
        """The current UTC time, including every :meth:`advance`."""
        return self._wall() + timedelta(seconds=self._offset)

    def wall_text(self) -> str:
        """:meth:`wall` in the API's wire form."""
        return format_datetime(self.wall())

    def advance(self, seconds: float) -> None:
        """Move both clocks forward by ``seconds`` (which must not be negative)."""
        if seconds < 0:
            msg = "the clock only moves forward"
            raise ValueError(msg)
        with self._lock:
            self._offset += seconds
