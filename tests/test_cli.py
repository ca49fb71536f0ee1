"""The ``meetingbooster`` command line against the emulator over real HTTP."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from meetingbooster_async._cli import EXIT_CODES, main
from meetingbooster_async.testing import Emulator, EmulatorServer, serve

from .redis_server import free_port

USER, PASSWORD = "ann@example.com", "cli password"


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with serve(Emulator(users={USER: PASSWORD}, meetings_per_user=12)) as running:
        yield running


@pytest.fixture
def env(server: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    emulator = server.emulator
    emulator.restart()
    emulator.clear_lockouts()
    emulator.faults.clear()
    emulator.reset_stats()
    monkeypatch.setenv("MEETINGBOOSTER_URL", server.url)
    monkeypatch.setenv("MEETINGBOOSTER_USERNAME", USER)
    monkeypatch.setenv("MEETINGBOOSTER_PASSWORD", PASSWORD)
    return emulator


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_login_prints_who_and_lifetime_never_the_token(
    env: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "login")
    assert code == 0 and err == ""
    assert out == f"logged in as {USER} at {env_url(env)} (token valid for 1200 s)\n"
    assert env.stats().oauth_calls == {"password": 1, "signout": 1}


def env_url(env: Emulator) -> str:
    import os

    return os.environ["MEETINGBOOSTER_URL"]


def test_password_is_read_from_stdin_when_not_in_the_environment(
    env: Emulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MEETINGBOOSTER_PASSWORD")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, out, _ = run(capsys, "login")
    assert code == 0 and out.startswith("logged in as")


def test_the_password_is_never_a_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["login", "--password", PASSWORD])
    assert info.value.code == EXIT_CODES["usage"]


def test_wrong_password_exits_3_with_the_retry_time(
    env: Emulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEETINGBOOSTER_PASSWORD", "wrong")
    code, out, err = run(capsys, "login")
    assert code == EXIT_CODES["credentials"] == 3
    assert out == ""
    assert err == "meetingbooster: login refused (FAILEDLOGIN); retry allowed in 10 s\n"
    assert "wrong" not in err


def test_unreachable_server_exits_4(
    env: Emulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEETINGBOOSTER_URL", f"http://127.0.0.1:{free_port()}")
    code, _, err = run(capsys, "login")
    assert code == EXIT_CODES["network"] == 4
    assert err.startswith("meetingbooster: cannot reach the server") and err.count("\n") == 1


def test_server_failure_exits_5(env: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    env.faults.force("oauth", status=500, body="html", times=3)
    code, _, err = run(capsys, "login")
    assert code == EXIT_CODES["server"] == 5
    assert err.startswith("meetingbooster: the server failed") and err.count("\n") == 1


def test_permission_denied_exits_6(env: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    env.faults.force("list", status=403, times=1)
    code, _, err = run(capsys, "meetings", "list")
    assert code == EXIT_CODES["permission"] == 6
    assert err.startswith("meetingbooster: permission denied") and err.count("\n") == 1


def test_missing_url_is_a_usage_error(
    env: Emulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MEETINGBOOSTER_URL")
    code, _, err = run(capsys, "login")
    assert code == EXIT_CODES["usage"]
    assert "MEETINGBOOSTER_URL" in err


def test_meetings_sync_prints_changes_and_the_new_token(
    env: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "meetings", "sync")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "12 meeting changes (12 NEW)"
    token = lines[1].removeprefix("sync token: ")
    code, out, _ = run(capsys, "meetings", "sync", "--sync-token", token)
    assert code == 0 and out.splitlines()[0] == "0 meeting changes (no changes)"


def test_meetings_sync_json(env: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "meetings", "sync", "--json", "--properties", "Title,Start")
    assert code == 0
    body = json.loads(out)
    assert len(body["Meetings"]) == 12 and body["SyncToken"]


def test_meetings_list_follows_every_page_as_a_table(
    env: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "meetings", "list", "--page-size", "5")
    assert code == 0
    assert out.splitlines()[0].startswith("Start (UTC)")
    assert out.splitlines()[-1] == "12 meetings"
    assert len(out.splitlines()) == 14
    assert err == ""  # no progress bar when not on a terminal
    assert env.stats().requests["list"] == {200: 3}


def test_meetings_list_json(env: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "meetings", "list", "--json")
    assert code == 0
    meetings = json.loads(out)
    assert len(meetings) == 12 and all(m["Host"]["Email"] == USER for m in meetings)


def test_signout(env: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "signout")
    assert code == 0 and out == f"signed out {USER}\n"
    stats = env.stats()
    assert stats.oauth_calls == {"password": 1, "signout": 1}
    assert stats.sessions == 0


def test_demo_passes_and_reports(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo", "--requests", "200", "--token-lifetime", "1")
    assert code == 0, out
    assert "load          600 requests from 200 concurrent tasks" in out
    assert ": 0 failed" in out
    assert out.rstrip().endswith("result: PASS")
