"""The ``meetingbooster`` command line against the emulator over real HTTP."""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Iterator

import pytest

from meetingbooster_async import __version__
from meetingbooster_async._cli import EXIT_CODES, build_parser, main
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
    assert err == (
        "meetingbooster: login refused (FAILEDLOGIN): Authorization has been denied for this "
        "request; retry allowed in 10 s\n"
    )
    assert "wrong" not in err


def test_a_locked_account_says_locked_not_wrong_password(
    env: Emulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEETINGBOOSTER_PASSWORD", "wrong")
    for _ in range(env.settings.failed_login_threshold):
        assert run(capsys, "login")[0] == EXIT_CODES["credentials"]
    monkeypatch.setenv("MEETINGBOOSTER_PASSWORD", PASSWORD)  # even the right one, now
    code, _, err = run(capsys, "login")
    assert code == EXIT_CODES["credentials"]
    assert err == (
        "meetingbooster: login refused: the account is locked after too many failed logins; "
        "retry allowed in 10 s\n"
    )


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
    env: Emulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve(Emulator(users={USER: PASSWORD}, meetings_per_user=4)) as own:  # we change it
        monkeypatch.setenv("MEETINGBOOSTER_URL", own.url)
        emulator = own.emulator
        code, out, _ = run(capsys, "meetings", "sync")
        assert code == 0
        lines = out.splitlines()
        assert lines[0] == "4 meeting changes (4 NEW)"
        first, second = emulator.meetings(USER)[:2]
        start = first["Start"][:16].replace("T", " ")
        assert lines[1] == f"  NEW       {start}  {first['Id']}  {first['Title']}"
        assert len(lines) == 6 and all(line.startswith("  NEW ") for line in lines[1:5])
        token = lines[-1].removeprefix("sync token: ")
        emulator.update_meeting(first["Id"], Title="Renamed")
        emulator.delete_meeting(second["Id"])
        code, out, _ = run(capsys, "meetings", "sync", "--sync-token", token)
        lines = out.splitlines()
        assert code == 0 and lines[0] == "2 meeting changes (1 DELETED, 1 MODIFIED)"
        assert sorted(line.split()[0] for line in lines[1:3]) == ["DELETED", "MODIFIED"]
        assert any(line.endswith(f"{first['Id']}  Renamed") for line in lines[1:3])
        assert any(second["Id"] in line for line in lines[1:3])
        token = lines[-1].removeprefix("sync token: ")
        code, out, _ = run(capsys, "meetings", "sync", "--sync-token", token)
        assert code == 0 and out.splitlines()[0] == "0 meeting changes (no changes)"


def test_a_bad_sync_token_shows_the_servers_words(
    env: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "meetings", "sync", "--sync-token", "garbage")
    assert code == EXIT_CODES["error"] and out == ""
    assert err.count("\n") == 1
    assert "The sync token is not valid (INVALIDSYNCTOKEN)" in err
    assert "leave out --sync-token for a full sync" in err
    assert "garbage" not in err


def test_unknown_properties_are_a_usage_error(
    env: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "meetings", "sync", "--properties", "Title,Colour")
    assert code == EXIT_CODES["usage"] and "'Colour'" in err
    assert env.stats().requests.get("sync") is None


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
    # The emulator shares the demo's event loop, so a request's time from stamp to server grows
    # with the tasks in flight and the machine's load. With 1 s tokens and 200 tasks, a loaded
    # 2-core CI box took longer than a token's life (CI saw 401s); 100 tasks and 2 s tokens keep
    # it well inside, with three busy processes competing for the cores.
    code, out, _ = run(capsys, "demo", "--requests", "100", "--token-lifetime", "2")
    assert code == 0, out
    assert "load          300 requests from 100 concurrent tasks" in out
    assert ": 0 failed" in out
    assert out.rstrip().endswith("result: PASS")


# --- usage errors: one line, exit 2 ----------------------------------------------------------


def usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    assert info.value.code == EXIT_CODES["usage"] == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-1", "abc", "nan", "inf"])
def test_a_token_lifetime_must_be_positive_seconds(
    capsys: pytest.CaptureFixture[str], value: str
) -> None:
    err = usage_error(capsys, "demo", "--token-lifetime", value)
    assert "--token-lifetime" in err and "Traceback" not in err


@pytest.mark.parametrize(("flag", "command"), [("--requests", "demo"), ("--page-size", "list")])
def test_counts_must_be_at_least_one(
    capsys: pytest.CaptureFixture[str], flag: str, command: str
) -> None:
    argv = ["meetings", command] if command == "list" else [command]
    assert "must be at least 1" in usage_error(capsys, *argv, flag, "0")


@pytest.mark.parametrize("url", ["mb.example.com", "ftp://mb.example.com", "https://"])
def test_a_url_without_http_s_is_a_usage_error(
    env: Emulator, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    code, _, err = run(capsys, "login", "--url", url)
    assert code == EXIT_CODES["usage"]
    assert err.startswith("meetingbooster: the URL needs https://") and err.count("\n") == 1


def test_plain_http_to_another_host_names_the_cli_flag(
    env: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "login", "--url", "http://mb.example.com")
    assert code == EXIT_CODES["usage"]
    assert "--allow-insecure-http" in err and "allow_insecure_http" not in err


def test_an_oauth_404_hints_at_the_url(env: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "login", "--url", env_url(env) + "/wrong/prefix")
    assert code == EXIT_CODES["usage"]
    assert "/wrong/prefix/oauth (HTTP 404): check --url" in err and "token_url" in err
    assert err.count("\n") == 1


def test_the_demo_without_its_extra_names_the_install_command(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as after a plain `pip install .`
    code, out, err = run(capsys, "demo", "--requests", "1")
    assert code == EXIT_CODES["usage"] and out == ""
    assert err == (
        "meetingbooster: the demo needs the [demo] extra: "
        "pip install 'meetingbooster-async[demo]'\n"
    )


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"meetingbooster-async {__version__}\n"


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                yield from _parsers(child)


def test_every_option_and_command_has_help() -> None:
    parsers = list(_parsers(build_parser()))
    # the root, login, meetings, its sync and list, signout, fleet, its run and status, demo
    assert len(parsers) == 10
    for parser in parsers:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                helps = {a.dest: a.help for a in action._choices_actions}
                assert all(helps.values()), (parser.prog, helps)
            else:
                assert action.help, (parser.prog, action.dest)
