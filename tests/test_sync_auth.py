"""MeetingBoosterAuth on a plain httpx.Client shared by many threads: the same single flight."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from meetingbooster_async import LoginFailedError, MeetingBoosterAuth

from .fakes import BASE

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


class SyncFake:
    def __init__(self) -> None:
        self.grants: Counter[str] = Counter()
        self.entered = threading.Event()
        self.release = threading.Event()
        self.valid = {"acc-1"}
        self.password_ok = True

    def oauth(self, request: httpx.Request) -> httpx.Response:
        grant = parse_qs(request.content.decode())["grant_type"][0]
        self.grants[grant] += 1
        self.entered.set()
        assert self.release.wait(10)
        if not self.password_ok:
            return httpx.Response(
                400,
                json={
                    "error": "unauthorized_client",
                    "error_state": "FAILEDLOGIN",
                    "retry_in_seconds": 10,
                },
            )
        n = sum(self.grants.values())
        self.valid = {f"acc-{n}"}
        return httpx.Response(
            200, json={"access_token": f"acc-{n}", "refresh_token": f"r{n}", "expires_in": "1200"}
        )

    def api(self, request: httpx.Request) -> httpx.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return httpx.Response(200 if token in self.valid else 401)


@pytest.fixture
def fake() -> Iterator[SyncFake]:
    server = SyncFake()
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        router.post("/oauth").mock(side_effect=server.oauth)
        router.route(path__startswith="/api/").mock(side_effect=server.api)
        yield server


def run_threads(auth: MeetingBoosterAuth, lock: CountingLock, fake: SyncFake) -> Counter[object]:
    outcomes: Counter[object] = Counter()
    guard = threading.Lock()

    def one(_: int) -> None:
        try:
            status: object = client.get("/api/v1/x").status_code
        except LoginFailedError:
            status = "LoginFailedError"
        with guard:
            outcomes[status] += 1

    with httpx.Client(base_url=BASE, auth=auth) as client, ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(one, i) for i in range(THREADS)]
        assert fake.entered.wait(10)
        lock.wait_for(THREADS - 1)  # every other thread is queued behind the leader
        fake.release.set()
        for future in futures:
            future.result()
    return outcomes


def make_auth() -> tuple[MeetingBoosterAuth, CountingLock]:
    auth = MeetingBoosterAuth(token_url=f"{BASE}/oauth", username="ann", password="pw")
    lock = CountingLock()
    auth._tlock = lock  # type: ignore[assignment]
    return auth, lock


def test_threads_cold_start_makes_one_login(fake: SyncFake) -> None:
    auth, lock = make_auth()
    assert run_threads(auth, lock, fake) == {200: THREADS}
    assert fake.grants == {"password": 1}


def test_threads_401_storm_makes_one_refresh(fake: SyncFake) -> None:
    auth, lock = make_auth()
    fake.release.set()
    with httpx.Client(base_url=BASE, auth=auth) as client:
        assert client.get("/api/v1/x").status_code == 200
    fake.valid = set()
    fake.entered.clear()
    fake.release.clear()
    assert run_threads(auth, lock, fake) == {200: THREADS}
    assert fake.grants == {"password": 1, "refresh_token": 1}


def test_threads_failed_login_makes_one_call(fake: SyncFake) -> None:
    auth, lock = make_auth()
    fake.password_ok = False
    assert run_threads(auth, lock, fake) == {"LoginFailedError": THREADS}
    assert fake.grants == {"password": 1}


def test_sync_signout(fake: SyncFake) -> None:
    auth, _ = make_auth()
    fake.release.set()
    with httpx.Client(base_url=BASE, auth=auth) as client:
        client.get("/api/v1/x")
        auth.signout_sync()
        assert not auth.signed_in
    auth.close()
    assert fake.grants == {"password": 1, "signout": 1}
