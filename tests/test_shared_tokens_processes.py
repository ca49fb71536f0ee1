"""8 worker processes share one token through Redis: 1 login and 1 refresh per expiry, in all.

Real processes, a real redis-server and the emulator over real HTTP, with refresh-token
rotation on. Each expiry is a hidden one (the server drops every access token), so only 401s
reveal it, in every process at once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from meetingbooster_async.testing import Emulator, EmulatorSettings, serve

from .redis_server import redis_server

WORKERS, PER_WORKER, EXPIRIES = 8, 500, 3
USER, PASSWORD = "sync-job@example.com", "worker secret"
WORKER = Path(__file__).with_name("shared_token_worker.py")

pytestmark = pytest.mark.processes


@pytest.fixture
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


def test_workers_share_one_login_and_one_refresh_per_expiry(redis_url: str) -> None:
    emulator = Emulator(
        EmulatorSettings(rotate_refresh_tokens=True), users={USER: PASSWORD}, meetings_per_user=2
    )
    totals: Counter[str] = Counter()
    with serve(emulator) as server:
        args = [sys.executable, str(WORKER), server.url, redis_url, USER, PASSWORD, str(PER_WORKER)]
        workers = [
            subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            for _ in range(WORKERS)
        ]
        try:
            for worker in workers:
                assert json.loads(read_line(worker)) == {"ready": True}
            for phase in range(EXPIRIES + 1):
                if phase:
                    emulator.expire_access_tokens()
                for worker in workers:
                    assert worker.stdin is not None
                    worker.stdin.write("go\n")
                    worker.stdin.flush()
                for worker in workers:
                    totals.update(json.loads(read_line(worker)))
        finally:
            for worker in workers:
                if worker.stdin:
                    worker.stdin.close()
            for worker in workers:
                worker.wait(30)
                if worker.stdout:
                    worker.stdout.close()
        stats = emulator.stats()
    assert totals == {"200": WORKERS * PER_WORKER * (EXPIRIES + 1)}
    assert stats.oauth_calls == {"password": 1, "refresh_token": EXPIRIES}
    assert stats.oauth_outcomes["refresh_token"] == {"ok": EXPIRIES}  # never spent twice


def read_line(worker: subprocess.Popen[str]) -> str:
    assert worker.stdout is not None
    line = worker.stdout.readline()
    assert line, f"worker exited with {worker.poll()}"
    return line
