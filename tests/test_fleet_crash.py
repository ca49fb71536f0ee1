"""A fleet runner killed (SIGKILL) at each crash point leaves the next round a consistent state.

The runner is a real process (tests/fleet_child.py) talking to the emulator over HTTP. Its
``on_event`` hook stops it exactly at the named step (it blocks the loop and says so on its
stdout), and the test kills it there: after Sync (nothing committed), and after SyncCommit
(the checkpoint not yet written). Then the server changes meetings and tasks, the runner runs
again to its end, and for every user the mirror must equal a fresh full Sync.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from meetingbooster_async.testing import Emulator, EmulatorServer, serve

from .fleet_child import ADDED_TITLE

USERS = {f"crash{n}@example.com": f"pw-{n}" for n in range(4)}
ROOT = Path(__file__).resolve().parent.parent
#: The runner's module, in this suite's package (the httpx2 twin's suite has its own).
CHILD = f"{__package__}.fleet_child"

pytestmark = pytest.mark.processes


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    emulator = Emulator(users=dict(USERS), meetings_per_user=2)
    for user in USERS:
        emulator.add_task(user, Title=f"a task of {user}")
    with serve(emulator) as running:
        yield running


def child(server: EmulatorServer, db: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", CHILD, server.url, str(db), json.dumps(USERS), *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
    )


def kill_at(server: EmulatorServer, db: Path, step: str, *extra: str) -> None:
    process = child(server, db, "--stop-at", step, *extra)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # blocks until the child is parked at the step
        assert line.strip() == f"AT {step.replace(':', ' ')}", (line, process.stderr)
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()  # reaps it and closes its pipes


def run_to_the_end(server: EmulatorServer, db: Path, *extra: str) -> dict[str, object]:
    process = child(server, db, *extra)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, (out, err)
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return result


def mirror(db: Path, table: str, user: str) -> dict[str, dict[str, object]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(f"SELECT id, data FROM {table} WHERE username = ?", (user,))
        return {key: json.loads(data) for key, data in rows}


def assert_mirror_is_a_full_sync(emulator: Emulator, db: Path) -> None:
    for user in USERS:
        meetings = {m["Id"].lower(): m["Title"] for m in emulator.meetings(user)}
        tasks = {t["Id"].lower(): t["Title"] for t in emulator.tasks(user)}
        assert {k: v["Title"] for k, v in mirror(db, "meetings", user).items()} == meetings
        assert {k: v["Title"] for k, v in mirror(db, "tasks", user).items()} == tasks


def change_the_server(emulator: Emulator) -> None:
    first, second = list(USERS)[:2]
    emulator.update_meeting(emulator.meetings(first)[0]["Id"], Title="changed while down")
    emulator.delete_meeting(emulator.meetings(second)[0]["Id"])
    emulator.add_meeting(second, Title="added while down", Start="2031-02-03T10:00:00Z")
    emulator.update_task(first, emulator.tasks(first)[0]["Id"], Title="task changed while down")
    emulator.delete_task(second, emulator.tasks(second)[0]["Id"])
    emulator.add_task(second, Title="task added while down")


@pytest.mark.parametrize(
    "step",
    ["synced:crash1@example.com", "committed:crash1@example.com", "committed:crash2@example.com"],
    ids=["between-sync-and-commit", "between-commit-and-checkpoint", "later-user"],
)
def test_a_kill_at_each_crash_point_leaves_a_consistent_next_round(
    step: str, server: EmulatorServer, tmp_path: Path
) -> None:
    db = tmp_path / "fleet.db"
    run_to_the_end(server, db)  # a first full round: every user has a checkpoint
    change_the_server(server.emulator)
    kill_at(server, db, step)
    change_the_server(server.emulator)  # and more changes before the next run
    result = run_to_the_end(server, db)
    assert result == {"ok": len(USERS), "failed": {}}
    assert_mirror_is_a_full_sync(server.emulator, db)


def test_a_kill_after_the_commit_of_an_added_meeting_leaves_it_there_once(
    server: EmulatorServer, tmp_path: Path
) -> None:
    db = tmp_path / "fleet.db"
    user = next(iter(USERS))
    kill_at(server, db, f"committed:{user}", "--add-meeting", user)
    assert [m["Title"] for m in server.emulator.meetings(user)].count(ADDED_TITLE) == 1
    run_to_the_end(server, db, "--add-meeting", user)  # the same round again: same ids
    assert [m["Title"] for m in server.emulator.meetings(user)].count(ADDED_TITLE) == 1
