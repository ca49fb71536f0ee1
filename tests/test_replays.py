"""Replays after 401s: a token that aged in transit is replayed again; a fresh refusal ends it.

An overloaded process (CI's two busy cores, the demo's emulator sharing the client's event loop)
can take a good part of a token's life to get a request to the server: the token it carried is
due, or gone, when the 401 comes back. Such a 401 says nothing about the endpoint, so the request
is replayed with the next token, up to ``MAX_REPLAYS`` replays in all. A 401 to a token that was
surely fresh marks the endpoint futile at once (tests/test_adversity.py). The rule is the same for
our client, a plain ``httpx.AsyncClient`` and a sync ``httpx.Client`` using our auth.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from meetingbooster_async import MeetingBoosterAuth, MeetingBoosterClient
from meetingbooster_async._token_policy import MAX_REPLAYS
from meetingbooster_async.testing import Emulator, EmulatorServer, serve

from .emulated import ANN, PASSWORD, URL
from .fakes import FakeClock

pytestmark = pytest.mark.anyio

LIST = "/api/v1/mymeetings/list"
LIFETIME = 1200.0  # the emulator's and so the client's token lifetime


class Transit:
    """The first ``times`` data requests arrive after their token's life: the client's clock
    passes the token's expiry while the request travels, and the server expires it."""

    def __init__(self, emulator: Emulator, clock: FakeClock, times: int) -> None:
        self.emulator, self.clock, self.times = emulator, clock, times
        self.data_requests = 0

    def travel(self, request: httpx.Request) -> None:
        if request.url.path == "/oauth":
            return
        self.data_requests += 1
        if self.times > 0:
            self.times -= 1
            self.clock.advance(LIFETIME)
            self.emulator.expire_access_tokens()


class AsyncTransit(httpx.AsyncBaseTransport):
    def __init__(self, transit: Transit, inner: httpx.AsyncBaseTransport) -> None:
        self.transit, self.inner = transit, inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.transit.travel(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class SyncTransit(httpx.BaseTransport):
    def __init__(self, transit: Transit, inner: httpx.BaseTransport) -> None:
        self.transit, self.inner = transit, inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.transit.travel(request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def auth_for(base: str, clock: FakeClock, **kwargs: Any) -> MeetingBoosterAuth:
    return MeetingBoosterAuth(
        token_url=f"{base}/oauth", username=ANN, password=PASSWORD, clock=clock, **kwargs
    )


def oauth_calls(emulator: Emulator) -> dict[str, int]:
    return dict(emulator.stats().oauth_calls)


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(users={ANN: PASSWORD}, meetings_per_user=2)


async def get_async(kind: str, emulator: Emulator, transit: Transit, clock: FakeClock) -> int:
    """Log in, then one GET that meets ``transit``; its final status."""
    transport = AsyncTransit(transit, emulator.transport())
    auth = auth_for(URL, clock, transport=transport)  # /oauth too, for the plain client
    client: httpx.AsyncClient
    if kind == "client":
        client = MeetingBoosterClient(URL, auth=auth, transport=transport)
    else:
        client = httpx.AsyncClient(base_url=URL, auth=auth, transport=transport)
    async with client:
        pending, transit.times = transit.times, 0
        assert (await client.get(LIST)).status_code == 200  # logged in, token fresh
        transit.times = pending
        return (await client.get(LIST)).status_code


@pytest.mark.parametrize("kind", ["client", "httpx.AsyncClient"])
async def test_tokens_aging_in_transit_are_replayed_until_one_arrives(
    kind: str, emulator: Emulator, clock: FakeClock
) -> None:
    transit = Transit(emulator, clock, times=MAX_REPLAYS)
    assert await get_async(kind, emulator, transit, clock) == 200
    # The first try and MAX_REPLAYS replays, each with the next token: one refresh apiece.
    assert transit.data_requests == 1 + 1 + MAX_REPLAYS
    calls = oauth_calls(emulator)
    assert calls["password"] == 1 and calls["refresh_token"] == MAX_REPLAYS


@pytest.mark.parametrize("kind", ["client", "httpx.AsyncClient"])
async def test_the_replays_are_bounded(kind: str, emulator: Emulator, clock: FakeClock) -> None:
    transit = Transit(emulator, clock, times=MAX_REPLAYS + 1)
    assert await get_async(kind, emulator, transit, clock) == 401  # given up, not looping
    assert transit.data_requests == 1 + 1 + MAX_REPLAYS
    assert oauth_calls(emulator)["refresh_token"] == MAX_REPLAYS


async def test_after_giving_up_the_endpoint_still_recovers(
    emulator: Emulator, clock: FakeClock
) -> None:
    # Giving up on a request that met expiries only must not mark its endpoint futile.
    transit = Transit(emulator, clock, times=MAX_REPLAYS + 1)
    transport = AsyncTransit(transit, emulator.transport())
    async with MeetingBoosterClient(URL, auth=auth_for(URL, clock), transport=transport) as client:
        assert (await client.get(LIST)).status_code == 401
        transit.times = 1  # one more expiry in transit: recovered and replayed, not returned
        before = oauth_calls(emulator)["refresh_token"]
        assert (await client.get(LIST)).status_code == 200
        assert oauth_calls(emulator)["refresh_token"] == before + 2  # expired, then 401


@pytest.fixture
def server(emulator: Emulator) -> Iterator[EmulatorServer]:
    with serve(emulator) as running:
        yield running


@pytest.mark.parametrize(("times", "status"), [(MAX_REPLAYS, 200), (MAX_REPLAYS + 1, 401)])
def test_the_sync_flow_keeps_the_same_rule(
    server: EmulatorServer, emulator: Emulator, clock: FakeClock, times: int, status: int
) -> None:
    transit = Transit(emulator, clock, times=0)
    transport = SyncTransit(transit, httpx.HTTPTransport())
    auth = auth_for(server.url, clock)
    try:
        with httpx.Client(base_url=server.url, transport=transport, auth=auth) as client:
            assert client.get(LIST).status_code == 200
            transit.times = times
            assert client.get(LIST).status_code == status
    finally:
        auth.close()  # its own /oauth connections
    assert transit.data_requests == 1 + 1 + MAX_REPLAYS
    assert oauth_calls(emulator)["refresh_token"] == MAX_REPLAYS


def test_the_docs_state_the_bound() -> None:
    # The authentication rules page promises a number: it must be the one the code keeps.
    from pathlib import Path

    rules = Path(__file__).resolve().parent.parent / "docs" / "authentication.md"
    assert f"up to {MAX_REPLAYS} replays in all" in rules.read_text()
    assert MAX_REPLAYS >= 2  # one for the expiry, at least one for a token aged in transit
