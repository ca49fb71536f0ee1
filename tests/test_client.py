"""MeetingBoosterClient's own behaviour: construction, signout, the gate, secrets."""

from __future__ import annotations

import logging

import anyio
import httpx
import pytest

from meetingbooster_async import (
    ConfigurationError,
    LoginFailedError,
    MeetingBoosterAuth,
    MeetingBoosterClient,
    OAuthResponseError,
)
from meetingbooster_async.testing import Emulator

from .emulated import ANN, LIST, URL, Wire, jsoauth_error, make_auth, make_client
from .fakes import FakeClock

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "url", ["http://mb.example.com", "http://10.0.0.5:8080", "ftp://mb.example.com"]
)
def test_plain_http_to_a_remote_host_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="allow_insecure_http"):
        MeetingBoosterClient(url, username="a", password="b")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000", "http://localhost:1", "http://[::1]:80", "https://mb.test"]
)
def test_loopback_and_https_are_accepted(url: str) -> None:
    MeetingBoosterClient(url, username="a", password="b")


def test_insecure_http_can_be_allowed_explicitly() -> None:
    client = MeetingBoosterClient(
        "http://mb.example.com", username="a", password="b", allow_insecure_http=True
    )
    assert client.mb_auth.token_url == httpx.URL("http://mb.example.com/oauth")


def test_insecure_token_url_is_refused_on_the_auth_too() -> None:
    with pytest.raises(ConfigurationError):
        MeetingBoosterAuth(token_url="http://mb.example.com/oauth", username="a", password="b")


def test_token_url_defaults_to_oauth_below_the_base_url() -> None:
    client = MeetingBoosterClient("https://host/mb/", username="a", password="b")
    assert client.mb_auth.token_url == httpx.URL("https://host/mb/oauth")
    custom = MeetingBoosterClient(
        "https://host/mb/", username="a", password="b", token_url="https://host/oauth"
    )
    assert custom.mb_auth.token_url == httpx.URL("https://host/oauth")


def test_credentials_or_auth_are_required_but_not_both() -> None:
    with pytest.raises(ConfigurationError):
        MeetingBoosterClient(URL)
    auth = MeetingBoosterAuth(token_url=f"{URL}/oauth", username="a", password="b")
    with pytest.raises(ConfigurationError):
        MeetingBoosterClient(URL, auth=auth, username="a", password="b")


def test_it_is_an_httpx_async_client() -> None:
    client = MeetingBoosterClient(URL, username="a", password="b", timeout=3.0)
    assert isinstance(client, httpx.AsyncClient)
    assert client.timeout.read == 3.0
    assert client.auth is client.mb_auth


async def test_signout_disposes_of_the_tokens(emulator: Emulator, wire: Wire) -> None:
    async with make_client(emulator, transport=wire) as client:
        await client.get(LIST)
        await client.signout()
        login, signout = wire.grants()
        assert signout == {
            "grant_type": "signout",
            "refresh_token": signout["refresh_token"],
            "app_id": "Api",
        }
        assert login["grant_type"] == "password"
        stats = emulator.stats()
        assert stats.oauth_outcomes["signout"] == {"ok": 1}  # the login's own refresh token
        assert stats.sessions == 0 and stats.access_tokens == 0
        # the client is still usable: it logs in again
        assert (await client.get(LIST)).status_code == 200
    assert emulator.stats().oauth_calls == {"password": 2, "signout": 2}
    assert emulator.stats().oauth_outcomes["signout"] == {"ok": 2}


async def test_leaving_async_with_signs_out_when_the_client_logged_in_itself(
    emulator: Emulator,
) -> None:
    async with make_client(emulator) as client:
        await client.get(LIST)
    assert emulator.stats().oauth_calls == {"password": 1, "signout": 1}
    assert emulator.stats().sessions == 0
    assert client.is_closed


async def test_aclose_signs_out_once(emulator: Emulator) -> None:
    client = make_client(emulator)
    await client.get(LIST)
    await client.aclose()
    await client.aclose()
    assert emulator.stats().oauth_calls == {"password": 1, "signout": 1}


async def test_no_signout_without_a_login(emulator: Emulator) -> None:
    async with make_client(emulator):
        pass
    assert emulator.stats().oauth_calls == {}


