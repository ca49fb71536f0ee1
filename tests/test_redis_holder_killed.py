"""A Redis token-lock holder killed (SIGKILL) in the middle of its refresh.

Real processes, a real redis-server and the emulator over real HTTP, refresh-token rotation
on. The holder's refresh is held at the emulator (so it is surely on the wire, its refresh
token marked in use in Redis) when the holder is killed; three more workers meet the hidden
expiry around the kill. What it may cost: one ``/oauth`` call more than a live holder would
have needed (a login by whoever takes over), and never a second use of one refresh token.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from meetingbooster_async.testing import Emulator, EmulatorSettings, serve

from .redis_server import redis_server

USER, PASSWORD = "sync-job@example.com", "worker secret"
WORKER = Path(__file__).with_name("shared_token_worker.py")
WAITERS, PER_WAITER = 3, 20

pytestmark = pytest.mark.processes


@pytest.fixture
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


def start(server_url: str, redis_url: str, n: int) -> subprocess.Popen[str]:
    args = [sys.executable, str(WORKER), server_url, redis_url, USER, PASSWORD, str(n)]
    worker = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert json.loads(read_line(worker)) == {"ready": True}
    return worker


def go(worker: subprocess.Popen[str]) -> None:
    assert worker.stdin is not None
    worker.stdin.write("go\n")
    worker.stdin.flush()


def read_line(worker: subprocess.Popen[str]) -> str:
    assert worker.stdout is not None
    line = worker.stdout.readline()
    assert line, f"worker exited with {worker.poll()}"
    return line


def wait_until(condition: object, what: str, within: float = 20.0) -> None:
    """Wait (bounded) for a condition another thread makes true: the emulator's hold count."""
    deadline = time.monotonic() + within
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def test_a_killed_holder_costs_one_login_and_no_second_use_of_its_refresh_token(
    redis_url: str,
) -> None:
    emulator = Emulator(
        EmulatorSettings(rotate_refresh_tokens=True), users={USER: PASSWORD}, meetings_per_user=1
    )
    with serve(emulator) as server:
        holder = start(server.url, redis_url, 1)
        waiters = [start(server.url, redis_url, PER_WAITER) for _ in range(WAITERS)]
        try:
            for worker in (holder, *waiters):  # every worker logged in: one login in all
                go(worker)
                assert json.loads(read_line(worker)) == {"200": 1 if worker is holder else 20}
            assert emulator.stats().oauth_calls == {"password": 1}
            emulator.faults.hold("oauth", times=1)  # the holder's refresh: on the wire, unanswered
            emulator.expire_access_tokens()
            go(holder)
            wait_until(lambda: emulator.faults.held("oauth") == 1, "the holder's refresh")
            for waiter in waiters:
                go(waiter)  # they meet the 401s, then the lock the holder keeps renewing
            holder.kill()  # SIGKILL: no unlock, no write-back; its renewals stop
            holder.wait(10)
            emulator.faults.release("oauth")  # the dead holder's refresh reaches the server
            totals: dict[str, int] = {}
            for waiter in waiters:
                for status, n in json.loads(read_line(waiter)).items():
                    totals[status] = totals.get(status, 0) + n
        finally:
            for worker in (holder, *waiters):
                if worker.stdin:
                    # The killed holder's pipe has no reader: closing it may find it broken.
                    with contextlib.suppress(BrokenPipeError):
                        worker.stdin.close()
            for worker in (holder, *waiters):
                worker.wait(30)
                if worker.stdout:
                    worker.stdout.close()
        stats = emulator.stats()
    assert totals == {"200": WAITERS * PER_WAITER}
    # The holder's refresh (it reached the server) and one login by the worker that took the
    # lock over and found that refresh token marked in use; nothing else.
    assert stats.oauth_calls == {"password": 2, "refresh_token": 1}
