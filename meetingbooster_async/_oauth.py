"""Pure OAuth wire rules: build the /oauth grant requests and parse their answers.

Nothing here does I/O. The grant builders return an :class:`httpx.Request` (a value), and the
parsers take an already-read :class:`httpx.Response`, so all of it is tested without a loop.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from typing import Any, Final, Literal
from urllib.parse import urlencode

import attrs
import httpx

from ._body import plain_async_body
from ._errors import InvalidGrantError, LoginFailedError, OAuthError, OAuthResponseError
from ._retry import IDEMPOTENT_EXTENSION

__all__ = [
    "DEFAULT_APP_ID",
    "GRANT_EXTENSION",
    "Credentials",
    "GrantType",
    "TokenGrant",
    "build_grant_request",
    "parse_expires_in",
    "parse_oauth_error",
    "parse_token_response",
    "redacted_response",
]

#: The grant a ``/oauth`` request carries (``password``, ``refresh_token``, ``signout``), for
#: what must happen before it is sent (a shared store marks a refresh token in use).
GRANT_EXTENSION: Final = "meetingbooster_grant"

#: The docs say ``app_id`` must always be the literal ``Api`` (sent on every grant).
DEFAULT_APP_ID: Final = "Api"
#: Longest lifetime we believe; a larger ``expires_in`` is capped (a 401 still reveals expiry).
MAX_LIFETIME: Final = 7 * 24 * 3600.0

GrantType = Literal["password", "refresh_token", "signout"]

_FORM: Final = "application/x-www-form-urlencoded"
#: What an access token may hold to travel in an ``Authorization`` header: visible ASCII.
_HEADER_SAFE: Final = re.compile(r"[\x21-\x7e]+")
#: Response headers an error keeps no copy of (they may carry a session or a token).
_SECRET_HEADERS: Final = frozenset({"set-cookie", "cookie", "authorization"})
#: Headers that describe the body as sent, not the decoded copy a redacted answer keeps.
_BODY_HEADERS: Final = frozenset({"content-encoding", "content-length", "transfer-encoding"})
_SECRET_KEYS: Final = frozenset({"access_token", "refresh_token", "id_token"})


@attrs.frozen(kw_only=True)
class Credentials:
    """A username and password: the only object that holds the password."""

    username: str
    password: str = attrs.field(repr=False)


@attrs.frozen(kw_only=True)
class TokenGrant:
    """What a successful /oauth call gave: the tokens and their lifetime in seconds."""

    access_token: str = attrs.field(repr=False)
    refresh_token: str | None = attrs.field(repr=False)
    #: Seconds, or ``None`` when the server sent no usable ``expires_in``.
    expires_in: float | None
    #: False when the server sent an ``expires_in`` that is not a positive number (``""``,
    #: ``"0"``, ``-5``, ``"1200s"``): the tokens are still good, the lifetime is unknown.
    expires_in_valid: bool = True


def build_grant_request(
    token_url: httpx.URL,
    grant_type: GrantType,
    *,
    credentials: Credentials | None = None,
    refresh_token: str | None = None,
    app_id: str = DEFAULT_APP_ID,
    timeout: httpx.Timeout | None = None,
) -> httpx.Request:
    """A form-encoded ``POST /oauth`` request for one grant (``app_id`` on every grant).

    >>> req = build_grant_request(httpx.URL("https://mb/oauth"), "signout", refresh_token="r")
    >>> req.content
    b'grant_type=signout&refresh_token=r&app_id=Api'
    """
    fields: dict[str, str] = {"grant_type": grant_type}
    if grant_type == "password":
        if credentials is None:
            raise ValueError("the password grant needs credentials")
        fields["username"] = credentials.username
        fields["password"] = credentials.password
    else:
        if refresh_token is None:
            raise ValueError(f"the {grant_type} grant needs a refresh token")
        fields["refresh_token"] = refresh_token
    fields["app_id"] = app_id
    body = urlencode(fields).encode("ascii")
    # A password grant or a signout may be resent after a glitch. A refresh is not: the server
    # may have rotated the token before the answer got lost, and resending a spent refresh
    # token can look like theft. (Errors before sending are retried for every grant.)
    extensions: dict[str, object] = {
        IDEMPOTENT_EXTENSION: grant_type != "refresh_token",
        GRANT_EXTENSION: grant_type,
    }
    if timeout is not None:
        extensions["timeout"] = timeout.as_dict()
    request = httpx.Request(
        "POST",
        token_url,
        headers={"Content-Type": _FORM, "Accept": "application/json"},
        content=body,
        extensions=extensions,
    )
    return plain_async_body(request)


def redacted_response(response: httpx.Response) -> httpx.Response:
    """A copy of an ``/oauth`` answer that is safe to keep on an exception.

    No ``Set-Cookie``/``Cookie``/``Authorization`` header, and in a JSON object body the
    values of ``access_token``/``refresh_token`` are replaced by ``"<redacted>"``.
    """
    # The copy carries the decoded body: its encoding and length headers would no longer fit.
    headers = [
        (k, v)
        for k, v in response.headers.multi_items()
        if k.lower() not in _SECRET_HEADERS and k.lower() not in _BODY_HEADERS
    ]
    content = response.content
    data = _json_object(response)
    if data is not None and _SECRET_KEYS & data.keys():
        content = json.dumps(
            {k: "<redacted>" if k in _SECRET_KEYS else v for k, v in data.items()}
        ).encode()
    copy = httpx.Response(response.status_code, headers=headers, content=content)
    with contextlib.suppress(RuntimeError):  # a response built without a request has none
        copy.request = response.request
    return copy


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    """The body as a JSON object, or ``None`` if it is not one."""
    try:
        data = json.loads(response.content)
    except (ValueError, RecursionError):  # RecursionError: absurdly nested JSON
        return None
    return data if isinstance(data, dict) else None


def parse_expires_in(value: object) -> float | None:
    """``expires_in`` as seconds: the docs send a string (``"60"``), we also take a number.

    Returns ``None`` for a missing value. Raises :class:`ValueError` for anything that is not a
    positive finite number; huge values are capped at a week (a 401 still reveals expiry).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"expires_in must be a number or a numeric string, not {type(value)}")
    try:
        seconds = float(value)
    except (ValueError, OverflowError):
        raise ValueError("expires_in is not numeric") from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError("expires_in must be a positive finite number")
    return min(seconds, MAX_LIFETIME)


