"""The command line's progress line: drawn on a terminal, silent when piped."""

from __future__ import annotations

import io

from meetingbooster_async._progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_draws_a_bar_on_a_terminal() -> None:
    stream = Terminal()
    with Progress("requests", 4, stream=stream) as progress:
        for _ in range(4):
            progress.advance()
    text = stream.getvalue()
    assert "\r[##############################] 4/4 requests" in text
    assert text.endswith("\n")


def test_counts_without_a_total() -> None:
    stream = Terminal()
    with Progress("meetings", stream=stream) as progress:
        progress.advance(3)
    assert "\r3 meetings" in stream.getvalue()


def test_silent_when_piped() -> None:
    stream = io.StringIO()
    with Progress("requests", 10, stream=stream) as progress:
        progress.advance(10)
    assert stream.getvalue() == ""
