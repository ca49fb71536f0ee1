"""Scenario 2 and the retry Behaviour on data routes, over real HTTP.

A connection lost mid-answer is retried when the request is idempotent (the server counts the
extra attempt); a plain non-idempotent POST keeps httpx semantics (``httpx.TransportError``) and
the typed call raises :class:`APIConnectionError`. ``Retry-After`` as an HTTP date is honoured,
and every retry is logged at DEBUG.
"""

from __future__ import annotations

import email.utils
import logging
import math
import re
import time
from datetime import UTC, datetime

import anyio
import httpx
import pytest

from meetingbooster_async import (
    APIConnectionError,
    APITimeoutError,
    Meeting,
    MeetingSynchronization,
    RetryPolicy,
    SyncMeeting,
    SyncState,
)
from meetingbooster_async.testing import DROP_MODES, EmulatorServer

from .helpers import LIST, SYNC_COMMIT, ReliabilityEmulator, client

pytestmark = [pytest.mark.anyio]

BOUND = 10.0
SAFE = {"meetingbooster_idempotent": True}
#: A SyncCommit that creates a meeting without an Id or ClientSyncId: not safe to repeat.
UNSAFE_COMMIT = MeetingSynchronization(
    meetings=(
        SyncMeeting(
            state=SyncState.NEW,
            meeting=Meeting(
                title="Planning",
                start=datetime(2024, 3, 4, 9, tzinfo=UTC),
                end=datetime(2024, 3, 4, 10, tzinfo=UTC),
            ),
        ),
    )
)
SAFE_COMMIT = MeetingSynchronization()  # no object without an id: repeating it is harmless


def _retry_records(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "meetingbooster_async"
        and r.levelno == logging.DEBUG
        and r.getMessage().startswith("retry ")
    ]


