"""Retries and deadlines on every request the client sends (asyncio and trio).

The emulator scripts the glitches a server or network can cause (5xx, 408, 429 with
``Retry-After``, a lost connection); respx stands in front of it only for the exceptions that a
transport raises by itself (``ConnectError``, ``ReadTimeout``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import pytest

from meetingbooster_async import APITimeoutError, MeetingBoosterClient, RetryPolicy
from meetingbooster_async.testing import Emulator

from .emulated import ANN, LIST, PASSWORD, TASKS_COMMIT, URL, make_client
from .fakes import transport_errors

pytestmark = pytest.mark.anyio


def tasks_commits(emulator: Emulator) -> int:
    """Requests MyTasks SyncCommit has met (dropped ones included)."""
    return emulator.stats().answered("tasks_sync_commit")


@pytest.mark.parametrize(
    "glitch",
    [
        {"force": {"status": 503}},
        {"force": {"status": 429, "headers": {"Retry-After": "0"}}},
        {"force": {"status": 408}},
        {"drop": {"mode": "close"}},
        {"drop": {"mode": "reset"}},
        {"drop": {"mode": "mid_body"}},
    ],
    ids=["503", "429", "408", "closed", "reset", "mid-body"],
)
async def test_plain_get_is_retried_after_a_glitch(
    emulator: Emulator, glitch: dict[str, dict[str, Any]]
) -> None:
    [(kind, options)] = glitch.items()
    getattr(emulator.faults, kind)("list", **options)
    async with make_client(emulator) as c:
        response = await c.get(LIST)
    assert response.status_code == 200
    assert emulator.stats().answered("list") == 2


@pytest.mark.parametrize(
    "error", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow")], ids=["refused", "timeout"]
)
async def test_plain_get_is_retried_after_a_transport_error(
    emulator: Emulator, error: Exception
) -> None:
    # respx: errors the transport raises itself; the emulator answers the retry.
    with transport_errors(emulator) as errors:
        errors.raise_next(LIST, error)
        async with MeetingBoosterClient(URL, username=ANN, password=PASSWORD) as c:
            response = await c.get(LIST)
    assert response.status_code == 200
    assert errors.raised == {LIST: 1} and emulator.stats().answered("list") == 1


async def test_retries_are_bounded_and_the_last_answer_returned(emulator: Emulator) -> None:
    emulator.faults.force("list", status=502, times=5)
    async with make_client(emulator) as c:
        response = await c.get(LIST)
    assert response.status_code == 502
    assert emulator.stats().answered("list") == 3  # 1 + 2 retries


async def test_transport_error_is_reraised_when_retries_run_out(emulator: Emulator) -> None:
    emulator.faults.drop("list", mode="reset", times=5)
    async with make_client(emulator) as c:
        with pytest.raises(httpx.ReadError):
            await c.get(LIST)
    assert emulator.stats().answered("list") == 3


async def test_post_is_not_retried_after_it_may_have_been_processed(emulator: Emulator) -> None:
    emulator.faults.force("tasks_sync_commit", status=503)
    emulator.faults.drop("tasks_sync_commit", run_handler=True)  # done, but the answer is lost
    async with make_client(emulator) as c:
        assert (await c.post(TASKS_COMMIT, json={})).status_code == 503
        with pytest.raises(httpx.RemoteProtocolError):
            await c.post(TASKS_COMMIT, json={})
    assert tasks_commits(emulator) == 2


async def test_post_marked_safe_is_retried(emulator: Emulator) -> None:
    emulator.faults.force("tasks_sync_commit", status=503)
    async with make_client(emulator) as c:
        response = await c.post(
            TASKS_COMMIT, json={"Id": "guid"}, extensions={"meetingbooster_idempotent": True}
        )
    assert response.status_code == 200 and tasks_commits(emulator) == 2


async def test_post_connect_error_is_retried_because_nothing_was_sent(emulator: Emulator) -> None:
    # respx: only a transport raises ConnectError (nothing sent); the emulator answers the retry.
    with transport_errors(emulator) as errors:
        errors.raise_next(TASKS_COMMIT, httpx.ConnectError("refused"))
        async with MeetingBoosterClient(URL, username=ANN, password=PASSWORD) as c:
            assert (await c.post(TASKS_COMMIT, json={})).status_code == 200
    assert errors.raised == {TASKS_COMMIT: 1} and tasks_commits(emulator) == 1


async def test_retries_per_call_and_per_client(emulator: Emulator) -> None:
    emulator.faults.force("list", status=503, times=10)
    async with make_client(emulator, retry=RetryPolicy(max_retries=0)) as c:
        assert (await c.get(LIST)).status_code == 503
        assert emulator.stats().answered("list") == 1
        fast = RetryPolicy(max_retries=4, backoff_initial=0.001)
        extensions = {"meetingbooster_retry": fast}
        assert (await c.get(LIST, extensions=extensions)).status_code == 503
        assert emulator.stats().answered("list") == 6
        assert (await c.get(LIST, extensions={"meetingbooster_retry": 1})).status_code == 503
        assert emulator.stats().answered("list") == 8


async def test_streamed_bodies_are_not_retried(emulator: Emulator) -> None:
    emulator.configure(
        tasks_sync_commit_method="PUT"
    )  # PUT is idempotent: only the stream stops it
    emulator.faults.force("tasks_sync_commit", status=503)

    async def body() -> AsyncIterator[bytes]:
        yield b"{}"

    async with make_client(emulator) as c:
        assert (await c.put(TASKS_COMMIT, content=body())).status_code == 503
    assert tasks_commits(emulator) == 1


async def test_retry_after_beyond_the_cap_is_not_waited_for(emulator: Emulator) -> None:
    emulator.faults.force("list", status=503, headers={"Retry-After": "3600"})
    async with make_client(emulator) as c:
        assert (await c.get(LIST)).status_code == 503
    assert emulator.stats().answered("list") == 1


async def test_every_retry_is_logged_at_debug(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="meetingbooster_async")
    emulator.faults.force("list", status=503)
    async with make_client(emulator) as c:
        await c.get(f"{LIST}?secret=query")
    retries = [r for r in caplog.records if r.getMessage().startswith("retry 1/2 of GET")]
    assert len(retries) == 1
    assert "HTTP 503" in retries[0].getMessage() and "secret" not in retries[0].getMessage()


async def test_deadline_covers_the_token_call_and_raises_typed(emulator: Emulator) -> None:
    emulator.faults.hold("oauth")  # the token endpoint stalls
    async with make_client(emulator, deadline=0.05) as c:
        with pytest.raises(APITimeoutError):
            await c.get(LIST)
        emulator.faults.release("oauth")
        assert (await c.get(LIST)).status_code == 200


async def test_per_call_deadline(emulator: Emulator) -> None:
    async with make_client(emulator) as c:
        await c.login()
        emulator.faults.hold("list")
        with pytest.raises(APITimeoutError):
            await c.get(LIST, extensions={"meetingbooster_deadline": 0.05})
        emulator.faults.release("list")
        with anyio.fail_after(5):  # a hang guard: the slot came back
            assert (await c.get(LIST)).status_code == 200
