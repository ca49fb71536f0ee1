"""Retries and deadlines on every request the client sends (asyncio and trio)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import anyio
import httpx
import pytest

from meetingbooster_async import APITimeoutError, MeetingBoosterClient, RetryPolicy

from .fakes import BASE, FakeServer

pytestmark = pytest.mark.anyio


def flaky(fake: FakeServer, *answers: httpx.Response | Exception) -> list[int]:
    """Route /api/v1/flaky: the given answers first, then 200. Returns a hit counter."""
    hits = [0]
    queue = list(answers)

    async def handler(request: httpx.Request) -> httpx.Response:
        hits[0] += 1
        if queue:
            answer = queue.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
        return await fake.default_api(request)

    fake.overrides["/api/v1/flaky"] = handler
    return hits


def client(fake: FakeServer, **kwargs: object) -> MeetingBoosterClient:
    return MeetingBoosterClient(BASE, username="ann", password=fake.password, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "glitch",
    [
        httpx.Response(503),
        httpx.Response(429, headers={"Retry-After": "0"}),
        httpx.Response(408),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("peer closed connection"),
    ],
)
async def test_plain_get_is_retried_after_a_glitch(
    fake: FakeServer, glitch: httpx.Response | Exception
) -> None:
    hits = flaky(fake, glitch)
    async with client(fake) as c:
        response = await c.get("/api/v1/flaky")
    assert response.status_code == 200
    assert hits == [2]


async def test_retries_are_bounded_and_the_last_answer_returned(fake: FakeServer) -> None:
    hits = flaky(fake, *[httpx.Response(502)] * 5)
    async with client(fake) as c:
        response = await c.get("/api/v1/flaky")
    assert response.status_code == 502
    assert hits == [3]  # 1 + 2 retries


async def test_transport_error_is_reraised_when_retries_run_out(fake: FakeServer) -> None:
    hits = flaky(fake, *[httpx.ConnectError("refused")] * 5)
    async with client(fake) as c:
        with pytest.raises(httpx.ConnectError):
            await c.get("/api/v1/flaky")
    assert hits == [3]


async def test_post_is_not_retried_after_it_may_have_been_processed(fake: FakeServer) -> None:
    hits = flaky(fake, httpx.Response(503), httpx.ReadTimeout("slow"))
    async with client(fake) as c:
        assert (await c.post("/api/v1/flaky", json={})).status_code == 503
        with pytest.raises(httpx.ReadTimeout):
            await c.post("/api/v1/flaky", json={})
    assert hits == [2]


async def test_post_marked_safe_is_retried(fake: FakeServer) -> None:
    hits = flaky(fake, httpx.Response(503))
    async with client(fake) as c:
        response = await c.post(
            "/api/v1/flaky", json={"Id": "guid"}, extensions={"meetingbooster_idempotent": True}
        )
    assert response.status_code == 200 and hits == [2]


async def test_post_connect_error_is_retried_because_nothing_was_sent(fake: FakeServer) -> None:
    hits = flaky(fake, httpx.ConnectError("refused"))
    async with client(fake) as c:
        assert (await c.post("/api/v1/flaky", json={})).status_code == 200
    assert hits == [2]


async def test_retries_per_call_and_per_client(fake: FakeServer) -> None:
    hits = flaky(fake, *[httpx.Response(503)] * 10)
    async with client(fake, retry=RetryPolicy(max_retries=0)) as c:
        assert (await c.get("/api/v1/flaky")).status_code == 503
        assert hits == [1]
        fast = RetryPolicy(max_retries=4, backoff_initial=0.001)
        extensions = {"meetingbooster_retry": fast}
        assert (await c.get("/api/v1/flaky", extensions=extensions)).status_code == 503
        assert hits == [6]
        assert (
            await c.get("/api/v1/flaky", extensions={"meetingbooster_retry": 1})
        ).status_code == 503
        assert hits == [8]


async def test_streamed_bodies_are_not_retried(fake: FakeServer) -> None:
    hits = flaky(fake, httpx.Response(503))

    async def body() -> AsyncIterator[bytes]:
        yield b"x"

    async with client(fake) as c:
        assert (await c.put("/api/v1/flaky", content=body())).status_code == 503
    assert hits == [1]


async def test_retry_after_beyond_the_cap_is_not_waited_for(fake: FakeServer) -> None:
    hits = flaky(fake, httpx.Response(503, headers={"Retry-After": "3600"}))
    async with client(fake) as c:
        assert (await c.get("/api/v1/flaky")).status_code == 503
    assert hits == [1]


async def test_every_retry_is_logged_at_debug(
    fake: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="meetingbooster_async")
    flaky(fake, httpx.Response(503))
    async with client(fake) as c:
        await c.get("/api/v1/flaky?secret=query")
    retries = [r for r in caplog.records if r.getMessage().startswith("retry 1/2 of GET")]
    assert len(retries) == 1
    assert "HTTP 503" in retries[0].getMessage() and "secret" not in retries[0].getMessage()


async def test_deadline_covers_the_token_call_and_raises_typed(fake: FakeServer) -> None:
    fake.hold = anyio.Event()  # the token endpoint stalls
    async with client(fake, deadline=0.05) as c:
        with pytest.raises(APITimeoutError):
            await c.get("/api/v1/x")
        fake.hold.set()
        fake.hold = None
        assert (await c.get("/api/v1/x")).status_code == 200


async def test_per_call_deadline(fake: FakeServer) -> None:
    fake.api_hold = anyio.Event()
    async with client(fake) as c:
        await c.login()
        with pytest.raises(APITimeoutError):
            await c.get("/api/v1/x", extensions={"meetingbooster_deadline": 0.05})
        fake.api_hold.set()
