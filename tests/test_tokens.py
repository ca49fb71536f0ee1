"""TokenManager's decisions, driven by hand on a fake clock (no event loop, no network)."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from meetingbooster_async import (
    APIConnectionError,
    InvalidGrantError,
    LoginFailedError,
    OAuthResponseError,
)
from meetingbooster_async._oauth import Credentials
from meetingbooster_async._tokens import AccessToken, TokenManager, TokenPolicy

from .fakes import FakeClock, oauth_error

URL = httpx.URL("https://mb.test/oauth")
Responder = Callable[[dict[str, str]], httpx.Response | Exception]


def run(
    flow: Generator[httpx.Request, httpx.Response, Any], respond: Responder
) -> tuple[Any, list[str]]:
    """Drive a token flow; return its result and the grant types it sent."""
    sent: list[str] = []
    try:
        request = next(flow)
        while True:
            fields = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            sent.append(fields["grant_type"])
            answer = respond(fields)
            request = flow.throw(answer) if isinstance(answer, Exception) else flow.send(answer)
    except StopIteration as stop:
        return stop.value, sent


def token_body(n: int, lifetime: object = "60") -> httpx.Response:
    return httpx.Response(
        200, json={"access_token": f"a{n}", "refresh_token": f"r{n}", "expires_in": lifetime}
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def manager(clock: FakeClock) -> TokenManager:
    return TokenManager(
        Credentials(username="ann", password="pw"),
        URL,
        clock=clock,
        policy=TokenPolicy(login_failure_cooldown=30.0),
    )


def login(manager: TokenManager, lifetime: object = "60") -> AccessToken:
    token, sent = run(manager.acquire(), lambda f: token_body(1, lifetime))
    assert sent == ["password"]
    return token  # type: ignore[no-any-return]


def test_first_acquire_logs_in_and_schedules_refresh_half_way_for_short_tokens(
    manager: TokenManager, clock: FakeClock
) -> None:
    token = login(manager, "60")
    assert token.header == "Bearer a1"
    assert token.expires_at == clock.now + 60
    # refresh at lifetime - min(margin=60, lifetime/2) = 30 s: never "expired on arrival"
    assert token.refresh_at == clock.now + 30
    assert manager.usable() is token
    clock.advance(29.9)
    assert manager.usable() is token
    clock.advance(0.1)
    assert manager.usable() is None


def test_long_tokens_refresh_one_margin_before_expiry(
    manager: TokenManager, clock: FakeClock
) -> None:
    token = login(manager, 1200)
    assert token.refresh_at == clock.now + 1140


def test_missing_expires_in_uses_the_default_lifetime(
    manager: TokenManager, clock: FakeClock
) -> None:
    token, _ = run(manager.acquire(), lambda f: httpx.Response(200, json={"access_token": "a"}))
    assert token.expires_at == clock.now + 1200


def test_a_valid_token_is_returned_without_a_call(manager: TokenManager) -> None:
    token = login(manager)
    again, sent = run(manager.acquire(), lambda f: pytest.fail("no call expected"))
    assert again is token and sent == []


def test_due_token_is_refreshed_with_the_refresh_token(
    manager: TokenManager, clock: FakeClock
) -> None:
    login(manager)
    clock.advance(31)
    seen: list[dict[str, str]] = []

    def respond(fields: dict[str, str]) -> httpx.Response:
        seen.append(fields)
        return token_body(2)

    token, sent = run(manager.acquire(), respond)
    assert sent == ["refresh_token"] and seen[0]["refresh_token"] == "r1"
    assert token.header == "Bearer a2"


def test_rejected_token_is_dropped_only_if_still_current(manager: TokenManager) -> None:
    first = login(manager)
    second, sent = run(manager.acquire(rejected=first), lambda f: token_body(2))
    assert sent == ["refresh_token"]
    # A late 401 for the first token must not throw away the second one.
    third, sent = run(manager.acquire(rejected=first), lambda f: pytest.fail("no call"))
    assert third is second and sent == []


def test_invalid_grant_on_refresh_falls_back_to_one_password_login(manager: TokenManager) -> None:
    first = login(manager)
    answers = iter([oauth_error("invalid_grant"), token_body(2)])
    token, sent = run(manager.acquire(rejected=first), lambda f: next(answers))
    assert sent == ["refresh_token", "password"]
    assert token.header == "Bearer a2"


def test_failed_proactive_refresh_keeps_the_valid_token(
    manager: TokenManager, clock: FakeClock
) -> None:
    first = login(manager)
    clock.advance(31)  # due, but valid until 60
    token, sent = run(manager.acquire(), lambda f: httpx.Response(503, text="<html>down</html>"))
    # The refresh is not resent (it may have been spent); a login is tried instead.
    assert sent == ["refresh_token", "password"]
    assert token.header == first.header and token.generation == first.generation
    # No hammering: the next proactive attempt waits proactive_retry (5 s).
    assert manager.usable() is token
    clock.advance(5)
    assert manager.usable() is None


def test_a_failed_proactive_refresh_near_the_end_keeps_it_due_by_send_by(
    manager: TokenManager, clock: FakeClock
) -> None:
    first = login(manager)  # 60 s: refresh due at 30, sent until 50
    clock.advance(47)

    def slow_failure(flow: object) -> httpx.Response:
        clock.advance(1)  # each failed answer takes a second
        return httpx.Response(503, text="<html>down</html>")

    token, _ = run(manager.acquire(), slow_failure)
    assert token.generation == first.generation
    # The retry is spaced from when the failure came (49 s), and never later than send_by:
    # a token usable but not sendable would make the send loop ask again without waiting.
    assert token.refresh_at == first.send_by
    clock.advance(token.send_by - clock.now)
    assert manager.valid() is None and manager.usable() is None
    assert manager.check() == (None, True)  # the next caller waits for an exchange


def test_failure_without_a_valid_token_raises_typed(manager: TokenManager) -> None:
    with pytest.raises(OAuthResponseError):
        run(manager.acquire(), lambda f: httpx.Response(502, text="<html>bad gateway</html>"))


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, text="<html>sign in</html>"),
        httpx.Response(401, text="<html>denied</html>"),
        httpx.Response(403, content=b""),
        httpx.Response(400, text="Bad Request"),
    ],
    ids=["200-html", "401-html", "403-empty", "400-text"],
)
def test_a_password_refused_without_an_oauth_body_starts_the_login_cooldown(
    manager: TokenManager, clock: FakeClock, answer: httpx.Response
) -> None:
    with pytest.raises(LoginFailedError) as info:
        run(manager.acquire(), lambda f: answer)
    assert isinstance(info.value.__cause__, OAuthResponseError)
    assert not info.value.in_cooldown
    # The next caller meets the cooldown: nothing is sent.
    with pytest.raises(LoginFailedError) as again:
        run(manager.acquire(), lambda f: pytest.fail("a login sent inside the cooldown"))
    assert again.value.in_cooldown and again.value.retry_in_seconds == 30
    clock.advance(30)
    _token, sent = run(manager.acquire(), lambda f: token_body(1))
    assert sent == ["password"]


def test_failures_back_off_growing_and_a_success_resets(
    manager: TokenManager, clock: FakeClock
) -> None:
    def fail() -> None:
        with pytest.raises(OAuthResponseError):
            run(manager.acquire(), lambda f: httpx.Response(503, text="down"))

    def blocked_for() -> float:
        with pytest.raises(OAuthResponseError) as info:
            run(manager.acquire(), lambda f: pytest.fail("sent inside the backoff"))
        assert info.value.in_cooldown
        return info.value.retry_in_seconds

    fail()
    assert blocked_for() == pytest.approx(0.5)
    clock.advance(0.5)
    fail()
    assert blocked_for() == pytest.approx(1.0)
    for _ in range(8):
        clock.advance(blocked_for())
        fail()
    assert blocked_for() == pytest.approx(30.0)  # capped
    clock.advance(30)
    login(manager)
    clock.advance(61)  # expired: the next exchange starts at once after the reset
    with pytest.raises(OAuthResponseError):
        run(manager.acquire(), lambda f: httpx.Response(503, text="down"))
    assert blocked_for() == pytest.approx(0.5)


def test_a_refresh_cut_short_by_the_callers_deadline_is_never_resent(
    manager: TokenManager, clock: FakeClock
) -> None:
    from meetingbooster_async._errors import CallerDeadlineError

    login(manager)
    clock.advance(61)
    with pytest.raises(CallerDeadlineError):
        run(manager.acquire(), lambda f: CallerDeadlineError("leader out of time"))
    assert not manager.has_refresh_token and manager.is_spent("r1")
    _token, sent = run(manager.acquire(), lambda f: token_body(2))
    assert sent == ["password"]


def test_a_spent_refresh_token_in_the_store_is_not_adopted(
    manager: TokenManager, clock: FakeClock
) -> None:
    login(manager)
    stored = manager.export()
    assert stored is not None
    clock.advance(61)
    lost = APIConnectionError("reset")
    lost.__cause__ = httpx.ReadError("reset")
    with pytest.raises(OAuthResponseError):  # refresh lost, then the fallback login fails
        run(
            manager.acquire(),
            lambda f: lost if f["grant_type"] == "refresh_token" else httpx.Response(502),
        )
    manager.adopt(stored)  # the store still holds r1
    assert not manager.has_refresh_token


def test_a_server_that_does_not_rotate_keeps_the_refresh_token(
    manager: TokenManager, clock: FakeClock
) -> None:
    login(manager)
    clock.advance(61)
    _token, sent = run(
        manager.acquire(), lambda f: httpx.Response(200, json={"access_token": "a2"})
    )
    assert sent == ["refresh_token"]
    assert manager.has_refresh_token and not manager.is_spent("r1")


@pytest.mark.parametrize("value", ["", "0", 0, -3, "abc", "1200s"])
def test_an_unusable_expires_in_keeps_the_tokens_and_warns_once(
    manager: TokenManager, clock: FakeClock, value: object, caplog: pytest.LogCaptureFixture
) -> None:
    token = login(manager, value)
    assert token.header == "Bearer a1"
    assert token.expires_at == clock.now + 1200  # the default lifetime
    clock.advance(1200)
    run(manager.acquire(), lambda f: token_body(2, value))
    warnings = [r for r in caplog.records if "unusable expires_in" in r.getMessage()]
    assert len(warnings) == 1


def test_a_tiny_lifetime_is_clamped(manager: TokenManager, clock: FakeClock) -> None:
    token = login(manager, "1e-06")
    assert token.expires_at == clock.now + TokenPolicy().min_lifetime
    assert manager.usable() is token


def test_a_futile_endpoint_is_remembered_for_an_interval(
    manager: TokenManager, clock: FakeClock
) -> None:
    token = login(manager)
    assert not manager.is_futile("GET /api/v1/licensed")
    manager.mark_futile("GET /api/v1/licensed", token)
    assert manager.is_futile("GET /api/v1/licensed")
    assert not manager.is_futile("GET /api/v1/mymeetings/list")
    clock.advance(60)
    assert not manager.is_futile("GET /api/v1/licensed")


def test_a_replay_that_queued_past_the_refresh_marks_nothing(
    manager: TokenManager, clock: FakeClock
) -> None:
    token = login(manager)
    clock.advance(30)  # the token is due: its 401 may be a real expiry
    manager.mark_futile("GET /api/v1/x", token)
    assert not manager.is_futile("GET /api/v1/x")


def test_the_futile_memory_is_bounded(manager: TokenManager) -> None:
    token = login(manager)
    for n in range(300):
        manager.mark_futile(f"GET /{n}", token)
    assert not manager.is_futile("GET /0") and manager.is_futile("GET /299")


def test_a_refresh_that_surely_never_left_keeps_the_refresh_token(
    manager: TokenManager, clock: FakeClock
) -> None:
    first = login(manager)
    # The sender's record: the transport wrote nothing (whatever the cause's class).
    unsent = APIConnectionError("refused", may_have_reached_server=False)
    with pytest.raises(APIConnectionError):
        run(manager.acquire(rejected=first), lambda f: unsent)
    assert manager.has_refresh_token


def test_a_refresh_that_may_have_left_spends_the_refresh_token(
    manager: TokenManager, clock: FakeClock
) -> None:
    """Even with a "never sent" class as its cause: the record says it was written."""
    first = login(manager)
    lost = APIConnectionError("lost", may_have_reached_server=True)
    lost.__cause__ = httpx.ConnectError("a class that would say nothing was sent")
    _token, sent = run(
        manager.acquire(rejected=first),
        lambda f: lost if f["grant_type"] == "refresh_token" else token_body(2),
    )
    assert sent == ["refresh_token", "password"]


def test_caller_deadline_is_not_shared_with_waiters(manager: TokenManager) -> None:
    from meetingbooster_async._errors import CallerDeadlineError

    seen = manager.epoch
    with pytest.raises(CallerDeadlineError):
        run(manager.acquire(), lambda f: CallerDeadlineError("leader out of time"))
    # A queued caller does not inherit it: it makes its own attempt.
    _token, sent = run(manager.acquire(seen_epoch=seen), lambda f: token_body(1))
    assert sent == ["password"]


def test_replayed_failures_keep_their_cause(manager: TokenManager) -> None:
    seen = manager.epoch
    failure = APIConnectionError("could not be reached")
    failure.__cause__ = httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED]")
    with pytest.raises(APIConnectionError):
        run(manager.acquire(), lambda f: failure)
    with pytest.raises(APIConnectionError) as info:
        run(manager.acquire(seen_epoch=seen), lambda f: pytest.fail("no second call"))
    assert info.value is not failure
    assert "CERTIFICATE_VERIFY_FAILED" in str(info.value.__cause__)


def test_signout_forgets_a_stale_failure(manager: TokenManager) -> None:
    seen = manager.epoch
    with pytest.raises(OAuthResponseError):
        run(manager.acquire(), lambda f: httpx.Response(500, text="boom"))
    run(manager.signout(), lambda f: pytest.fail("nothing to sign out"))
    _token, sent = run(manager.acquire(seen_epoch=seen), lambda f: token_body(1))
    assert sent == ["password"]


def test_transport_errors_thrown_into_the_flow_propagate(manager: TokenManager) -> None:
    with pytest.raises(APIConnectionError):
        run(manager.acquire(), lambda f: APIConnectionError("reset"))


def test_failed_login_starts_a_cooldown_and_nothing_is_sent_in_it(
    manager: TokenManager, clock: FakeClock
) -> None:
    with pytest.raises(LoginFailedError):
        run(
            manager.acquire(),
            lambda f: oauth_error("unauthorized_client", retry=10, state="FAILEDLOGIN"),
        )
    # The server asked for 10 s, the policy floor for a refused login is 30 s.
    assert manager.cooldown_remaining() == 30
    clock.advance(12)
    with pytest.raises(LoginFailedError) as info:
        run(manager.acquire(), lambda f: pytest.fail("nothing may be sent in the cooldown"))
    assert info.value.in_cooldown and info.value.retry_in_seconds == 18
    clock.advance(18)
    _token, sent = run(manager.acquire(), lambda f: token_body(1))
    assert sent == ["password"]


def test_server_cooldown_longer_than_the_floor_wins(manager: TokenManager) -> None:
    with pytest.raises(LoginFailedError):
        run(manager.acquire(), lambda f: oauth_error("unauthorized_client", retry=600))
    assert manager.cooldown_remaining() == 600


def test_invalid_grant_with_retry_in_seconds_does_not_log_in(manager: TokenManager) -> None:
    first = login(manager)
    with pytest.raises(InvalidGrantError):
        run(manager.acquire(rejected=first), lambda f: oauth_error("invalid_grant", retry=20))
    assert manager.cooldown_remaining() == 20


def test_waiters_of_a_failed_attempt_share_its_failure(
    manager: TokenManager, clock: FakeClock
) -> None:
    seen = manager.epoch  # a waiter queues here ...
    with pytest.raises(OAuthResponseError):  # ... while the leader's attempt fails
        run(manager.acquire(), lambda f: httpx.Response(500, text="boom"))
    with pytest.raises(OAuthResponseError) as info:
        run(manager.acquire(seen_epoch=seen), lambda f: pytest.fail("no second call"))
    assert "HTTP 500" in str(info.value)
    # A caller arriving afterwards tries again once the backoff has passed.
    clock.advance(0.5)
    _token, sent = run(manager.acquire(seen_epoch=manager.epoch), lambda f: token_body(1))
    assert sent == ["password"]


def test_signout_forgets_tokens_and_tells_the_server(manager: TokenManager) -> None:
    login(manager)
    seen: list[dict[str, str]] = []

    def respond(fields: dict[str, str]) -> httpx.Response:
        seen.append(fields)
        return httpx.Response(200, json={})

    run(manager.signout(), respond)
    assert seen == [{"grant_type": "signout", "refresh_token": "r1", "app_id": "Api"}]
    assert manager.usable() is None and not manager.has_refresh_token


def test_signout_without_tokens_sends_nothing(manager: TokenManager) -> None:
    _, sent = run(manager.signout(), lambda f: pytest.fail("nothing to sign out"))
    assert sent == []


def test_signout_of_an_already_invalid_token_is_fine(manager: TokenManager) -> None:
    login(manager)
    _, sent = run(manager.signout(), lambda f: oauth_error("invalid_grant"))
    assert sent == ["signout"]


def test_signout_failure_is_typed(manager: TokenManager) -> None:
    login(manager)
    with pytest.raises(OAuthResponseError):
        run(manager.signout(), lambda f: httpx.Response(500, text="<html/>"))
    assert not manager.has_refresh_token


def test_repr_shows_no_secret(manager: TokenManager) -> None:
    token = login(manager)
    for text in (repr(manager), repr(token), str(token)):
        assert "a1" not in text and "r1" not in text and "pw" not in text


def test_a_token_is_not_sent_in_its_last_quarter_or_last_ten_seconds(
    manager: TokenManager, clock: FakeClock
) -> None:
    token = login(manager, "60")  # refresh due at 30; sent until 60 - min(10, 15) = 50
    clock.advance(49.9)
    assert manager.valid() is token
    assert manager.check() == (token, True)  # still sent, while one refresh runs aside
    clock.advance(0.1)
    assert manager.valid() is None  # too close to expiry to reach the server in time
    assert manager.check() == (None, True)  # this caller waits for the refresh


def test_a_long_token_stops_being_sent_ten_seconds_before_expiry(
    manager: TokenManager, clock: FakeClock
) -> None:
    token = login(manager, 1200)
    assert token.send_by == token.expires_at - 10
