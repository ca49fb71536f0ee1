"""Where an auth's token goes (the API origin, also when /oauth lives elsewhere) and which
world it serves (one auth: async or sync, not both)."""

from __future__ import annotations

import httpx
import pytest
import respx

from meetingbooster_async import ConfigurationError, MeetingBoosterClient

from .fakes import BASE, FakeServer
from .helpers import auth_for

pytestmark = pytest.mark.anyio


async def test_the_token_goes_to_the_api_origin_too() -> None:
    with respx.mock(assert_all_called=False) as router:
        router.post("https://login.mb.test/oauth").respond(
            200, json={"access_token": "a", "refresh_token": "r", "expires_in": "60"}
        )
        api = router.get("https://api.mb.test/api/v1/x").respond(200)
        async with MeetingBoosterClient(
            "https://api.mb.test",
            username="u",
            password="p",
            token_url="https://login.mb.test/oauth",
        ) as client:
            await client.get("/api/v1/x")
    assert api.calls.last.request.headers["Authorization"] == "Bearer a"


def test_one_auth_serves_one_world(fake: FakeServer) -> None:
    auth = auth_for(fake)
    auth._enter("async")
    with httpx.Client(base_url=BASE, auth=auth) as client, pytest.raises(ConfigurationError):
        client.get("/api/v1/x")
