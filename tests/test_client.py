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

from .fakes import BASE, FakeServer, oauth_error

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
        MeetingBoosterClient(BASE)
    auth = MeetingBoosterAuth(token_url=f"{BASE}/oauth", username="a", password="b")
    with pytest.raises(ConfigurationError):
        MeetingBoosterClient(BASE, auth=auth, username="a", password="b")


def test_it_is_an_httpx_async_client() -> None:
    client = MeetingBoosterClient(BASE, username="a", password="b", timeout=3.0)
    assert isinstance(client, httpx.AsyncClient)
    assert client.timeout.read == 3.0
    assert client.auth is client.mb_auth


async def test_signout_disposes_of_the_tokens(fake: FakeServer) -> None:
    async with MeetingBoosterClient(BASE, username="ann", password=fake.password) as client:
        await client.get("/api/v1/x")
        await client.signout()
        assert fake.forms[-1] == {
            "grant_type": "signout",
            "refresh_token": "ref-1-tok",
            "app_id": "Api",
        }
        assert "ref-1-tok" not in fake.valid_refresh
        # the client is still usable: it logs in again
        assert (await client.get("/api/v1/x")).status_code == 200
    assert fake.grants == {"password": 2, "signout": 2}


async def test_leaving_async_with_signs_out_when_the_client_logged_in_itself(
    fake: FakeServer,
) -> None:
    async with MeetingBoosterClient(BASE, username="ann", password=fake.password) as client:
        await client.get("/api/v1/x")
    assert fake.grants == {"password": 1, "signout": 1}
    assert client.is_closed


async def test_aclose_signs_out_once(fake: FakeServer) -> None:
    client = MeetingBoosterClient(BASE, username="ann", password=fake.password)
    await client.get("/api/v1/x")
    await client.aclose()
    await client.aclose()
    assert fake.grants == {"password": 1, "signout": 1}


async def test_no_signout_without_a_login(fake: FakeServer) -> None:
    async with MeetingBoosterClient(BASE, username="ann", password=fake.password):
        pass
    assert fake.grants == {}


async def test_shared_auth_is_not_signed_out_by_default(fake: FakeServer) -> None:
    auth = MeetingBoosterAuth(token_url=f"{BASE}/oauth", username="ann", password=fake.password)
    async with MeetingBoosterClient(BASE, auth=auth) as client:
        await client.get("/api/v1/x")
    assert fake.grants == {"password": 1}
    async with MeetingBoosterClient(BASE, auth=auth, signout_on_close=True) as client:
        await client.get("/api/v1/x")
    assert fake.grants == {"password": 1, "signout": 1}


async def test_failed_signout_on_close_still_closes(fake: FakeServer) -> None:
    fake.script["signout"] = [httpx.Response(500, text="<html/>")] * 3
    client = MeetingBoosterClient(BASE, username="ann", password=fake.password)
    await client.get("/api/v1/x")
    await client.aclose()
    assert client.is_closed


async def test_explicit_signout_failure_is_typed(fake: FakeServer) -> None:
    fake.script["signout"] = [httpx.Response(502, text="<html/>")] * 3
    async with MeetingBoosterClient(
        BASE, username="ann", password=fake.password, signout_on_close=False
    ) as client:
        await client.get("/api/v1/x")
        with pytest.raises(OAuthResponseError):
            await client.signout()


async def test_signout_in_a_cooldown_sends_nothing(fake: FakeServer) -> None:
    fake.lifetime = "60"
    fake.script["refresh_token"] = [oauth_error("invalid_grant", retry=120)]
    clock_now = [0.0]
    auth = MeetingBoosterAuth(
        token_url=f"{BASE}/oauth",
        username="ann",
        password=fake.password,
        clock=lambda: clock_now[0],
    )
    async with MeetingBoosterClient(BASE, auth=auth, signout_on_close=True) as client:
        await client.get("/api/v1/x")
        clock_now[0] = 40.0  # proactive refresh refused with a cooldown; token still valid
        assert (await client.get("/api/v1/x")).status_code == 200
    assert fake.grants == {"password": 1, "refresh_token": 1}


async def test_streamed_responses_hold_their_gate_slot_until_closed(fake: FakeServer) -> None:
    async with MeetingBoosterClient(
        BASE, username="ann", password=fake.password, max_in_flight=1
    ) as client:
        async with client.stream("GET", "/api/v1/x") as response:
            assert response.status_code == 200
            with anyio.move_on_after(0.05) as scope:  # the one slot is taken
                await client.get("/api/v1/x")
            assert scope.cancelled_caught
        # closed: the slot is back
        assert (await client.get("/api/v1/x")).status_code == 200


async def test_max_in_flight_follows_the_pool_limits(fake: FakeServer) -> None:
    client = MeetingBoosterClient(
        BASE, username="a", password="b", limits=httpx.Limits(max_connections=7)
    )
    assert client._gate is not None and client._gate.size == 7
    unlimited = MeetingBoosterClient(
        BASE, username="a", password="b", limits=httpx.Limits(max_connections=None)
    )
    assert unlimited._gate is None


async def test_secrets_stay_out_of_reprs_messages_and_logs(
    fake: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    password = fake.password
    texts: list[str] = []
    async with MeetingBoosterClient(BASE, username="ann", password=password) as client:
        await client.get("/api/v1/x")
        fake.kill_access()
        await client.get("/api/v1/x")
        texts += [
            repr(client),
            str(client),
            repr(client.mb_auth),
            repr(client.mb_auth._tokens),
            repr(client.mb_auth._tokens._access),
        ]
        fake.valid_refresh.clear()
        fake.kill_access()
        fake.script["password"] = [oauth_error("unauthorized_client", retry=5, state="FAILEDLOGIN")]
        with pytest.raises(LoginFailedError) as info:
            await client.get("/api/v1/x")
        texts += [repr(info.value), str(info.value)]
    texts += [record.getMessage() for record in caplog.records]
    texts += [repr(record.args) for record in caplog.records]
    secrets = [
        password,
        *(f"acc-{n}-tok" for n in range(1, 4)),
        *(f"ref-{n}-tok" for n in range(1, 4)),
    ]
    assert any(record.name == "meetingbooster_async" for record in caplog.records)
    for text in texts:
        for secret in secrets:
            assert secret not in text, (secret, text)


def test_default_timeouts_suit_a_web_app() -> None:
    client = MeetingBoosterClient(BASE, username="a", password="b")
    assert (client.timeout.connect, client.timeout.read, client.timeout.pool) == (3.0, 10.0, 10.0)
