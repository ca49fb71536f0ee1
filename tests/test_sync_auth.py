"""MeetingBoosterAuth on a plain httpx.Client shared by many threads: the same single flight.

A sync client cannot reach the emulator in process, so it runs on a real port here. Its token
endpoint is held until every other thread is queued behind the leader, then released.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
import httpx
import pytest

from meetingbooster_async import LoginFailedError, MeetingBoosterAuth
from meetingbooster_async.testing import Emulator, EmulatorServer, serve

from .emulated import LIST, PASSWORD, make_auth, make_emulator, reset

THREADS = 32


class CountingLock:
    """A threading.Lock that counts the threads queued on it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cond = threading.Condition()
        self.waiting = 0

    def __enter__(self) -> None:
        with self._cond:
            self.waiting += 1
            self._cond.notify_all()
        self._lock.acquire()
        with self._cond:
            self.waiting -= 1

    def __exit__(self, *exc: Any) -> None:
        self._lock.release()

    def wait_for(self, n: int) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: self.waiting >= n, timeout=10)


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with serve(make_emulator()) as running:
        yield running


@pytest.fixture
def emulator(server: EmulatorServer) -> Iterator[Emulator]:
    with reset(server.emulator) as emulator:
        yield emulator


def wait_held(emulator: Emulator) -> None:
    """Block until one /oauth call is held at the emulator (from this synchronous test)."""

    async def wait() -> None:
        with anyio.fail_after(10):  # a hang guard, not a speed limit
            await emulator.faults.wait_held(1, "oauth")

    anyio.run(wait)


def run_threads(
    auth: MeetingBoosterAuth, lock: CountingLock, server: EmulatorServer
) -> Counter[object]:
    """GET from THREADS threads through one client while /oauth is held; count the outcomes."""
    outcomes: Counter[object] = Counter()
    guard = threading.Lock()

    def one(_: int) -> None:
        try:
            status: object = client.get(LIST).status_code
        except LoginFailedError:
            status = "LoginFailedError"
        with guard:
            outcomes[status] += 1

    emulator = server.emulator
    emulator.faults.hold("oauth")
    with (
        httpx.Client(base_url=server.url, auth=auth) as client,
        ThreadPoolExecutor(THREADS) as pool,
    ):
        futures = [pool.submit(one, i) for i in range(THREADS)]
        wait_held(emulator)  # the leader is inside /oauth
        lock.wait_for(THREADS - 1)  # every other thread is queued behind the leader
        assert emulator.faults.held("oauth") == 1
        emulator.faults.release("oauth")
        for future in futures:
            future.result()
    return outcomes


def make_sync_auth(
    server: EmulatorServer, password: str = PASSWORD
) -> tuple[MeetingBoosterAuth, CountingLock]:
    auth = make_auth(password=password, base=server.url)
    lock = CountingLock()
    auth._tlock = lock  # type: ignore[assignment]
    return auth, lock


def test_threads_cold_start_makes_one_login(server: EmulatorServer, emulator: Emulator) -> None:
    auth, lock = make_sync_auth(server)
    assert run_threads(auth, lock, server) == {200: THREADS}
    auth.close()
    assert emulator.stats().oauth_calls == {"password": 1}


def test_threads_401_storm_makes_one_refresh(server: EmulatorServer, emulator: Emulator) -> None:
    auth, lock = make_sync_auth(server)
    with httpx.Client(base_url=server.url, auth=auth) as client:
        assert client.get(LIST).status_code == 200
    emulator.expire_access_tokens()  # hidden expiry: only a 401 tells
    assert run_threads(auth, lock, server) == {200: THREADS}
    auth.close()
    stats = emulator.stats()
    assert stats.oauth_calls == {"password": 1, "refresh_token": 1}
    assert stats.data_statuses[401] >= 1  # the hidden expiry was met (and recovered once)


def test_threads_failed_login_makes_one_call(server: EmulatorServer, emulator: Emulator) -> None:
    auth, lock = make_sync_auth(server, password="wrong")
    assert run_threads(auth, lock, server) == {"LoginFailedError": THREADS}
    auth.close()
    assert emulator.stats().oauth_calls == {"password": 1}


def test_sync_signout(server: EmulatorServer, emulator: Emulator) -> None:
    auth, _ = make_sync_auth(server)
    with httpx.Client(base_url=server.url, auth=auth) as client:
        client.get(LIST)
        auth.signout_sync()
        assert not auth.signed_in
    auth.close()
    stats = emulator.stats()
    assert stats.oauth_calls == {"password": 1, "signout": 1}
    assert stats.oauth_outcomes["signout"] == {"ok": 1} and stats.sessions == 0
