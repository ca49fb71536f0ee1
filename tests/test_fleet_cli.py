"""``meetingbooster fleet run`` / ``fleet status``: a round from the shell, its report, its
exit codes, and one clear line for a bad file, URL or database (the emulator over HTTP)."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from meetingbooster_async._cli import EXIT_CODES, main
from meetingbooster_async._fleet_cli import parse_every, sqlite_path
from meetingbooster_async.testing import Emulator, EmulatorServer, serve

USERS = {"ann@example.com": "pw-a", "bob@example.com": "pw-b", "cid@example.com": "pw-c"}


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    emulator = Emulator(users=dict(USERS), meetings_per_user=2)
    emulator.add_task("ann@example.com", Title="send the minutes")
    with serve(emulator) as running:
        yield running


def users_file(tmp_path: Path, rows: dict[str, str], header: str = "username,password") -> Path:
    path = tmp_path / "users.csv"
    path.write_text(header + "\n" + "".join(f"{u},{p}\n" for u, p in rows.items()))
    return path


def run(*argv: str) -> int:
    return main(["fleet", *argv])


def test_a_round_from_the_shell_then_its_status(
    server: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "fleet.db"
    users = users_file(tmp_path, USERS)
    assert run("run", "--url", server.url, "--users", str(users), "--db", f"sqlite:///{db}") == 0
    out = capsys.readouterr().out
    assert "users: 3, ok: 3, failed: 0" in out and "6 meetings" in out and "1 tasks" in out
    with sqlite3.connect(db) as conn:
        count = conn.execute("SELECT count(*) FROM meetings").fetchone()[0]
    assert count == 6
    assert run("status", "--db", f"sqlite:///{db}") == 0
    status = capsys.readouterr().out
    assert all(user in status for user in USERS)


def test_some_users_failing_has_its_own_exit_code_and_names_them(
    server: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.emulator.clear_lockouts()
    users = users_file(tmp_path, {**USERS, "bob@example.com": "wrong"})
    code = run(
        "run", "--url", server.url, "--users", str(users), "--db", f"sqlite:///{tmp_path}/f.db"
    )
    assert code == EXIT_CODES["fleet-partial"] == 8
    out = capsys.readouterr().out
    assert "failed (login refused): bob@example.com" in out
    assert "wrong" not in out  # the password is never printed


def test_passwords_from_a_command(
    server: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "vault.py"
    script.write_text(
        "import sys\nprint({"
        + ", ".join(f"{u!r}: {p!r}" for u, p in USERS.items())
        + "}[sys.argv[1]])\n"
    )
    users = users_file(tmp_path, dict.fromkeys(USERS, ""), header="username,password")

    code = run(
        "run",
        "--url",
        server.url,
        "--users",
        str(users),
        "--db",
        f"sqlite:///{tmp_path}/f.db",
        "--password-command",
        f"{sys.executable} {script}",
        "--resources",
        "meetings",
    )
    assert code == 0, capsys.readouterr()


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        ("missing", "cannot read the users file"),
        ("no-column", "needs a 'username' column"),
        ("twice", "is listed twice"),
        ("bad-db", "not a database URL"),
        ("unwritable", "cannot write beside it"),
        ("bad-url", "https://"),
    ],
)
def test_a_bad_input_is_one_clear_line_and_an_exit_code(
    setup: str, words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    users = users_file(tmp_path, {"ann@example.com": "x"})
    db = f"sqlite:///{tmp_path}/f.db"
    url = "http://127.0.0.1:9"
    if setup == "missing":
        users = tmp_path / "nope.csv"
    elif setup == "no-column":
        users.write_text("email,password\nann@example.com,x\n")
    elif setup == "twice":
        users.write_text("username\nann@example.com\nANN@example.com\n")
    elif setup == "bad-db":
        db = "postgres://nowhere"
    elif setup == "unwritable":
        db = f"sqlite:///{tmp_path}/no/such/dir/f.db"
    elif setup == "bad-url":
        url = "mb.example.com"
    code = run("run", "--url", url, "--users", str(users), "--db", db)
    err = capsys.readouterr().err
    assert code == EXIT_CODES["usage"]
    assert err.count("\n") == 1 and words in err, err
    assert not (tmp_path / "f.db").exists() or setup != "bad-db"


def test_every_and_db_urls_parse() -> None:
    assert [parse_every(t) for t in ("90", "90s", "15m", "2h")] == [90, 90, 900, 7200]
    assert sqlite_path("sqlite:///fleet.db") == Path("fleet.db")
    assert sqlite_path("sqlite:////abs/f.db") == Path("/abs/f.db")


def test_a_second_run_on_one_database_is_refused_while_the_first_runs(
    server: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import fcntl

    db = tmp_path / "f.db"
    users = users_file(tmp_path, USERS)
    with (tmp_path / "f.db.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a running `fleet run` holds it
        code = run("run", "--url", server.url, "--users", str(users), "--db", f"sqlite:///{db}")
    assert code == EXIT_CODES["usage"]
    assert "another `fleet run` is using" in capsys.readouterr().err
    assert not db.exists()  # nothing half-written


def test_the_fleet_demo_kills_a_round_and_ends_with_the_mirror_equal_to_the_server(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "fleet", "--users", "30"]) == 0
    out = capsys.readouterr().out
    assert "killed (SIGKILL)" in out and "mirror == full Sync for 30 of 30 users" in out
