"""``python -m meetingbooster_async.testing``: a real process, stopped with SIGINT."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import traceback

import httpx
import pytest

from meetingbooster_async.testing._cli import _wait_for_a_signal, build_parser, main

from .helpers import password_form, refresh_form

URL = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")


def _default_sigint() -> None:
    """In the child, before exec: SIGINT and SIGTERM neither ignored nor blocked.

    Both are inherited through exec: a shell starts a "&" command with SIGINT ignored, and a
    signal mask blocked in the test process would hold them pending. CI once saw the emulator
    take no notice of a SIGINT for 20 s.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


def test_cli_serves_until_sigint_and_exits_cleanly() -> None:
    command = [
        sys.executable, "-W", "error", "-m", "meetingbooster_async.testing",
        "--port", "0", "--host", "127.0.0.1",
        "--user", "ann@example.com:pa:ss", "--user", "bob@example.com:pw",
        "--token-lifetime", "30", "--meetings-per-user", "2",
        "--rotate-refresh-tokens", "off", "--retry-in-seconds", "5",
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,  # the signals as a terminal sends them
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        match = URL.search(first_line)
        assert match, first_line
        with httpx.Client(base_url=match.group(1)) as client:
            tokens = client.post("/oauth", data=password_form("ann@example.com", "pa:ss")).json()
            assert tokens["expires_in"] == "30"
            again = client.post("/oauth", data=refresh_form(tokens["refresh_token"])).json()
            assert again["refresh_token"] == tokens["refresh_token"]  # rotation off
            meetings = client.get(
                "/api/v1/mymeetings/list",
                headers={"Authorization": f"Bearer {tokens['access_token']}"},
            ).json()
            assert len(meetings) == 2
            failed = client.post("/oauth", data=password_form("bob@example.com", "wrong")).json()
            assert failed["retry_in_seconds"] == 5
            stats = client.get("/_emulator/stats").json()
            assert stats["oauth_calls"] == {"password": 2, "refresh_token": 1}

        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "stopping" in out
    assert "Traceback" not in err


def test_cli_stops_on_sigterm_too() -> None:
    command = [sys.executable, "-m", "meetingbooster_async.testing", "--port", "0"]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,  # the signals as a terminal sends them
    )
    try:
        assert process.stdout is not None
        assert URL.search(process.stdout.readline())
        process.terminate()
        _, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err


@pytest.mark.parametrize(
    "argv",
    [["--user", "no-colon"], ["--user", ":pw"], ["--rotate-refresh-tokens", "maybe"]],
)
def test_cli_refuses_bad_arguments(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(argv)
    assert exit_info.value.code == 2
    assert "expected" in capsys.readouterr().err


def test_cli_defaults() -> None:
    args = build_parser().parse_args([])
    assert (args.host, args.port, args.user) == ("127.0.0.1", 8000, [])
    assert (args.token_lifetime, args.rotate_refresh_tokens, args.retry_in_seconds) == (
        1200.0,
        True,
        10,
    )


def test_cli_reports_a_missing_uvicorn(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    assert main(["--port", "0"]) == 1
    assert "meetingbooster-async[emulator]" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="POSIX threads only")
def test_a_sigint_handled_on_another_thread_still_stops_the_idle_main_thread() -> None:
    # The kernel may deliver a process's SIGINT to the server thread; Python only flags it for
    # the main thread, which must wake to look. A watchdog SIGINTs the main thread itself after
    # 10 s: an untimed wait would only end then.
    watchdog_fired = threading.Event()
    done = threading.Event()

    def send_to_this_thread(main: int) -> None:
        # Only once the main thread waits inside _wait_for_a_signal (not while it starts us).
        while not any(
            frame.f_code is _wait_for_a_signal.__code__
            for frame, _ in traceback.walk_stack(sys._current_frames()[main])
        ):
            if done.wait(0.001):
                return
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)

    def watchdog(main: int) -> None:
        if not done.wait(10):
            watchdog_fired.set()
            signal.pthread_kill(main, signal.SIGINT)

    # Python's own SIGINT handler, whatever the runner installed (xdist workers ignore SIGINT).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    guard = threading.Thread(target=watchdog, args=(threading.get_ident(),))
    guard.start()
    try:
        threading.Thread(target=send_to_this_thread, args=(threading.get_ident(),)).start()
        with pytest.raises(KeyboardInterrupt):
            _wait_for_a_signal()
    finally:
        done.set()
        guard.join()
        signal.signal(signal.SIGINT, previous)
    assert not watchdog_fired.is_set()