def _retry_in_seconds(value: object) -> float:
    if isinstance(value, bool):
        return 0.0
    if isinstance(value, (int, float, str)):
        try:
            seconds = float(value)
        except (ValueError, OverflowError):
            return 0.0
        if math.isfinite(seconds) and seconds > 0:
            return min(seconds, MAX_LIFETIME)
    return 0.0


def _optional_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def parse_oauth_error(
    response: httpx.Response, *, grant_type: GrantType | None = None
) -> OAuthError | None:
    """The typed error for a ``JSOAuthError`` body, or ``None`` if the body is not one.

    The status code of an OAuth failure is undocumented, so the body decides: a JSON object
    with a string ``error`` key is a ``JSOAuthError`` whatever the status.
    """
    data = _json_object(response)
    if data is None or not isinstance(data.get("error"), str):
        return None
    error: str = data["error"]
    state = _optional_str(data.get("error_state"))
    if error == "invalid_grant" and grant_type != "password":
        cls: type[OAuthError] = InvalidGrantError
    elif grant_type == "password" or state == "FAILEDLOGIN":
        cls = LoginFailedError
    elif error == "invalid_grant":
        cls = InvalidGrantError
    else:
        cls = OAuthError
    return cls(
        error=error,
        error_description=_optional_str(data.get("error_description")),
        error_state=state,
        retry_in_seconds=_retry_in_seconds(data.get("retry_in_seconds")),
        status_code=response.status_code,
        response=redacted_response(response),
    )


def parse_token_response(
    response: httpx.Response, *, grant_type: GrantType = "password"
) -> TokenGrant:
    """A :class:`TokenGrant` from a read ``/oauth`` response, or the typed error it stands for.

    Raises:
        OAuthError: the body is a ``JSOAuthError`` (a :class:`LoginFailedError` for the
            password grant, an :class:`InvalidGrantError` for a rejected refresh token).
        OAuthResponseError: anything else that is not a usable token (HTML, invalid JSON,
            a 5xx, no ``access_token``, an access token no header can carry). An unusable
            ``expires_in`` is not an error: the grant says so in ``expires_in_valid``.
    """
    oauth_error = parse_oauth_error(response, grant_type=grant_type)
    if oauth_error is not None:
        raise oauth_error
    status = response.status_code
    if not 200 <= status < 300:
        raise OAuthResponseError(
            f"token endpoint answered HTTP {status} without a JSOAuthError body",
            response=redacted_response(response),
        )
    data = _json_object(response)
    if data is None:
        raise OAuthResponseError(
            "token endpoint answered a body that is not a JSON object",
            response=redacted_response(response),
        )
    access = data.get("access_token")
    if not isinstance(access, str) or not access:
        raise OAuthResponseError(
            "token response has no access_token", response=redacted_response(response)
        )
    if not _HEADER_SAFE.fullmatch(access):
        raise OAuthResponseError(
            "token response has an access_token with characters an HTTP header cannot carry",
            response=redacted_response(response),
        )
    refresh = data.get("refresh_token")
    if refresh is not None and not isinstance(refresh, str):
        raise OAuthResponseError(
            "token response has a non-string refresh_token", response=redacted_response(response)
        )
    try:
        expires_in = parse_expires_in(data.get("expires_in"))
    except ValueError:
        # The tokens are good; only the lifetime is unknown (the manager assumes a default).
        return TokenGrant(
            access_token=access,
            refresh_token=refresh or None,
            expires_in=None,
            expires_in_valid=False,
        )
    return TokenGrant(access_token=access, refresh_token=refresh or None, expires_in=expires_in)
