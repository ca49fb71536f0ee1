"""The auth flow on MeetingBoosterClient against the emulator in process (asyncio and trio):
logins, refreshes, 401 recovery, cooldowns, and where the token goes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from meetingbooster_async import (
    LoginFailedError,
    RequestNotReplayableError,
)
from meetingbooster_async.testing import Emulator

from .emulated import (
    ANN,
    LIST,
    MEETING,
    PASSWORD,
    TASKS_COMMIT,
    URL,
    Wire,
    clocked_client,
    jsoauth_error,
    make_auth,
    make_client,
)
from .fakes import FakeClock

pytestmark = pytest.mark.anyio


async def test_logs_in_lazily_once_and_sends_the_bearer(emulator: Emulator, wire: Wire) -> None:
    async with make_client(emulator, transport=wire) as client:
        assert emulator.stats().oauth_total == 0
        for _ in range(3):
            response = await client.get(LIST)
            assert response.status_code == 200
    assert emulator.stats().oauth_calls == {"password": 1, "signout": 1}
    assert wire.grants()[0] == {
        "grant_type": "password",
        "username": ANN,
        "password": PASSWORD,
        "app_id": "Api",
    }
    bearers = [sent.authorization for sent in wire.data()]
    assert len(bearers) == 3 and len(set(bearers)) == 1
    assert str(bearers[0]).startswith("Bearer ")


async def test_401_refreshes_and_replays_the_body(
    emulator: Emulator, clock: FakeClock, wire: Wire
) -> None:
    async with clocked_client(emulator, clock, wire=wire) as client:
        await client.get(LIST)
        emulator.expire_access_tokens()
        response = await client.post(TASKS_COMMIT, json={"Title": "Budget"})
    assert response.status_code == 200
    stats = emulator.stats()
    assert stats.oauth_calls == {"password": 1, "refresh_token": 1}
    assert stats.requests["tasks_sync_commit"] == {200: 1, 401: 1}
    first_get, rejected, replay = wire.data()
    assert rejected.body == replay.body == b'{"Title":"Budget"}'
    # The retry carries the new token, rebuilt for the attempt.
    assert rejected.authorization == first_get.authorization != replay.authorization


async def test_a_streamed_body_cannot_be_replayed_and_says_so(
    emulator: Emulator, clock: FakeClock
) -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b"{}"

    async with clocked_client(emulator, clock) as client:
        await client.get(LIST)
        emulator.expire_access_tokens()
        with pytest.raises(RequestNotReplayableError):
            await client.post(TASKS_COMMIT, content=body())


async def test_rejected_refresh_token_leads_to_one_fresh_login(
    emulator: Emulator, clock: FakeClock
) -> None:
    async with clocked_client(emulator, clock) as client:
        await client.get(LIST)
        emulator.restart()  # a server restart forgets every token
        response = await client.get(LIST)
    assert response.status_code == 200
    stats = emulator.stats()
    assert stats.oauth_calls == {"password": 2, "refresh_token": 1}
    assert stats.oauth_outcomes["refresh_token"] == {"invalid_grant": 1}


async def test_401_that_survives_a_refresh_is_returned(
    emulator: Emulator, clock: FakeClock
) -> None:
    async with clocked_client(emulator, clock) as client:
        await client.login()
        clock.advance(120)
        emulator.expire_access_tokens()
        # From now on the server issues access tokens it does not accept.
        emulator.faults.force("oauth", patch={"access_token": "revoked"}, times=2)
        response = await client.get(LIST)
        assert response.status_code == 401
        # 401 → refresh, 401 → give up: no loop, and no login (tokens do not cure it).
        assert emulator.stats().oauth_calls == {"password": 1, "refresh_token": 1}
        assert emulator.stats().data_statuses == {401: 2}
        # The endpoint is futile for a while: its 401s cost no /oauth call.
        assert (await client.get(LIST)).status_code == 401
        assert emulator.stats().oauth_calls == {"password": 1, "refresh_token": 1}
        clock.advance(60)  # ... and is tried again once the interval has passed
        assert (await client.get(LIST)).status_code == 401
        assert emulator.stats().oauth_calls == {"password": 1, "refresh_token": 2}


async def test_an_endpoint_that_always_answers_401_costs_no_login_per_call(
    emulator: Emulator, clock: FakeClock
) -> None:
    denied = MEETING.format(uuid.uuid4())
    emulator.faults.force("meeting", status=401, times=1000)
    async with clocked_client(emulator, clock) as client:
        for _ in range(100):
            assert (await client.get(denied)).status_code == 401
        # one refresh (and one replay) to learn that tokens do not help there; nothing after it
        assert emulator.stats().oauth_calls == {"password": 1, "refresh_token": 1}
        assert emulator.stats().answered("meeting") == 101
        # A hidden expiry elsewhere is still recovered by one refresh.
        emulator.expire_access_tokens()
        assert (await client.get(LIST)).status_code == 200
    assert emulator.stats().oauth_calls == {"password": 1, "refresh_token": 2}


async def test_proactive_refresh_before_expiry(emulator: Emulator, clock: FakeClock) -> None:
    # expires_in as a number this time (the documented form is a string): both are accepted.
    emulator.configure(token_lifetime=60, expires_in_as_string=False)
    async with clocked_client(emulator, clock) as client:
        await client.get(LIST)
        clock.advance(29)
        await client.get(LIST)
        assert emulator.stats().oauth_calls == {"password": 1}
        clock.advance(1)
        await client.get(LIST)  # goes out with the valid token; a refresh starts
        await client.mb_auth.settle()  # waits for that refresh
    assert emulator.stats().oauth_calls == {"password": 1, "refresh_token": 1}
    assert emulator.stats().data_statuses == {200: 3}


async def test_failed_proactive_refresh_keeps_using_the_valid_token(
    emulator: Emulator, clock: FakeClock
) -> None:
    emulator.configure(token_lifetime=60)
    async with clocked_client(emulator, clock) as client:
        await client.get(LIST)
        # The refresh fails, and so does the login that replaces it (a lost refresh answer
        # is never resent; the login is retried twice): the exchange has nothing better than
        # the token it holds.
        emulator.faults.force("oauth", status=503, body="html", times=4)
        clock.advance(40)  # due at 30, valid until 60
        assert (await client.get(LIST)).status_code == 200  # the refresh runs aside
        await client.mb_auth.settle()
        failed = {"password": 4, "refresh_token": 1}
        assert emulator.stats().oauth_calls == failed
        assert emulator.stats().oauth_outcomes == {
            "password": {"fault": 3, "ok": 1},
            "refresh_token": {"fault": 1},
        }
        # The valid token is kept, and the next try waits proactive_retry (5 s), not the
        # short backoff of a failed exchange: no /oauth call a second later ...
        clock.advance(1)
        assert (await client.get(LIST)).status_code == 200
        await client.mb_auth.settle()
        assert emulator.stats().oauth_calls == failed
        # ... but one once it has passed (a login: the refresh token was spent).
        clock.advance(5)
        assert (await client.get(LIST)).status_code == 200
        await client.mb_auth.settle()
        assert emulator.stats().oauth_calls == {**failed, "password": 5}
    assert emulator.stats().data_statuses == {200: 4}


async def test_expired_token_is_refreshed_before_sending(
    emulator: Emulator, clock: FakeClock
) -> None:
    async with clocked_client(emulator, clock) as client:
        await client.get(LIST)
        clock.advance(1201)  # the emulator runs on this clock: its token expired too
        await client.get(LIST)
    assert emulator.stats().data_statuses == {200: 2}
    assert emulator.stats().oauth_calls == {"password": 1, "refresh_token": 1}


async def test_cooldown_blocks_oauth_until_it_has_passed(
    emulator: Emulator, clock: FakeClock
) -> None:
    async with clocked_client(
        emulator, clock, password="wrong", login_failure_cooldown=0
    ) as client:
        with pytest.raises(LoginFailedError) as first:
            await client.get(LIST)
        assert first.value.retry_in_seconds == 10 and not first.value.in_cooldown
        clock.advance(4)
        for _ in range(5):
            with pytest.raises(LoginFailedError) as info:
                await client.get(LIST)
            assert info.value.in_cooldown and info.value.retry_in_seconds == 6
        assert emulator.stats().oauth_calls == {"password": 1}
        clock.advance(6)
        emulator.update_user(ANN, password="wrong")  # the admin fixed the account
        assert (await client.get(LIST)).status_code == 200
    assert emulator.stats().oauth_calls == {"password": 2}


async def test_wrong_password_is_not_retried_in_a_loop(
    emulator: Emulator, clock: FakeClock
) -> None:
    emulator.configure(retry_in_seconds=0)
    emulator.update_user(ANN, password="changed on the server")
    async with clocked_client(emulator, clock) as client:
        for _ in range(20):
            with pytest.raises(LoginFailedError) as info:
                await client.get(LIST)
            clock.advance(1)
    assert info.value.error_state == "FAILEDLOGIN"
    # retry_in_seconds=0, but a refused login still blocks the identity for 60 s.
    assert emulator.stats().oauth_calls == {"password": 1}


async def test_cooldown_wait_waits_instead_of_failing(emulator: Emulator) -> None:
    refusal = jsoauth_error("unauthorized_client", retry=0.05, state="FAILEDLOGIN")
    emulator.faults.force("oauth", status=400, body=refusal)
    auth = make_auth(login_failure_cooldown=0, cooldown_wait=5)
    async with make_client(emulator, auth=auth) as client:
        with pytest.raises(LoginFailedError):
            await client.get(LIST)
        assert (await client.get(LIST)).status_code == 200
    assert emulator.stats().oauth_calls["password"] == 2


async def test_cookies_from_oauth_and_api_are_not_kept(
    emulator: Emulator, clock: FakeClock, wire: Wire
) -> None:
    # /oauth sets MBSession; make the data answers set one of their own too.
    emulator.faults.force("list", headers={"Set-Cookie": "Other=1; Path=/"}, run_handler=True)
    async with clocked_client(emulator, clock, wire=wire) as client:
        await client.get(LIST)
        await client.get(LIST)
        assert len(client.cookies.jar) == 0
    # nothing in the jar means nothing was sent on: the bearer token alone
    assert [sent.headers.get("Cookie") for sent in wire.sent] == [None] * 3
    assert len({sent.authorization for sent in wire.data()}) == 1
    assert emulator.stats().answered("list", 200) == 2


async def test_the_token_is_sent_only_to_the_servers_origin(
    emulator: Emulator, clock: FakeClock, wire: Wire
) -> None:
    async with clocked_client(emulator, clock, wire=wire) as client:
        await client.get("https://elsewhere.test/")
        await client.get(f"http://meetingbooster.test{LIST}")  # same host, other scheme
    assert [str(sent.url) for sent in wire.sent] == [
        "https://elsewhere.test/",
        f"http://meetingbooster.test{LIST}",
    ]
    assert [sent.authorization for sent in wire.sent] == [None, None]
    assert emulator.stats().oauth_total == 0


async def test_auth_works_on_a_plain_async_client(emulator: Emulator) -> None:
    # A plain httpx client offers no transport for /oauth: the auth is given one.
    auth = make_auth(transport=emulator.transport())
    async with (
        auth,
        httpx.AsyncClient(base_url=URL, auth=auth, transport=emulator.transport()) as client,
    ):
        assert (await client.get(LIST)).status_code == 200
        emulator.expire_access_tokens()
        assert (await client.get(LIST)).status_code == 200
    assert emulator.stats().oauth_calls == {"password": 1, "refresh_token": 1}


async def test_login_fails_fast_on_bad_credentials(emulator: Emulator, clock: FakeClock) -> None:
    async with clocked_client(emulator, clock, password="nope") as client:
        with pytest.raises(LoginFailedError):
            await client.login()
    assert emulator.stats().oauth_calls == {"password": 1}
