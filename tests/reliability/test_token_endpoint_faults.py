"""Scenario 1: a token endpoint that answers garbage or nothing at all, over real HTTP.

Every fault ends in a typed :class:`MeetingBoosterError` or in recovery, within a bound, never
in a bare ``KeyError``/``ValueError``/``JSONDecodeError``; the request after the fault clears
logs in and succeeds. Also the Behaviour rule for ``/oauth``: a 5xx or a timeout is retried
with backoff (bounded), a ``JSOAuthError`` never is.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import anyio
import httpx
import pytest

from meetingbooster_async import (
    APITimeoutError,
    LoginFailedError,
    MeetingBoosterAuth,
    MeetingBoosterError,
    OAuthError,
    OAuthResponseError,
    RetryPolicy,
    TokenPolicy,
)
from meetingbooster_async.testing import EmulatorServer

from .helpers import LIST, PASSWORD, USER, ReliabilityEmulator, client

pytestmark = [pytest.mark.anyio]

#: The bound on any one call here: far above what it needs, far below a hang.
BOUND = 5.0
#: The token-call deadline used for the stall scenarios (the point is the bound, not 30 s).
SHORT = 0.5
#: How late after its deadline a call may end (scheduling on 2 loaded cores).
TOLERANCE = 1.0

#: (id, force() arguments, times, expected: an exception type or "ok").
TOKEN_FAULTS: list[tuple[str, dict[str, Any], int, type[Exception] | str]] = [
    ("500-then-ok", {"status": 500}, 1, "ok"),  # retried: the glitch is gone by attempt 2
    ("500-every-attempt", {"status": 500}, 3, OAuthResponseError),
    ("503-html", {"status": 503, "body": "html"}, 3, OAuthResponseError),
    # A sign-in page or any 4xx answering the password is a refusal: the login cooldown.
    ("200-html", {"body": "html"}, 1, LoginFailedError),
    ("200-invalid-json", {"body": "invalid_json"}, 1, OAuthResponseError),
    ("200-empty-body", {"body": "empty"}, 1, OAuthResponseError),
    ("502-empty-body", {"status": 502, "body": "empty"}, 3, OAuthResponseError),
    ("200-json-array", {"body": [1, 2, 3]}, 1, OAuthResponseError),
    ("200-json-string", {"body": b'"access_token"'}, 1, OAuthResponseError),
    ("200-binary", {"body": b"\xff\xfe\x00garbage\x80"}, 1, OAuthResponseError),
    ("200-deeply-nested-json", {"body": b"[" * 10_000}, 1, OAuthResponseError),
    ("400-deeply-nested-json", {"status": 400, "body": b"[" * 10_000}, 1, LoginFailedError),
    ("missing-access-token", {"drop_keys": ["access_token"]}, 1, OAuthResponseError),
    ("empty-access-token", {"patch": {"access_token": ""}}, 1, OAuthResponseError),
    ("numeric-access-token", {"patch": {"access_token": 12345}}, 1, OAuthResponseError),
    ("object-refresh-token", {"patch": {"refresh_token": {"a": 1}}}, 1, OAuthResponseError),
    # An unusable expires_in keeps the tokens (the default lifetime is assumed).
    ("expires_in-abc", {"patch": {"expires_in": "abc"}}, 1, "ok"),
    ("expires_in-negative", {"patch": {"expires_in": -60}}, 1, "ok"),
    ("expires_in-negative-string", {"patch": {"expires_in": "-60"}}, 1, "ok"),
    ("expires_in-zero", {"patch": {"expires_in": "0"}}, 1, "ok"),
    ("expires_in-infinity", {"patch": {"expires_in": float("inf")}}, 1, "ok"),
    ("expires_in-nan-string", {"patch": {"expires_in": "NaN"}}, 1, "ok"),
    ("expires_in-list", {"patch": {"expires_in": [60]}}, 1, "ok"),
    ("expires_in-bool", {"patch": {"expires_in": True}}, 1, "ok"),
    ("expires_in-overflowing-int", {"patch": {"expires_in": 10**400}}, 1, "ok"),
    ("expires_in-huge", {"patch": {"expires_in": 10**30}}, 1, "ok"),  # capped at a week
    ("expires_in-huge-string", {"patch": {"expires_in": "1e300"}}, 1, "ok"),
    ("expires_in-null", {"patch": {"expires_in": None}}, 1, "ok"),  # the default lifetime
]


@pytest.mark.parametrize(
    ("fault", "times", "expected"),
    [pytest.param(kw, times, exp, id=name) for name, kw, times, exp in TOKEN_FAULTS],
)
async def test_a_malformed_token_answer_is_typed_or_recovered(
    server: EmulatorServer,
    emulator: ReliabilityEmulator,
    fault: dict[str, Any],
    times: int,
    expected: type[Exception] | str,
) -> None:
    emulator.faults.force("oauth", times=times, **fault)
    # No backoff and no login cooldown here: the test checks the next request recovers.
    policy = TokenPolicy(failure_backoff=0, login_failure_cooldown=0)
    auth = MeetingBoosterAuth(
        token_url=f"{server.url}/oauth", username=USER, password=PASSWORD, token_policy=policy
    )
    async with client(server, auth=auth, signout_on_close=False) as c:
        with anyio.fail_after(BOUND):
            if expected == "ok":
                assert (await c.get(LIST)).status_code == 200
                calls = 1 + ("status" in fault)  # a 5xx costs exactly one retry
            else:
                with pytest.raises(MeetingBoosterError) as info:
                    await c.get(LIST)
                assert type(info.value) is expected, repr(info.value)
                assert not isinstance(info.value, KeyError | json.JSONDecodeError)
                calls = times
            assert emulator.stats().oauth_calls == {"password": calls}
            # The fault is spent: the next request logs in once and succeeds.
            assert (await c.get(LIST)).status_code == 200
        stats = emulator.stats()
        if expected == "ok":
            assert stats.oauth_calls == {"password": calls}
        else:
            assert stats.oauth_calls == {"password": calls + 1}
            # A patched answer ran the real handler: the server logged in, the client refused.
            handler_ran = "patch" in fault or "drop_keys" in fault
            assert stats.oauth_outcomes["password"]["ok"] == 1 + handler_ran


@pytest.mark.parametrize("bound_by", ["client-deadline", "per-call-deadline"])
async def test_a_stalled_token_endpoint_fails_the_caller_at_its_deadline(
    server: EmulatorServer, emulator: ReliabilityEmulator, bound_by: str
) -> None:
    """The "30 s stall": the caller leaves at its own deadline; the exchange goes on."""
    kwargs: dict[str, Any] = {}
    extensions: dict[str, Any] = {}
    if bound_by == "client-deadline":
        kwargs["deadline"] = SHORT
    else:
        extensions["meetingbooster_deadline"] = SHORT
    emulator.faults.hold("oauth")  # every /oauth call hangs until released
    async with client(server, **kwargs) as c:
        with anyio.fail_after(BOUND):
            started = anyio.current_time()
            with pytest.raises(APITimeoutError):
                await c.get(LIST, extensions=extensions)
            elapsed = anyio.current_time() - started
            assert SHORT - 0.05 <= elapsed < SHORT + TOLERANCE
            # The exchange is not the caller's: it is still waiting at the server ...
            assert emulator.faults.held("oauth") == 1
            emulator.faults.release()
            # ... and the next request gets the login it produced.
            assert (await c.get(LIST, extensions=extensions)).status_code == 200
            stats = emulator.stats()
    assert stats.oauth_calls == {"password": 1}
    assert stats.oauth_outcomes == {"password": {"ok": 1}}


async def test_a_stalled_token_endpoint_fails_typed_at_token_timeout(
    server: EmulatorServer, emulator: ReliabilityEmulator
) -> None:
    """The exchange's own bound cuts the stalled call; the server sees it abandoned."""
    auth = MeetingBoosterAuth(
        token_url=f"{server.url}/oauth",
        username=USER,
        password=PASSWORD,
        token_timeout=SHORT,
        token_retry=RetryPolicy(max_retries=0),  # this pins the bound; retries: see below
        token_policy=TokenPolicy(failure_backoff=0),
    )
    emulator.faults.hold("oauth")
    async with client(server, auth=auth) as c:
        with anyio.fail_after(BOUND):
            started = anyio.current_time()
            with pytest.raises(APITimeoutError):
                await c.get(LIST)
            elapsed = anyio.current_time() - started
            assert SHORT - 0.05 <= elapsed < SHORT + TOLERANCE
            await emulator.faults.wait_released("oauth")
            assert emulator.stats().oauth_outcomes == {"password": {"abandoned": 1}}
            emulator.faults.release()
            assert (await c.get(LIST)).status_code == 200
            stats = emulator.stats()
    assert stats.oauth_calls == {"password": 2}
    assert stats.oauth_outcomes == {"password": {"abandoned": 1, "ok": 1}}