@pytest.mark.parametrize("mode", DROP_MODES)
async def test_a_lost_get_is_retried_and_counted(
    server: EmulatorServer,
    emulator: ReliabilityEmulator,
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    caplog.set_level(logging.DEBUG, logger="meetingbooster_async")
    async with client(server) as c:
        with anyio.fail_after(BOUND):
            await c.login()
            emulator.faults.drop("list", mode=mode)  # type: ignore[arg-type]
            response = await c.get(LIST)
            stats = emulator.stats()
    assert response.status_code == 200 and len(response.json()) == 3
    assert stats.requests["list"] == {0: 1, 200: 1}  # the lost attempt, then the retry
    assert stats.oauth_calls == {"password": 1}
    (record,) = _retry_records(caplog)
    assert record.startswith(f"retry 1/2 of GET {server.url}{LIST} in ")


@pytest.mark.parametrize("mode", DROP_MODES)
async def test_a_get_lost_every_time_raises_after_the_retries(
    server: EmulatorServer,
    emulator: ReliabilityEmulator,
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    caplog.set_level(logging.DEBUG, logger="meetingbooster_async")
    async with client(server) as c:
        with anyio.fail_after(BOUND):
            await c.login()
            emulator.faults.drop("list", mode=mode, times=3)  # type: ignore[arg-type]
            with pytest.raises(httpx.TransportError):  # plain httpx call: httpx's error
                await c.get(LIST)
            assert emulator.stats().requests["list"] == {0: 3}  # 1 + 2 retries, all lost
            emulator.faults.drop("list", mode=mode, times=3)  # type: ignore[arg-type]
            with pytest.raises(APIConnectionError):  # the typed call: the typed error
                await c.my_meetings.list_page(page_size=10)
            assert emulator.stats().requests["list"] == {0: 6}
            assert (await c.get(LIST)).status_code == 200  # the faults are spent
    assert len(_retry_records(caplog)) == 4


@pytest.mark.parametrize("mode", DROP_MODES)
async def test_a_lost_plain_post_is_not_retried(
    server: EmulatorServer, emulator: ReliabilityEmulator, mode: str
) -> None:
    async with client(server) as c:
        with anyio.fail_after(BOUND):
            await c.login()
            emulator.faults.drop("sync_commit", mode=mode)  # type: ignore[arg-type]
            with pytest.raises(httpx.TransportError) as info:
                await c.post(SYNC_COMMIT, json={})
            stats = emulator.stats()
    assert stats.requests["sync_commit"] == {0: 1}  # sent once: it may have been applied
    assert type(info.value).__module__.startswith("httpx")  # httpx semantics, untouched


@pytest.mark.parametrize("mode", DROP_MODES)
async def test_a_lost_post_marked_idempotent_is_retried(
    server: EmulatorServer, emulator: ReliabilityEmulator, mode: str
) -> None:
    async with client(server) as c:
        with anyio.fail_after(BOUND):
            await c.login()
            emulator.faults.drop("sync_commit", mode=mode)  # type: ignore[arg-type]
            response = await c.post(SYNC_COMMIT, json={}, extensions=SAFE)
            stats = emulator.stats()
    assert response.status_code == 200
    assert stats.requests["sync_commit"] == {0: 1, 200: 1}


@pytest.mark.parametrize("mode", DROP_MODES)
async def test_typed_sync_commit_retries_only_when_safe(
    server: EmulatorServer, emulator: ReliabilityEmulator, mode: str
) -> None:
    async with client(server) as c:
        with anyio.fail_after(BOUND):
            await c.login()
            emulator.faults.drop("sync_commit", mode=mode)  # type: ignore[arg-type]
            with pytest.raises(APIConnectionError):
                await c.my_meetings.sync_commit(UNSAFE_COMMIT)
            assert emulator.stats().requests["sync_commit"] == {0: 1}
            emulator.faults.drop("sync_commit", mode=mode)  # type: ignore[arg-type]
            answer = await c.my_meetings.sync_commit(SAFE_COMMIT)
            stats = emulator.stats()
    assert isinstance(answer, MeetingSynchronization)
    assert stats.requests["sync_commit"] == {0: 2, 200: 1}
    assert len(emulator.meetings("ann@example.com")) == 3  # nothing was created twice


async def test_a_stalled_get_times_out_per_attempt_and_is_retried(
    server: EmulatorServer, emulator: ReliabilityEmulator
) -> None:
    async with client(server, timeout=httpx.Timeout(5.0, read=0.3)) as c:
        with anyio.fail_after(BOUND):
            await c.login()
            emulator.faults.stall("list", times=1)
            response = await c.get(LIST)
            await emulator.faults.wait_released("list")
            stats = emulator.stats()
    assert response.status_code == 200
    assert stats.requests["list"] == {0: 1, 200: 1}  # the abandoned attempt, the retry


async def test_the_deadline_bounds_a_stalled_get_and_its_retries(
    server: EmulatorServer, emulator: ReliabilityEmulator
) -> None:
    async with client(server) as c:
        with anyio.fail_after(BOUND):
            await c.login()
            emulator.faults.hold("list")
            started = anyio.current_time()
            with pytest.raises(APITimeoutError):
                await c.get(LIST, extensions={"meetingbooster_deadline": 0.5})
            elapsed = anyio.current_time() - started
            await emulator.faults.wait_released("list")
            emulator.faults.release()
            assert (await c.get(LIST)).status_code == 200
            stats = emulator.stats()
    assert 0.45 <= elapsed < 1.5
    assert stats.requests["list"] == {0: 1, 200: 1}


# --- Retry-After ---------------------------------------------------------------------------


def _http_date(unix: float) -> str:
    return email.utils.formatdate(unix, usegmt=True)


async def test_retry_after_as_an_http_date_is_honoured(
    server: EmulatorServer, emulator: ReliabilityEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="meetingbooster_async")
    async with client(server) as c:
        with anyio.fail_after(BOUND):
            await c.login()
            # Whole seconds on the wire: 2 s ahead is 1 to 2 s from now.
            when = math.floor(time.time()) + 2
            emulator.retry_after = _http_date(when)
            emulator.faults.force("list", status=503)
            started = anyio.current_time()
            response = await c.get(LIST)
            elapsed = anyio.current_time() - started
            stats = emulator.stats()
    assert response.status_code == 200
    assert stats.requests["list"] == {200: 1, 503: 1}
    (record,) = _retry_records(caplog)
    waited = float(re.search(r" in ([0-9.]+)s after HTTP 503", record).group(1))  # type: ignore[union-attr]
    assert 0.9 <= waited <= 2.0  # the server's date, not the millisecond backoff
    assert elapsed >= waited - 0.05


async def test_retry_after_as_a_past_http_date_retries_at_once(
    server: EmulatorServer, emulator: ReliabilityEmulator
) -> None:
    async with client(server) as c:
        with anyio.fail_after(BOUND):
            await c.login()
            emulator.retry_after = "Wed, 21 Oct 2015 07:28:00 GMT"
            emulator.faults.force("list", status=503)
            assert (await c.get(LIST)).status_code == 200
            assert emulator.stats().requests["list"] == {200: 1, 503: 1}


async def test_retry_after_beyond_the_cap_returns_the_503(
    server: EmulatorServer, emulator: ReliabilityEmulator
) -> None:
    capped = RetryPolicy(max_retries=2, backoff_initial=0.001, max_retry_after=1.0)
    async with client(server, retry=capped) as c:
        with anyio.fail_after(BOUND):
            await c.login()
            emulator.retry_after = _http_date(time.time() + 120)
            emulator.faults.force("list", status=503)
            started = anyio.current_time()
            response = await c.get(LIST)
            elapsed = anyio.current_time() - started
            stats = emulator.stats()
    assert response.status_code == 503 and response.headers["retry-after"]
    assert stats.requests["list"] == {503: 1}
    assert elapsed < 1.0


async def test_retry_after_in_seconds_is_honoured(
    server: EmulatorServer, emulator: ReliabilityEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="meetingbooster_async")
    async with client(server) as c:
        with anyio.fail_after(BOUND):
            await c.login()
            emulator.retry_after = "0.25"
            emulator.faults.force("list", status=503, times=2)
            started = anyio.current_time()
            assert (await c.get(LIST)).status_code == 200
            elapsed = anyio.current_time() - started
            stats = emulator.stats()
    assert stats.requests["list"] == {200: 1, 503: 2}
    records = _retry_records(caplog)
    assert [r.split(" in ")[1] for r in records] == ["0.25s after HTTP 503"] * 2
    assert elapsed >= 0.5
