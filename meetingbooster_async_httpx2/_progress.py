# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_progress.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""A dependency-free progress line for the command line: drawn on a terminal, silent when piped."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """``[#####.....] 512/1000 requests`` on stderr, redrawn at most 10 times a second.

    Quiet (draws nothing) when the stream is not a terminal, so piped output stays clean.
    """

    def __init__(
        self, label: str, total: int | None = None, *, stream: TextIO | None = None
    ) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self.enabled = self._stream.isatty()
        self._label = label
        self._total = total
        self._done = 0
        self._drawn_at = 0.0

    def advance(self, n: int = 1) -> None:
        self._done += n
        now = time.monotonic()
        if self.enabled and (now - self._drawn_at >= 0.1 or self._done == self._total):
            self._drawn_at = now
            self._draw()

    def close(self) -> None:
        if self.enabled:
            self._draw()
            self._stream.write("\n")
            self._stream.flush()

    def _draw(self) -> None:
        if self._total:
            filled = int(30 * min(self._done, self._total) / self._total)
            bar = f"[{'#' * filled}{'.' * (30 - filled)}] {self._done}/{self._total}"
        else:
            bar = f"{self._done}"
        self._stream.write(f"\r{bar} {self._label}")
        self._stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