async def test_shared_auth_is_not_signed_out_by_default(emulator: Emulator) -> None:
    auth = make_auth()
    async with make_client(emulator, auth=auth) as client:
        await client.get(LIST)
    assert emulator.stats().oauth_calls == {"password": 1}
    async with make_client(emulator, auth=auth, signout_on_close=True) as client:
        await client.get(LIST)
    assert emulator.stats().oauth_calls == {"password": 1, "signout": 1}


async def test_failed_signout_on_close_still_closes(emulator: Emulator) -> None:
    client = make_client(emulator)
    await client.get(LIST)
    emulator.faults.force("oauth", status=500, body="html", times=3)
    await client.aclose()
    assert client.is_closed
    assert emulator.stats().oauth_outcomes["signout"] == {"fault": 3}  # retried twice


async def test_explicit_signout_failure_is_typed(emulator: Emulator) -> None:
    async with make_client(emulator, signout_on_close=False) as client:
        await client.get(LIST)
        emulator.faults.force("oauth", status=502, body="html", times=3)
        with pytest.raises(OAuthResponseError):
            await client.signout()
    assert emulator.stats().oauth_outcomes["signout"] == {"fault": 3}  # retried twice


async def test_signout_in_a_cooldown_sends_nothing(emulator: Emulator, clock: FakeClock) -> None:
    emulator.configure(token_lifetime=60)
    auth = make_auth(clock=clock)
    async with make_client(emulator, auth=auth, signout_on_close=True) as client:
        await client.get(LIST)
        # The proactive refresh is refused with a cooldown; the token is still valid.
        refusal = jsoauth_error("invalid_grant", retry=120)
        emulator.faults.force("oauth", status=400, body=refusal)
        clock.advance(40)
        assert (await client.get(LIST)).status_code == 200
    assert emulator.stats().oauth_calls == {"password": 1, "refresh_token": 1}


async def test_streamed_responses_hold_their_gate_slot_until_closed(emulator: Emulator) -> None:
    async with make_client(emulator, max_in_flight=1) as client:
        async with client.stream("GET", LIST) as response:
            assert response.status_code == 200
            with anyio.move_on_after(0.05) as scope:  # the one slot is taken
                await client.get(LIST)
            assert scope.cancelled_caught
        # closed: the slot is back
        assert (await client.get(LIST)).status_code == 200
    assert emulator.stats().answered("list") == 2  # the waiting request never went out


async def test_max_in_flight_follows_the_pool_limits() -> None:
    client = MeetingBoosterClient(
        URL, username="a", password="b", limits=httpx.Limits(max_connections=7)
    )
    assert client._gate is not None and client._gate.size == 7
    unlimited = MeetingBoosterClient(
        URL, username="a", password="b", limits=httpx.Limits(max_connections=None)
    )
    assert unlimited._gate is None


async def test_secrets_stay_out_of_reprs_messages_and_logs(
    emulator: Emulator, wire: Wire, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    password = "s3cret-pw"
    emulator.update_user(ANN, password=password)
    texts: list[str] = []
    async with make_client(emulator, password=password, transport=wire) as client:
        await client.get(LIST)
        emulator.expire_access_tokens()
        await client.get(LIST)
        texts += [
            repr(client),
            str(client),
            repr(client.mb_auth),
            repr(client.mb_auth._tokens),
            repr(client.mb_auth._tokens._access),
        ]
        emulator.restart()
        emulator.update_user(ANN, password="changed")
        with pytest.raises(LoginFailedError) as info:
            await client.get(LIST)
        texts += [repr(info.value), str(info.value)]
    texts += [record.getMessage() for record in caplog.records]
    texts += [repr(record.args) for record in caplog.records]
    # Every token the client held or sent: the bearers and the grants' refresh tokens.
    tokens = {str(sent.authorization).removeprefix("Bearer ") for sent in wire.data()}
    tokens |= {grant["refresh_token"] for grant in wire.grants() if "refresh_token" in grant}
    assert len(tokens) == 4  # two access tokens, two refresh tokens
    assert emulator.stats().oauth_calls["refresh_token"] == 2
    assert any(record.name == "meetingbooster_async" for record in caplog.records)
    for text in texts:
        for secret in [password, *tokens]:
            assert secret not in text, (secret, text)


def test_default_timeouts_suit_a_web_app() -> None:
    client = MeetingBoosterClient(URL, username="a", password="b")
    assert (client.timeout.connect, client.timeout.read, client.timeout.pool) == (3.0, 10.0, 10.0)
