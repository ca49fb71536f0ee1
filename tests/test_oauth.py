"""The pure OAuth wire rules: grant bodies and the parsing of /oauth answers (no event loop)."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import pytest

from meetingbooster_async import (
    InvalidGrantError,
    LoginFailedError,
    OAuthError,
    OAuthResponseError,
)
from meetingbooster_async._oauth import (
    Credentials,
    build_grant_request,
    parse_expires_in,
    parse_oauth_error,
    parse_token_response,
)

URL = httpx.URL("https://mb.test/oauth")
CREDS = Credentials(username="ann@example.com", password="pa&ss=word")


def form(request: httpx.Request) -> dict[str, list[str]]:
    return parse_qs(request.content.decode(), keep_blank_values=True)


@pytest.mark.parametrize(
    ("grant", "kwargs", "expected"),
    [
        (
            "password",
            {"credentials": CREDS},
            {
                "grant_type": ["password"],
                "username": ["ann@example.com"],
                "password": ["pa&ss=word"],
                "app_id": ["Api"],
            },
        ),
        (
            "refresh_token",
            {"refresh_token": "r-1"},
            {"grant_type": ["refresh_token"], "refresh_token": ["r-1"], "app_id": ["Api"]},
        ),
        (
            "signout",
            {"refresh_token": "r-1"},
            {"grant_type": ["signout"], "refresh_token": ["r-1"], "app_id": ["Api"]},
        ),
    ],
)
def test_every_grant_is_form_encoded_with_app_id(grant, kwargs, expected) -> None:  # type: ignore[no-untyped-def]
    request = build_grant_request(URL, grant, **kwargs)
    assert request.method == "POST"
    assert request.url == URL
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form(request) == expected


def test_app_id_is_configurable() -> None:
    request = build_grant_request(URL, "signout", refresh_token="r", app_id="Other")
    assert form(request)["app_id"] == ["Other"]


def test_credentials_repr_hides_the_password() -> None:
    assert "pa&ss" not in repr(CREDS)
    assert "ann@example.com" in repr(CREDS)


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [
        ("60", 60.0),
        (60, 60.0),
        ("1200", 1200.0),
        (1.5, 1.5),
        ("2.5", 2.5),
        (None, None),
        (10**12, 7 * 24 * 3600.0),
        ("99999999999999999999", 7 * 24 * 3600.0),
    ],
)
def test_expires_in_accepts_strings_and_numbers(raw: object, seconds: float | None) -> None:
    assert parse_expires_in(raw) == seconds


@pytest.mark.parametrize("raw", ["abc", "", "-5", -5, 0, "0", "nan", "inf", True, [60], {"a": 1}])
def test_expires_in_rejects_what_is_not_a_positive_number(raw: object) -> None:
    with pytest.raises(ValueError, match="expires_in"):
        parse_expires_in(raw)


def ok(body: object, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=body)


def test_token_response_is_parsed() -> None:
    grant = parse_token_response(
        ok({"access_token": "a", "refresh_token": "r", "expires_in": "60"})
    )
    assert (grant.access_token, grant.refresh_token, grant.expires_in) == ("a", "r", 60.0)
    assert "'a'" not in repr(grant) and "'r'" not in repr(grant)


def test_token_response_without_expires_in_or_refresh_token() -> None:
    grant = parse_token_response(ok({"access_token": "a"}))
    assert grant.refresh_token is None and grant.expires_in is None


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html><body>Server Error</body></html>"),
        httpx.Response(500, text="<html><body>Server Error</body></html>"),
        httpx.Response(502, content=b""),
        httpx.Response(200, content=b"{not json"),
        httpx.Response(200, content=b"\xff\xfe\xfa"),
        httpx.Response(200, json=["access_token"]),
        httpx.Response(200, json={"refresh_token": "r", "expires_in": "60"}),
        httpx.Response(200, json={"access_token": "", "expires_in": "60"}),
        httpx.Response(200, json={"access_token": 5, "expires_in": "60"}),
        httpx.Response(200, json={"access_token": "a", "refresh_token": 7}),
        httpx.Response(200, json={"access_token": "a\n", "expires_in": "60"}),
        httpx.Response(200, json={"access_token": "a b", "expires_in": "60"}),
        httpx.Response(200, json={"access_token": "\u00e9t\u00e9", "expires_in": "60"}),
        httpx.Response(200, json={"error": 5}),
    ],
)
def test_malformed_answers_are_typed(response: httpx.Response) -> None:
    with pytest.raises(OAuthResponseError) as info:
        parse_token_response(response)
    assert info.value.status_code == response.status_code
    assert info.value.response is not None
    assert info.value.response.status_code == response.status_code


@pytest.mark.parametrize("value", ["", "0", 0, -1, "-5", "abc", "1200s", [60], True])
def test_an_unusable_expires_in_keeps_the_tokens(value: object) -> None:
    grant = parse_token_response(
        ok({"access_token": "a", "refresh_token": "r", "expires_in": value})
    )
    assert (grant.access_token, grant.refresh_token) == ("a", "r")
    assert grant.expires_in is None
    assert grant.expires_in_valid is False


def test_a_token_no_header_can_carry_is_refused_without_showing_it() -> None:
    response = ok({"access_token": "secret-token\r\nX-Evil: 1", "refresh_token": "secret-rt"})
    with pytest.raises(OAuthResponseError) as info:
        parse_token_response(response)
    error = info.value
    assert "secret" not in str(error) and "secret" not in repr(error)
    assert error.response is not None
    assert b"secret" not in error.response.content


def test_error_responses_keep_no_cookie_and_no_token() -> None:
    response = httpx.Response(
        200,
        headers={"Set-Cookie": "session=secret-cookie", "X-Trace": "t1"},
        json={"access_token": "", "refresh_token": "secret-rt"},
        request=httpx.Request("POST", "https://mb.test/oauth"),
    )
    with pytest.raises(OAuthResponseError) as info:
        parse_token_response(response)
    kept = info.value.response
    assert kept is not None
    assert "set-cookie" not in kept.headers and kept.headers["x-trace"] == "t1"
    assert b"secret" not in kept.content
    assert kept.json()["refresh_token"] == "<redacted>"
    assert kept.request.url == response.request.url


@pytest.mark.parametrize("secret", [False, True])
def test_a_compressed_error_answer_is_kept_decoded(secret: bool) -> None:
    # A server (or gateway) that compresses /oauth answers: the kept copy holds the decoded
    # body, so it must not claim the encoding any more (reading it would fail to decompress).
    import gzip

    body = {"error": "invalid_grant", "error_description": "expired", "state": "X"}
    if secret:
        body = {"access_token": "", "refresh_token": "secret-rt"}
    raw = httpx.Response(
        400,
        headers={"Content-Encoding": "gzip"},
        content=gzip.compress(httpx.Response(200, json=body).content),
        request=httpx.Request("POST", "https://mb.test/oauth"),
    )
    raw.read()
    with pytest.raises((OAuthError, OAuthResponseError)) as info:
        parse_token_response(raw)
    kept = info.value.response
    assert kept is not None and "content-encoding" not in kept.headers
    redacted = {"access_token": "<redacted>", "refresh_token": "<redacted>"}
    assert kept.json() == (redacted if secret else body)


def test_failed_login_body_becomes_login_failed_error() -> None:
    response = ok(
        {
            "error": "unauthorized_client",
            "error_description": "Authorization has been denied for this request",
            "retry_in_seconds": 10,
            "error_state": "FAILEDLOGIN",
        },
        status=400,
    )
    with pytest.raises(LoginFailedError) as info:
        parse_token_response(response, grant_type="password")
    err = info.value
    assert (err.error, err.error_state, err.retry_in_seconds, err.status_code) == (
        "unauthorized_client",
        "FAILEDLOGIN",
        10,
        400,
    )
    assert err.response is not None and err.response.json() == response.json()
    assert "Authorization has been denied" in str(err) and "10s" in str(err)


def test_rejected_refresh_token_becomes_invalid_grant_error() -> None:
    response = ok(
        {
            "error": "invalid_grant",
            "error_description": "The refresh token is not valid",
            "retry_in_seconds": 0,
            "error_state": "FAILEDLOGIN",
        }
    )
    with pytest.raises(InvalidGrantError):
        parse_token_response(response, grant_type="refresh_token")


def test_an_error_body_wins_over_a_200_status() -> None:
    error = parse_oauth_error(ok({"error": "server_says_no"}), grant_type="refresh_token")
    assert type(error) is OAuthError


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [("10", 10.0), (None, 0.0), ("x", 0.0), (-3, 0.0), (True, 0.0), (2.5, 2.5), ([1], 0.0)],
)
def test_retry_in_seconds_is_read_leniently(raw: object, seconds: float) -> None:
    error = parse_oauth_error(ok({"error": "unauthorized_client", "retry_in_seconds": raw}))
    assert error is not None and error.retry_in_seconds == seconds


def test_cooldown_copy_keeps_class_and_reports_remaining() -> None:
    error = LoginFailedError(error="unauthorized_client", retry_in_seconds=10)
    copy = error.with_remaining(3)
    assert type(copy) is LoginFailedError and copy.in_cooldown
    assert copy.retry_in_seconds == 3 and "retry allowed in 3s" in str(copy)
