"""Secrets stay where they belong: a wrong password adopts no stored token, and no error,
message or repr carries a grant body or the user info of a URL."""

from __future__ import annotations

import httpx
import pytest

from meetingbooster_async import (
    ConfigurationError,
    LoginFailedError,
    MeetingBoosterClient,
    MeetingBoosterError,
    MemoryTokenStore,
)

from .fakes import BASE, FakeServer, oauth_error
from .helpers import auth_for

pytestmark = pytest.mark.anyio


async def test_a_wrong_password_never_adopts_stored_tokens(fake: FakeServer) -> None:
    store = MemoryTokenStore()
    good = MeetingBoosterClient(BASE, auth=auth_for(fake, token_store=store))
    bad = MeetingBoosterClient(BASE, auth=auth_for(fake, token_store=store, password="guess"))
    async with good, bad:
        assert (await good.get("/api/v1/x")).status_code == 200
        with pytest.raises(LoginFailedError):
            await bad.get("/api/v1/x")
        with pytest.raises(LoginFailedError):
            await good.as_user("ANN", "guess").get("/api/v1/x")


async def test_errors_keep_no_grant_body(fake: FakeServer) -> None:
    fake.script["password"] = [oauth_error("unauthorized_client", state="FAILEDLOGIN")]
    async with MeetingBoosterClient(BASE, auth=auth_for(fake)) as client:
        with pytest.raises(LoginFailedError) as info:
            await client.get("/api/v1/x")
    assert info.value.response is not None
    assert info.value.response.request.content == b""  # no password riding on the error


async def test_token_connection_errors_keep_no_grant_body(fake: FakeServer) -> None:
    def refuse() -> httpx.Response:
        raise httpx.ConnectError("refused")

    fake.script["password"] = [refuse] * 3
    async with MeetingBoosterClient(BASE, auth=auth_for(fake)) as client:
        with pytest.raises(MeetingBoosterError) as info:
            await client.get("/api/v1/x")
    cause = info.value.__cause__
    assert isinstance(cause, httpx.ConnectError)
    assert cause.request.content == b""
    assert "refused" in str(info.value)


def test_user_info_in_urls_stays_out_of_messages() -> None:
    with pytest.raises(ConfigurationError) as info:
        MeetingBoosterClient("http://svc:Hunter2@mb.example.com", username="a", password="b")
    assert "Hunter2" not in str(info.value)
    client = MeetingBoosterClient("https://svc:Hunter2@mb.example.com", username="a", password="b")
    assert "Hunter2" not in repr(client) and "Hunter2" not in repr(client.mb_auth)
