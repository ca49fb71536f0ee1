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
from meetingbooster_async.testing import Emulator

from .emulated import ANN, LIST, make_auth, make_client

pytestmark = pytest.mark.anyio


async def test_a_wrong_password_never_adopts_stored_tokens(emulator: Emulator) -> None:
    store = MemoryTokenStore()
    good = make_client(emulator, auth=make_auth(token_store=store))
    bad = make_client(emulator, auth=make_auth(token_store=store, password="guess"))
    async with good, bad:
        assert (await good.get(LIST)).status_code == 200
        with pytest.raises(LoginFailedError):
            await bad.get(LIST)
        with pytest.raises(LoginFailedError):
            await good.as_user(ANN.upper(), "guess").get(LIST)
    assert emulator.stats().oauth_outcomes["password"] == {"ok": 1, "unauthorized_client": 2}


async def test_errors_keep_no_grant_body(emulator: Emulator) -> None:
    async with make_client(emulator, password="wrong") as client:
        with pytest.raises(LoginFailedError) as info:
            await client.get(LIST)
    assert info.value.error_state == "FAILEDLOGIN"
    assert info.value.response is not None
    assert info.value.response.request.content == b""  # no password riding on the error


async def test_token_connection_errors_keep_no_grant_body(emulator: Emulator) -> None:
    emulator.faults.drop("oauth", mode="reset", times=3)
    async with make_client(emulator) as client:
        with pytest.raises(MeetingBoosterError) as info:
            await client.get(LIST)
    cause = info.value.__cause__
    assert isinstance(cause, httpx.ReadError)
    assert cause.request.content == b""
    assert "reset by peer" in str(info.value)


def test_user_info_in_urls_stays_out_of_messages() -> None:
    with pytest.raises(ConfigurationError) as info:
        MeetingBoosterClient("http://svc:Hunter2@mb.example.com", username="a", password="b")
    assert "Hunter2" not in str(info.value)
    client = MeetingBoosterClient("https://svc:Hunter2@mb.example.com", username="a", password="b")
    assert "Hunter2" not in repr(client) and "Hunter2" not in repr(client.mb_auth)
