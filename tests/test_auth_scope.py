"""Where an auth's token goes (the API origin, also when /oauth lives elsewhere) and which
world it serves (one auth: async or sync, not both)."""

from __future__ import annotations

import httpx
import pytest

from meetingbooster_async import ConfigurationError, MeetingBoosterClient
from meetingbooster_async.testing import Emulator

from .emulated import LIST, URL, make_auth

pytestmark = pytest.mark.anyio


async def test_the_token_goes_to_the_api_origin_too() -> None:
    # One in-process emulator answers both origins; a data request without its bearer token
    # gets a 401 (and no recovery, since an origin the auth does not cover is never retried).
    emulator = Emulator(users={"ann@example.com": "p"})
    async with MeetingBoosterClient(
        "https://api.mb.test",
        username="ann@example.com",
        password="p",
        token_url="https://login.mb.test/oauth",
        transport=emulator.transport(),
    ) as client:
        response = await client.get("/api/v1/mymeetings/list")
    assert response.status_code == 200
    assert emulator.stats().data_statuses == {200: 1}


def _never_sent(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"{request.method} {request.url} was sent")


def test_one_auth_serves_one_world() -> None:
    auth = make_auth()
    auth._enter("async")
    # Refused before anything is sent, so the sync client needs no server.
    with (
        httpx.Client(base_url=URL, auth=auth, transport=httpx.MockTransport(_never_sent)) as client,
        pytest.raises(ConfigurationError),
    ):
        client.get(LIST)
