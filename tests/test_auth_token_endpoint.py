"""The auth flow when the token endpoint misbehaves: malformed answers, refusals, lost
connections, stalls and glitches (the emulator in process; respx only where a transport must
raise by itself), on asyncio and trio."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from meetingbooster_async import (
    APIConnectionError,
    APITimeoutError,
    LoginFailedError,
    OAuthResponseError,
)
from meetingbooster_async.testing import Emulator

from .emulated import (
    LIST,
    URL,
    Client,
    Wire,
    clocked_client,
    jsoauth_error,
    make_auth,
)
from .fakes import FakeClock, transport_errors

pytestmark = pytest.mark.anyio


async def test_a_lost_refresh_answer_is_not_resent(
    emulator: Emulator, clock: FakeClock, wire: Wire
) -> None:
    async with clocked_client(emulator, clock, wire=wire) as client:
        await client.get(LIST)
        emulator.expire_access_tokens()
        emulator.faults.drop("oauth", run_handler=True)  # the server rotated; the answer is lost
        assert (await client.get(LIST)).status_code == 200  # a login recovers it
    assert emulator.stats().oauth_calls == {"password": 2, "refresh_token": 1}
    refresh_tokens = [g["refresh_token"] for g in wire.grants() if "refresh_token" in g]
    assert len(refresh_tokens) == 1


async def test_a_refresh_that_never_left_is_retried(emulator: Emulator, clock: FakeClock) -> None:
    # respx: only a transport raises ConnectError (nothing sent); the emulator answers the rest.
    with transport_errors(emulator) as errors:
        async with Client(URL, auth=make_auth(clock=clock)) as client:
            await client.get(LIST)
            emulator.expire_access_tokens()
            errors.raise_next("/oauth", httpx.ConnectError("refused"))
            assert (await client.get(LIST)).status_code == 200
    # The refresh that never left was sent again, and the emulator accepted it.
    assert errors.raised == {"/oauth": 1}
    assert emulator.stats().oauth_calls == {"password": 1, "refresh_token": 1}
    assert emulator.stats().oauth_outcomes["refresh_token"] == {"ok": 1}


@pytest.mark.parametrize(
    ("fault", "times"),
    [
        ({"status": 500, "body": "html"}, 3),  # a 5xx is retried twice
        ({"status": 200, "body": "invalid_json"}, 1),
        ({"status": 200, "body": "empty"}, 1),
        ({"drop_keys": ["access_token"]}, 1),
    ],
    ids=["html-500", "invalid-json", "empty", "no-access-token"],
)
async def test_malformed_oauth_answers_are_typed(
    emulator: Emulator, clock: FakeClock, fault: dict[str, Any], times: int
) -> None:
    emulator.faults.force("oauth", **fault, times=times)
    async with clocked_client(emulator, clock) as client:
        with pytest.raises(OAuthResponseError) as info:
            await client.get(LIST)
        assert not info.value.in_cooldown
        # the next request inside the backoff gets the same error at once ...
        with pytest.raises(OAuthResponseError) as again:
            await client.get(LIST)
        assert again.value.in_cooldown and 0 < again.value.retry_in_seconds <= 0.5
        assert emulator.stats().oauth_calls == {"password": times}
        # ... and once it has passed, recovers
        clock.advance(0.5)
        assert (await client.get(LIST)).status_code == 200


async def test_a_sign_in_page_for_the_password_is_a_refusal(
    emulator: Emulator, clock: FakeClock
) -> None:
    emulator.faults.force("oauth", status=200, body="html")  # a 200 HTML page, not a token
    async with clocked_client(emulator, clock) as client:
        with pytest.raises(LoginFailedError) as info:
            await client.get(LIST)
        assert isinstance(info.value.__cause__, OAuthResponseError)
        for _ in range(30):
            with pytest.raises(LoginFailedError):
                await client.get(LIST)
        assert emulator.stats().oauth_calls == {"password": 1}


async def test_token_endpoint_connection_errors_are_wrapped(
    emulator: Emulator, clock: FakeClock
) -> None:
    emulator.faults.drop("oauth", mode="reset", times=3)
    async with clocked_client(emulator, clock) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.get(LIST)
        assert isinstance(info.value.__cause__, httpx.ReadError)
        assert isinstance(info.value, httpx.TransportError)  # httpx idioms keep working
    assert emulator.stats().oauth_calls == {"password": 3}


async def test_any_failure_of_a_transport_starts_the_backoff(
    emulator: Emulator, clock: FakeClock
) -> None:
    """Not only httpx's errors: a transport's own bug is a failed call, wrapped and backed off
    (ten callers, one /oauth call), its message kept, its frames dropped."""
    with transport_errors(emulator) as errors:
        errors.raise_next("/oauth", RuntimeError("a transport's bug"))
        async with Client(URL, auth=make_auth(clock=clock)) as client:
            failures = []
            for _ in range(10):
                with pytest.raises(APIConnectionError) as info:
                    await client.get(LIST)
                failures.append(info.value)
    assert errors.raised == {"/oauth": 1}
    assert "RuntimeError: a transport's bug" in str(failures[0])
    assert failures[0].__cause__ is not None and failures[0].__cause__.__traceback__ is None
    assert all(f.in_cooldown for f in failures[1:])


async def test_token_endpoint_timeouts_are_wrapped(emulator: Emulator, clock: FakeClock) -> None:
    # respx: the in-process emulator cannot make httpx time out; the transport raises it.
    with transport_errors(emulator) as errors:
        errors.raise_next("/oauth", *[httpx.ReadTimeout("slow")] * 3)
        async with Client(URL, auth=make_auth(clock=clock)) as client:
            with pytest.raises(APITimeoutError) as info:
                await client.get(LIST)
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)
    assert errors.raised == {"/oauth": 3}


async def test_a_stalled_token_endpoint_hits_the_deadline(
    emulator: Emulator, clock: FakeClock
) -> None:
    emulator.faults.hold("oauth")  # the endpoint stalls until released
    async with clocked_client(emulator, clock, token_timeout=0.05) as client:
        with pytest.raises(APITimeoutError):
            await client.get(LIST)
        emulator.faults.release("oauth")
        clock.advance(0.5)  # the backoff after a failed exchange
        assert (await client.get(LIST)).status_code == 200
    assert emulator.stats().oauth_calls == {"password": 2}


@pytest.mark.parametrize(
    "glitch",
    [
        {"force": {"status": 503, "body": "html"}},
        {"force": {"status": 500, "body": "empty"}},
        {"drop": {"mode": "close"}},
        {"drop": {"mode": "reset"}},
    ],
    ids=["html-503", "empty-500", "closed", "reset"],
)
async def test_token_endpoint_glitches_are_retried(
    emulator: Emulator, clock: FakeClock, glitch: dict[str, dict[str, Any]]
) -> None:
    [(kind, options)] = glitch.items()
    getattr(emulator.faults, kind)("oauth", **options)
    async with clocked_client(emulator, clock) as client:
        assert (await client.get(LIST)).status_code == 200
    assert emulator.stats().oauth_calls == {"password": 2}


@pytest.mark.parametrize(
    "error", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow")], ids=["refused", "timeout"]
)
async def test_token_endpoint_transport_errors_are_retried(
    emulator: Emulator, clock: FakeClock, error: Exception
) -> None:
    # respx: errors the transport raises itself; the emulator answers the retry.
    with transport_errors(emulator) as errors:
        errors.raise_next("/oauth", error)
        async with Client(URL, auth=make_auth(clock=clock)) as client:
            assert (await client.get(LIST)).status_code == 200
    assert errors.raised == {"/oauth": 1}
    assert emulator.stats().oauth_calls == {"password": 1}


async def test_a_jsoauth_error_is_a_verdict_not_retried(
    emulator: Emulator, clock: FakeClock
) -> None:
    refusal = jsoauth_error("unauthorized_client", retry=1)
    emulator.faults.force("oauth", status=500, body=refusal)
    async with clocked_client(emulator, clock) as client:
        with pytest.raises(LoginFailedError):
            await client.get(LIST)
    assert emulator.stats().oauth_calls == {"password": 1}
