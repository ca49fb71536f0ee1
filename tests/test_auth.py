"""The auth flow on MeetingBoosterClient against a respx-mocked server (asyncio and trio)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import httpx
import pytest

from meetingbooster_async import (
    APIConnectionError,
    APITimeoutError,
    LoginFailedError,
    MeetingBoosterAuth,
    MeetingBoosterClient,
    OAuthResponseError,
    RequestNotReplayableError,
)

from .fakes import BASE, FakeClock, FakeServer, oauth_error

pytestmark = pytest.mark.anyio


def make_client(
    fake: FakeServer, clock: FakeClock | None = None, password: str | None = None, **kwargs: object
) -> MeetingBoosterClient:
    auth_kwargs = {
        k: kwargs.pop(k)
        for k in list(kwargs)
        if k in {"refresh_margin", "login_failure_cooldown", "cooldown_wait", "token_timeout"}
    }
    auth = MeetingBoosterAuth(
        token_url=f"{BASE}/oauth",
        username="ann@example.com",
        password=password or fake.password,
        clock=clock or FakeClock(),
        **auth_kwargs,
    )  # type: ignore[arg-type]
    return MeetingBoosterClient(BASE, auth=auth, signout_on_close=False, **kwargs)  # type: ignore[arg-type]


async def test_logs_in_lazily_once_and_sends_the_bearer(fake: FakeServer) -> None:
    async with MeetingBoosterClient(
        BASE, username="ann@example.com", password=fake.password
    ) as client:
        assert fake.grants["password"] == 0
        for _ in range(3):
            response = await client.get("/api/v1/mymeetings/list")
            assert response.status_code == 200
    assert fake.grants["password"] == 1
    assert fake.forms[0] == {
        "grant_type": "password",
        "username": "ann@example.com",
        "password": fake.password,
        "app_id": "Api",
    }
    assert fake.api_auth == ["Bearer acc-1-tok"] * 3


async def test_401_refreshes_and_replays_the_body(fake: FakeServer, clock: FakeClock) -> None:
    async with make_client(fake, clock) as client:
        await client.get("/api/v1/x")
        fake.kill_access()
        response = await client.post("/api/v1/x", json={"Title": "Budget"})
    assert response.status_code == 200
    assert fake.grants == {"password": 1, "refresh_token": 1}
    assert fake.api_bodies[-2:] == [b'{"Title":"Budget"}'] * 2
    # The retry carries the new token, rebuilt for the attempt.
    assert fake.api_auth[-2:] == ["Bearer acc-1-tok", "Bearer acc-2-tok"]


async def test_a_streamed_body_cannot_be_replayed_and_says_so(fake: FakeServer) -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b"chunk"

    async with make_client(fake) as client:
        await client.get("/api/v1/x")
        fake.kill_access()
        with pytest.raises(RequestNotReplayableError):
            await client.post("/api/v1/x", content=body())


async def test_rejected_refresh_token_leads_to_one_fresh_login(fake: FakeServer) -> None:
    async with make_client(fake) as client:
        await client.get("/api/v1/x")
        fake.kill_access()
        fake.valid_refresh.clear()  # a server restart forgets everything
        response = await client.get("/api/v1/x")
    assert response.status_code == 200
    assert fake.grants == {"password": 2, "refresh_token": 1}


async def test_401_that_survives_a_refresh_is_returned(fake: FakeServer, clock: FakeClock) -> None:
    async with make_client(fake, clock) as client:
        await client.login()
        clock.advance(120)
        fake.valid_access = set()
        fake.issue = _issue_dead_tokens(fake)  # type: ignore[method-assign]
        response = await client.get("/api/v1/x")
        assert response.status_code == 401
        # 401 → refresh, 401 → give up: no loop, and no login (tokens do not cure it).
        assert fake.grants == {"password": 1, "refresh_token": 1}
        assert fake.api_statuses[401] == 2
        # The endpoint is futile for a while: its 401s cost no /oauth call.
        assert (await client.get("/api/v1/x")).status_code == 401
        assert fake.grants == {"password": 1, "refresh_token": 1}
        clock.advance(60)  # ... and is tried again once the interval has passed
        assert (await client.get("/api/v1/x")).status_code == 401
        assert fake.grants == {"password": 1, "refresh_token": 2}


async def test_an_endpoint_that_always_answers_401_costs_no_login_per_call(
    fake: FakeServer, clock: FakeClock
) -> None:
    async def denied(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401)

    fake.overrides["/api/v1/denied"] = denied
    async with make_client(fake, clock) as client:
        for _ in range(100):
            assert (await client.get("/api/v1/denied")).status_code == 401
        # one refresh to learn that tokens do not help there; nothing after it
        assert fake.grants == {"password": 1, "refresh_token": 1}
        # A hidden expiry elsewhere is still recovered by one refresh.
        fake.kill_access()
        assert (await client.get("/api/v1/x")).status_code == 200
    assert fake.grants == {"password": 1, "refresh_token": 2}


def _issue_dead_tokens(fake: FakeServer):  # type: ignore[no-untyped-def]
    original = fake.issue

    def issue(username: str = "?") -> httpx.Response:
        response = original(username)
        fake.valid_access.clear()
        return response

    return issue


async def test_proactive_refresh_before_expiry(fake: FakeServer, clock: FakeClock) -> None:
    fake.lifetime = 60  # an int this time: both forms are accepted
    async with make_client(fake, clock) as client:
        await client.get("/api/v1/x")
        clock.advance(29)
        await client.get("/api/v1/x")
        assert fake.grants["refresh_token"] == 0
        clock.advance(1)
        await client.get("/api/v1/x")  # goes out with the valid token; a refresh starts
        await client.mb_auth.settle()  # waits for that refresh
    assert fake.grants == {"password": 1, "refresh_token": 1}
    assert fake.api_statuses == {200: 3}


async def test_failed_proactive_refresh_keeps_using_the_valid_token(
    fake: FakeServer, clock: FakeClock
) -> None:
    fake.lifetime = "60"
    async with make_client(fake, clock) as client:
        await client.get("/api/v1/x")
        # The refresh fails, and so does the login that replaces it (a lost refresh answer
        # is never resent): the exchange has nothing better than the token it holds.
        fake.script["refresh_token"] = [httpx.Response(503, text="<html>busy</html>")]
        fake.script["password"] = [httpx.Response(503, text="<html>busy</html>")] * 3
        clock.advance(40)  # due at 30, valid until 60
        assert (await client.get("/api/v1/x")).status_code == 200  # the refresh runs aside
        await client.mb_auth.settle()
        failed = dict(fake.grants)
        assert failed["refresh_token"] == 1 and failed["password"] >= 2
        assert fake.script["password"] == []  # the fallback login met its failures
        # The valid token is kept, and the next try waits proactive_retry (5 s), not the
        # short backoff of a failed exchange: no /oauth call a second later ...
        clock.advance(1)
        assert (await client.get("/api/v1/x")).status_code == 200
        await client.mb_auth.settle()
        assert fake.grants == failed
        # ... but one once it has passed (a login: the refresh token was spent).
        clock.advance(5)
        assert (await client.get("/api/v1/x")).status_code == 200
        await client.mb_auth.settle()
        assert fake.grants == {**failed, "password": failed["password"] + 1}
    assert fake.api_statuses == {200: 4}


async def test_a_lost_refresh_answer_is_not_resent(fake: FakeServer) -> None:
    fake.script["refresh_token"] = [_raiser(httpx.ReadTimeout("answer lost"))]
    async with make_client(fake) as client:
        await client.get("/api/v1/x")
        fake.kill_access()
        assert (await client.get("/api/v1/x")).status_code == 200  # a login recovers it
    refresh_tokens = [form.get("refresh_token") for form in fake.forms]
    assert fake.grants == {"password": 2, "refresh_token": 1}
    assert refresh_tokens.count("ref-1-tok") == 1


async def test_a_refresh_that_never_left_is_retried(fake: FakeServer) -> None:
    fake.script["refresh_token"] = [_raiser(httpx.ConnectError("refused"))]
    async with make_client(fake) as client:
        await client.get("/api/v1/x")
        fake.kill_access()
        assert (await client.get("/api/v1/x")).status_code == 200
    assert fake.grants == {"password": 1, "refresh_token": 2}


async def test_expired_token_is_refreshed_before_sending(
    fake: FakeServer, clock: FakeClock
) -> None:
    async with make_client(fake, clock) as client:
        await client.get("/api/v1/x")
        clock.advance(1201)
        fake.kill_access()
        await client.get("/api/v1/x")
    assert fake.api_statuses == {200: 2}


async def test_cooldown_blocks_oauth_until_it_has_passed(
    fake: FakeServer, clock: FakeClock
) -> None:
    async with make_client(fake, clock, password="wrong", login_failure_cooldown=0) as client:
        with pytest.raises(LoginFailedError) as first:
            await client.get("/api/v1/x")
        assert first.value.retry_in_seconds == 10 and not first.value.in_cooldown
        clock.advance(4)
        for _ in range(5):
            with pytest.raises(LoginFailedError) as info:
                await client.get("/api/v1/x")
            assert info.value.in_cooldown and info.value.retry_in_seconds == 6
        assert fake.grants == {"password": 1}
        clock.advance(6)
        fake.password = "wrong"  # the admin fixed the account
        assert (await client.get("/api/v1/x")).status_code == 200
    assert fake.grants == {"password": 2}


async def test_wrong_password_is_not_retried_in_a_loop(fake: FakeServer, clock: FakeClock) -> None:
    fake.password = "changed on the server"
    fake.script["password"] = [oauth_error("unauthorized_client", retry=0, state="FAILEDLOGIN")]
    async with make_client(fake, clock) as client:
        for _ in range(20):
            with pytest.raises(LoginFailedError):
                await client.get("/api/v1/x")
            clock.advance(1)
    # retry_in_seconds=0, but a refused login still blocks the identity for 60 s.
    assert fake.grants == {"password": 1}


async def test_cooldown_wait_waits_instead_of_failing(fake: FakeServer) -> None:
    fake.script["password"] = [oauth_error("unauthorized_client", retry=0.05, state="FAILEDLOGIN")]
    auth = MeetingBoosterAuth(
        token_url=f"{BASE}/oauth",
        username="ann",
        password=fake.password,
        login_failure_cooldown=0,
        cooldown_wait=5,
    )
    async with MeetingBoosterClient(BASE, auth=auth) as client:
        with pytest.raises(LoginFailedError):
            await client.get("/api/v1/x")
        assert (await client.get("/api/v1/x")).status_code == 200
    assert fake.grants["password"] == 2


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(500, text="<html><h1>Runtime Error</h1></html>"),
        httpx.Response(200, content=b'{"access_token": "a",'),
        httpx.Response(200, content=b""),
        httpx.Response(200, json={"refresh_token": "r", "expires_in": "60"}),
    ],
)
async def test_malformed_oauth_answers_are_typed(
    fake: FakeServer, clock: FakeClock, answer: httpx.Response
) -> None:
    fake.script["password"] = [answer] * (3 if answer.status_code >= 500 else 1)  # 5xx: retried
    async with make_client(fake, clock) as client:
        with pytest.raises(OAuthResponseError) as info:
            await client.get("/api/v1/x")
        assert not info.value.in_cooldown
        # the next request inside the backoff gets the same error at once ...
        with pytest.raises(OAuthResponseError) as again:
            await client.get("/api/v1/x")
        assert again.value.in_cooldown and 0 < again.value.retry_in_seconds <= 0.5
        # ... and once it has passed, recovers
        clock.advance(0.5)
        assert (await client.get("/api/v1/x")).status_code == 200


async def test_a_sign_in_page_for_the_password_is_a_refusal(
    fake: FakeServer, clock: FakeClock
) -> None:
    fake.script["password"] = [httpx.Response(200, text="<!DOCTYPE html><html>Sign in</html>")]
    async with make_client(fake, clock) as client:
        with pytest.raises(LoginFailedError) as info:
            await client.get("/api/v1/x")
        assert isinstance(info.value.__cause__, OAuthResponseError)
        for _ in range(30):
            with pytest.raises(LoginFailedError):
                await client.get("/api/v1/x")
        assert fake.grants == {"password": 1}


async def test_token_endpoint_connection_errors_are_wrapped(fake: FakeServer) -> None:
    fake.script["password"] = [_raiser(httpx.ConnectError("refused"))] * 3
    async with make_client(fake) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.get("/api/v1/x")
        assert isinstance(info.value.__cause__, httpx.ConnectError)
        assert isinstance(info.value, httpx.TransportError)  # httpx idioms keep working


async def test_token_endpoint_timeouts_are_wrapped(fake: FakeServer) -> None:
    fake.script["password"] = [_raiser(httpx.ReadTimeout("slow"))] * 3
    async with make_client(fake) as client:
        with pytest.raises(APITimeoutError):
            await client.get("/api/v1/x")


async def test_a_stalled_token_endpoint_hits_the_deadline(fake: FakeServer) -> None:
    fake.hold = anyio.Event()  # never set: the endpoint stalls
    clock = FakeClock()
    async with make_client(fake, clock, token_timeout=0.05) as client:
        with pytest.raises(APITimeoutError):
            await client.get("/api/v1/x")
        fake.hold = None
        clock.advance(0.5)  # the backoff after a failed exchange
        assert (await client.get("/api/v1/x")).status_code == 200


def _raiser(exc: Exception):  # type: ignore[no-untyped-def]
    def answer() -> httpx.Response:
        raise exc

    return answer


async def test_cookies_from_oauth_and_api_are_not_kept(fake: FakeServer) -> None:
    async with make_client(fake) as client:
        await client.get("/api/v1/x")
        await client.get("/api/v1/x")
        assert len(client.cookies.jar) == 0
    # nothing in the jar means nothing was sent on
    assert all(header == "Bearer acc-1-tok" for header in fake.api_auth)


async def test_the_token_is_sent_only_to_the_servers_origin(fake: FakeServer) -> None:
    seen: list[str | None] = []
    with respx_route("https://elsewhere.test/", seen):
        async with make_client(fake) as client:
            await client.get("https://elsewhere.test/")
            await client.get("http://mb.test/api/v1/x")  # same host, other scheme
    assert seen == [None, None]
    assert fake.grants["password"] == 0


def respx_route(url: str, seen: list[str | None]):  # type: ignore[no-untyped-def]
    import respx

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("Authorization"))
        return httpx.Response(200)

    router = respx.mock(assert_all_called=False)
    router.get(url).mock(side_effect=record)
    router.get("http://mb.test/api/v1/x").mock(side_effect=record)
    return router


async def test_auth_works_on_a_plain_async_client(fake: FakeServer) -> None:
    auth = MeetingBoosterAuth(token_url=f"{BASE}/oauth", username="ann", password=fake.password)
    async with auth, httpx.AsyncClient(base_url=BASE, auth=auth) as client:
        assert (await client.get("/api/v1/x")).status_code == 200
        fake.kill_access()
        assert (await client.get("/api/v1/x")).status_code == 200
    assert fake.grants == {"password": 1, "refresh_token": 1}


async def test_login_fails_fast_on_bad_credentials(fake: FakeServer) -> None:
    async with make_client(fake, password="nope") as client:
        with pytest.raises(LoginFailedError):
            await client.login()


@pytest.mark.parametrize(
    "glitch",
    [
        httpx.Response(503, text="<html>busy</html>"),
        httpx.Response(500, content=b""),
        _raiser(httpx.ConnectError("refused")),
        _raiser(httpx.RemoteProtocolError("reset")),
        _raiser(httpx.ReadTimeout("slow")),
    ],
)
async def test_token_endpoint_glitches_are_retried(fake: FakeServer, glitch: object) -> None:
    fake.script["password"] = [glitch]  # type: ignore[list-item]
    async with make_client(fake) as client:
        assert (await client.get("/api/v1/x")).status_code == 200
    assert fake.grants == {"password": 2}


async def test_a_jsoauth_error_is_a_verdict_not_retried(fake: FakeServer) -> None:
    fake.script["password"] = [oauth_error("unauthorized_client", status=500, retry=1)]
    async with make_client(fake) as client:
        with pytest.raises(LoginFailedError):
            await client.get("/api/v1/x")
    assert fake.grants == {"password": 1}
