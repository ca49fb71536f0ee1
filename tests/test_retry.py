"""The pure retry policy: what is retried, how long to wait, Retry-After parsing."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from meetingbooster_async import RetryPolicy
from meetingbooster_async._retry import IDEMPOTENT_EXTENSION, parse_retry_after

POLICY = RetryPolicy(max_retries=3, backoff_initial=1.0, backoff_max=4.0, max_retry_after=30)


def req(method: str = "GET", **extensions: object) -> httpx.Request:
    return httpx.Request(method, "https://mb.test/api/v1/x", extensions=extensions)


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"])
def test_idempotent_methods_are_retried(method: str) -> None:
    assert POLICY.may_retry(req(method), 0)


def test_post_is_retried_only_when_marked_safe() -> None:
    assert not POLICY.may_retry(req("POST"), 0)
    assert POLICY.may_retry(req("POST", **{IDEMPOTENT_EXTENSION: True}), 0)


def test_attempts_are_bounded() -> None:
    assert POLICY.may_retry(req(), 2)
    assert not POLICY.may_retry(req(), 3)


@pytest.mark.parametrize(
    ("attempt", "low", "high"), [(0, 0.5, 1.0), (1, 1.0, 2.0), (2, 2.0, 4.0), (5, 2.0, 4.0)]
)
def test_backoff_doubles_with_jitter_up_to_the_cap(attempt: int, low: float, high: float) -> None:
    assert POLICY.backoff(attempt, rand=lambda: 0.0) == low
    assert POLICY.backoff(attempt, rand=lambda: 1.0) == high


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retry_statuses(status: int) -> None:
    assert POLICY.delay_after_status(req(), status, {}, 0, rand=lambda: 1.0) == 1.0


@pytest.mark.parametrize("status", [200, 400, 401, 403, 404, 409, 501])
def test_other_statuses_are_final(status: int) -> None:
    assert POLICY.delay_after_status(req(), status, {}, 0) is None


def test_retry_after_is_honoured_up_to_the_cap() -> None:
    assert POLICY.delay_after_status(req(), 429, {"Retry-After": "7"}, 0) == 7
    assert POLICY.delay_after_status(req(), 503, {"Retry-After": "31"}, 0) is None


def test_retry_after_http_date() -> None:
    now = 1_700_000_000.0  # 2023-11-14T22:13:20Z
    assert parse_retry_after("Tue, 14 Nov 2023 22:13:30 GMT", now=now) == 10
    assert parse_retry_after("Tue, 14 Nov 2023 22:13:00 GMT", now=now) == 0


@pytest.mark.parametrize("value", [None, "", "soon", "nan", "inf", "Tue, 99 Nov 2023 25:61:00"])
def test_unusable_retry_after_is_none(value: str | None) -> None:
    assert parse_retry_after(value, now=0) is None


@given(st.text(max_size=40))
def test_retry_after_never_raises(value: str) -> None:
    result = parse_retry_after(value, now=1_700_000_000.0)
    assert result is None or result >= 0


def test_connect_errors_are_retried_for_any_method() -> None:
    error = httpx.ConnectError("refused")
    assert POLICY.delay_after_error(req("POST"), error, 0, rand=lambda: 0.0) == 0.5


def test_errors_after_sending_are_retried_only_when_safe() -> None:
    error = httpx.ReadTimeout("slow")
    assert POLICY.delay_after_error(req("POST"), error, 0) is None
    assert POLICY.delay_after_error(req("GET"), error, 0) is not None
    assert POLICY.delay_after_error(req("GET"), ValueError("not transport"), 0) is None