# --- Behaviour: /oauth glitches are retried with backoff (bounded), verdicts are not --------


def _token_retry_delays(caplog: pytest.LogCaptureFixture) -> list[float]:
    """The delays of the DEBUG records that announce a retry of a token call."""
    pattern = re.compile(r"token call.* failed; retry (\d+) in ([0-9.]+)s")
    found = [pattern.search(r.getMessage()) for r in caplog.records if r.levelno == logging.DEBUG]
    return [float(m.group(2)) for m in found if m]


async def test_a_login_5xx_is_retried_with_backoff_and_logged(
    server: EmulatorServer, emulator: ReliabilityEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="meetingbooster_async")
    emulator.faults.force("oauth", status=503, body="html", times=2)
    async with client(server) as c:
        with anyio.fail_after(BOUND):
            assert (await c.get(LIST)).status_code == 200
            stats = emulator.stats()
    assert stats.oauth_calls == {"password": 3}
    assert stats.oauth_outcomes["password"] == {"fault": 2, "ok": 1}
    # One debug record per retry, each with FAST_RETRY's millisecond backoff ("0.00s").
    delays = _token_retry_delays(caplog)
    assert len(delays) == 2 and max(delays) <= 0.01


async def test_a_refresh_5xx_is_not_resent_but_falls_back_to_one_login(
    server: EmulatorServer, emulator: ReliabilityEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    """README: a refresh whose answer is lost may have rotated the token; log in instead."""
    caplog.set_level(logging.DEBUG, logger="meetingbooster_async")
    async with client(server) as c:
        with anyio.fail_after(BOUND):
            await c.login()
            emulator.expire_access_tokens()  # the next request gets a 401: refresh
            emulator.faults.force("oauth", status=503, body="html", times=2)
            assert (await c.get(LIST)).status_code == 200
            stats = emulator.stats()
    # The refresh once (503), then the login: 503, retried, ok.
    assert stats.oauth_calls == {"password": 3, "refresh_token": 1}
    assert stats.oauth_outcomes["refresh_token"] == {"fault": 1}
    assert len(_token_retry_delays(caplog)) == 1  # the login's retry, logged


async def test_token_5xx_retries_are_bounded(
    server: EmulatorServer, emulator: ReliabilityEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="meetingbooster_async")
    emulator.faults.force("oauth", status=500, times=10)
    async with client(server) as c:
        with anyio.fail_after(BOUND), pytest.raises(OAuthResponseError) as info:
            await c.get(LIST)
        assert emulator.stats().oauth_calls == {"password": 3}  # 1 + FAST_RETRY's 2
    assert info.value.status_code == 500
    assert len(_token_retry_delays(caplog)) == 2


async def test_token_connection_reset_is_retried(
    server: EmulatorServer, emulator: ReliabilityEmulator
) -> None:
    emulator.faults.drop("oauth", mode="reset")
    async with client(server) as c:
        with anyio.fail_after(BOUND):
            assert (await c.get(LIST)).status_code == 200
        stats = emulator.stats()
    assert stats.oauth_calls == {"password": 2}
    assert stats.oauth_outcomes == {"password": {"dropped": 1, "ok": 1}}


@pytest.mark.parametrize("grant", ["password", "refresh_token"])
async def test_a_stalled_token_attempt_costs_one_attempt_not_the_whole_deadline(
    server: EmulatorServer, emulator: ReliabilityEmulator, grant: str
) -> None:
    """One stalled /oauth attempt must end by the attempt's timeout, not ``token_timeout``.

    A stalled login attempt is then retried; a stalled refresh is not resent (its answer
    may be lost after a rotation) but falls back to a login. Either way the request succeeds
    within the 2 s ``token_timeout`` (each attempt: the client's 0.3 s ``timeout``, or a
    share of ``token_timeout``).
    """
    auth = MeetingBoosterAuth(
        token_url=f"{server.url}/oauth", username=USER, password=PASSWORD, token_timeout=2.0
    )
    async with client(server, auth=auth, timeout=httpx.Timeout(0.3)) as c:
        with anyio.fail_after(BOUND):
            if grant == "refresh_token":
                await c.login()
                emulator.expire_access_tokens()
            emulator.faults.stall("oauth", times=1)
            started = anyio.current_time()
            response = await c.get(LIST)
            elapsed = anyio.current_time() - started
            emulator.faults.release()
            stats = emulator.stats()
    assert response.status_code == 200
    assert elapsed < 2.0
    if grant == "password":
        assert stats.oauth_calls == {"password": 2}
    else:
        assert stats.oauth_calls == {"password": 2, "refresh_token": 1}


@pytest.mark.parametrize("status", [400, 500, 503])
async def test_a_jsoauth_error_is_a_verdict_not_retried(
    server: EmulatorServer, emulator: ReliabilityEmulator, status: int
) -> None:
    """A JSOAuthError body is final whatever its status, a 5xx included."""
    body = {"error": "unauthorized_client", "error_description": "App disabled"}
    emulator.faults.force("oauth", status=status, body=body, times=5)
    async with client(server) as c:
        with anyio.fail_after(BOUND), pytest.raises(OAuthError) as info:
            await c.get(LIST)
        assert emulator.stats().oauth_calls == {"password": 1}
    assert info.value.error == "unauthorized_client" and info.value.status_code == status


async def test_a_wrong_password_is_tried_once_then_cools_down(
    server: EmulatorServer, emulator: ReliabilityEmulator
) -> None:
    async with client(server, password="wrong") as c:
        with anyio.fail_after(BOUND):
            for _ in range(5):
                with pytest.raises(OAuthError) as info:
                    await c.get(LIST)
                assert info.value.error_state == "FAILEDLOGIN"
    assert emulator.stats().oauth_calls == {"password": 1}
