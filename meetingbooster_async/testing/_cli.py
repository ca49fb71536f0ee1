"""The command line: serve an emulator on a real port until Ctrl-C (or SIGTERM)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from ._emulator import Emulator
from ._server import serve
from ._settings import EmulatorSettings

__all__ = ["build_parser", "main"]


def _user(text: str) -> tuple[str, str]:
    email, colon, password = text.partition(":")
    if not colon or not email:
        msg = f"expected EMAIL:PASSWORD, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return email, password


def _on_off(text: str) -> bool:
    if text.lower() not in ("on", "off"):
        msg = f"expected on or off, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return text.lower() == "on"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m meetingbooster_async.testing``."""
    parser = argparse.ArgumentParser(
        prog="python -m meetingbooster_async.testing",
        description="Serve a MeetingBooster emulator until interrupted (Ctrl-C).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port; 0 picks a free one")
    parser.add_argument(
        "--user", type=_user, action="append", default=[], metavar="EMAIL:PASSWORD",
        help="a user to create (repeatable)",
    )  # fmt: skip
    parser.add_argument("--token-lifetime", type=float, default=1200.0, metavar="S")
    parser.add_argument("--meetings-per-user", type=int, default=0, metavar="K")
    parser.add_argument("--rotate-refresh-tokens", type=_on_off, default=True, metavar="on|off")
    parser.add_argument("--retry-in-seconds", type=int, default=10, metavar="S")
    parser.add_argument("--control-key", default=None, help="require X-Emulator-Key on /_emulator")
    parser.add_argument("--log-level", default="warning", help="uvicorn log level")
    return parser


def _stop_on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


#: How often the idle main thread wakes to run Python's signal handlers.
SIGNAL_POLL_INTERVAL = 0.2


def _wait_for_a_signal() -> None:
    """Block until Ctrl-C (KeyboardInterrupt) or SIGTERM.

    Not one untimed ``Event.wait()``: a SIGINT that another thread receives (the server's,
    say, by ``pthread_kill``) is only flagged for the main thread, and an untimed wait never
    wakes to look. A timed wait returns to Python every interval, and a pending signal's
    handler runs then. (A SIGINT ignored since the process started, as the shell does for a
    command started with ``&``, stays ignored: stop such a server with SIGTERM.)
    """
    idle = threading.Event()
    while not idle.wait(SIGNAL_POLL_INTERVAL):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 after Ctrl-C)."""
    args = build_parser().parse_args(argv)
    settings = EmulatorSettings(
        token_lifetime=args.token_lifetime,
        rotate_refresh_tokens=args.rotate_refresh_tokens,
        retry_in_seconds=args.retry_in_seconds,
        control_key=args.control_key,
    )
    emulator = Emulator(settings, users=args.user, meetings_per_user=args.meetings_per_user)
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        with serve(emulator, host=args.host, port=args.port, log_level=args.log_level) as server:
            try:
                print(f"MeetingBooster emulator listening on {server.url}", flush=True)
                _wait_for_a_signal()
            except KeyboardInterrupt:
                print("MeetingBooster emulator stopping", flush=True)
    except KeyboardInterrupt:
        pass  # interrupted while starting, or interrupted again while stopping
    except (RuntimeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0
