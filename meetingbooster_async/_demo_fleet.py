"""``meetingbooster demo fleet``: a company's sync on the embedded emulator, killed and resumed.

The emulator serves N users (1,000 by default) with meetings and tasks over real HTTP on
127.0.0.1; a SQLite mirror lives in a temporary folder. Then: a first round of ``meetingbooster
fleet run`` (a process of its own), changes made on the server, a second round killed (SIGKILL)
in the middle, more changes, a third round run to its end; and a closing check that, for every
user, the mirror equals what a full Sync returns. Exit 0 only if it does.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread

__all__ = ["run_fleet_demo"]

PASSWORD = "demo password {n}"


def _line(step: str, text: str) -> None:
    print(f"  {step:<13} {text}", flush=True)


def _round(url: str, users: Path, db: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 (our own command line, with our own arguments)
        [
            sys.executable,
            "-m",
            "meetingbooster_async",
            "fleet",
            "run",
            "--url",
            url,
            "--users",
            str(users),
            "--db",
            f"sqlite:///{db}",
            "--concurrency",
            "32",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    try:
        out, _err = process.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        process.kill()  # never left running behind the demo
        process.communicate()
        return -1, "the round took over 10 minutes"
    return process.returncode, out


def _checkpointed(db: Path) -> int:
    """How many (user, resource) checkpoints have advanced at least twice."""
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            row = conn.execute("SELECT count(*) FROM checkpoints WHERE version >= 2").fetchone()
    except sqlite3.Error:
        return 0
    return int(row[0])


def _kill_mid_round(url: str, users: Path, db: Path, total: int) -> int:
    """Start a round, SIGKILL it once about a third of it is durable; what was durable."""
    process = _round(url, users, db)
    try:
        deadline = time.monotonic() + 300
        while _checkpointed(db) < total // 3 and process.poll() is None:
            if time.monotonic() > deadline:
                break
            time.sleep(0.02)  # a demo watching a database, not a test waiting for luck
        done = _checkpointed(db)
        process.send_signal(signal.SIGKILL)
    finally:
        process.communicate()
    return done


def _changes(emulator: Any, names: list[str], tag: str) -> int:
    """Change the server between rounds: for every 10th user, each kind of change once."""
    made = 0
    for name in names[::10]:
        meetings = emulator.meetings(name)
        tasks = emulator.tasks(name)
        if meetings:
            emulator.update_meeting(meetings[0]["Id"], Title=f"changed {tag}")
        if len(meetings) > 1:
            emulator.delete_meeting(meetings[1]["Id"])
        emulator.add_meeting(name, Title=f"added {tag}", Start="2031-01-01T09:00:00Z")
        if tasks:
            emulator.update_task(name, tasks[0]["Id"], Title=f"task changed {tag}")
        emulator.add_task(name, Title=f"task added {tag}")
        made += 5
    return made


def _mirror_matches(emulator: Any, db: Path, names: list[str]) -> int:
    """How many users' mirror rows equal a full Sync of them (meetings and tasks)."""
    with sqlite3.connect(db) as conn:
        rows: dict[tuple[str, str], dict[str, str]] = {}
        for table in ("meetings", "tasks"):
            for user, key, data in conn.execute(f"SELECT username, id, data FROM {table}"):  # noqa: S608
                rows.setdefault((table, user), {})[key] = json.loads(data).get("Title")
    good = 0
    for name in names:
        meetings = {m["Id"].lower(): m["Title"] for m in emulator.meetings(name)}
        tasks = {t["Id"].lower(): t["Title"] for t in emulator.tasks(name)}
        good += (
            rows.get(("meetings", name), {}) == meetings and rows.get(("tasks", name), {}) == tasks
        )
    return good


async def run_fleet_demo(*, users: int = 1000) -> bool:
    """Run the fleet demo and print its report; True if the mirror ends equal to the server."""
    from .testing import Emulator, aserve

    names = [f"user{n:05d}@example.com" for n in range(users)]
    emulator = Emulator(meetings_per_user=0)
    for n, name in enumerate(names):
        emulator.add_user(name, PASSWORD.format(n=n), meetings=2)
        emulator.add_task(name, Title=f"first task of user {n}")
    with tempfile.TemporaryDirectory(prefix="meetingbooster-fleet-") as folder:
        db, users_csv = Path(folder, "fleet.db"), Path(folder, "users.csv")
        csv_text = "username,password\n" + "".join(
            f"{name},{PASSWORD.format(n=n)}\n" for n, name in enumerate(names)
        )
        await anyio.to_thread.run_sync(users_csv.write_text, csv_text)
        async with aserve(emulator) as server:
            print(f"meetingbooster demo fleet: {users} users on {server.url}, mirror in {db}")
            code, out = await anyio.to_thread.run_sync(_finish, _round(server.url, users_csv, db))
            _line("round 1", out.strip().splitlines()[0] if out.strip() else f"exit {code}")
            if code != 0:
                return False
            made = _changes(emulator, names, "before round 2")
            _line("changes", f"{made} made on the server")
            done = await anyio.to_thread.run_sync(
                _kill_mid_round, server.url, users_csv, db, users * 2
            )
            _line("round 2", f"killed (SIGKILL) with {done} of {users * 2} user rounds durable")
            made = _changes(emulator, names, "before round 3")
            _line("changes", f"{made} more made on the server")
            code, out = await anyio.to_thread.run_sync(_finish, _round(server.url, users_csv, db))
            _line("round 3", out.strip().splitlines()[0] if out.strip() else f"exit {code}")
            good = _mirror_matches(emulator, db, names)
    ok = code == 0 and good == users
    _line("check", f"mirror == full Sync for {good} of {users} users")
    print("PASS" if ok else "FAIL")
    return ok
