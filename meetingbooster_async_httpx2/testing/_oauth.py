# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/testing/_oauth.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""``POST /oauth``: the password, refresh_token and signout grants, and JSOAuthError answers."""

from __future__ import annotations

import math
import secrets
from typing import Any

from ._http import JSON_TYPE, Request, Response, json_response
from ._state import State
from ._tokens import Issued

__all__ = ["GRANTS", "grant_of", "handle_oauth"]

GRANTS = ("password", "refresh_token", "signout")
FORM_TYPE = "application/x-www-form-urlencoded"
APP_ID = "Api"
DENIED = "Authorization has been denied for this request"


def grant_of(request: Request) -> str:
    """The grant a ``/oauth`` request asks for (``"other"`` when none of the three)."""
    if request.media_type() != FORM_TYPE:
        return "other"
    grant = request.form().get("grant_type", "")
    return grant if grant in GRANTS else "other"


def _oauth_error(
    state: State,
    error: str,
    description: str,
    *,
    error_state: str | None = None,
    retry_in_seconds: int = 0,
) -> tuple[Response, str]:
    body: dict[str, Any] = {
        "error": error,
        "error_description": description,
        "error_state": error_state,
        "retry_in_seconds": retry_in_seconds,
    }
    if not state.settings.null_unset_values and error_state is None:
        del body["error_state"]
    return json_response(state.settings.oauth_error_status, body), error


def _expires_in(lifetime: float, as_string: bool) -> str | int | float:
    value: int | float = int(lifetime) if float(lifetime).is_integer() else lifetime
    return (str(value) if isinstance(value, int) else f"{value:g}") if as_string else value


def _cookie(state: State, value: str, *, clear: bool = False) -> tuple[tuple[str, str], ...]:
    name = state.settings.session_cookie
    if name is None:
        return ()
    suffix = "; Max-Age=0" if clear else ""
    return (("set-cookie", f"{name}={value}; Path=/; HttpOnly{suffix}"),)


def _tokens(state: State, issued: Issued) -> tuple[Response, str]:
    settings = state.settings
    body = {
        "expires_in": _expires_in(settings.token_lifetime, settings.expires_in_as_string),
        "refresh_token": issued.refresh_token,
        "access_token": issued.access_token,
    }
    return json_response(200, body, headers=_cookie(state, issued.access_token)), "ok"


def _check_app_id(state: State, form: dict[str, str], grant: str) -> tuple[Response, str] | None:
    settings = state.settings
    if not settings.require_app_id:
        return None  # an older server that knows nothing about app_id
    app_id = form.get("app_id")
    if app_id is None:
        if grant == "signout" and not settings.require_app_id_on_signout:
            return None
        return _oauth_error(state, "unauthorized_client", "app_id is required")
    if app_id != APP_ID:
        return _oauth_error(state, "unauthorized_client", f"Unknown app_id: {app_id}")
    return None


def _password(state: State, form: dict[str, str]) -> tuple[Response, str]:
    settings = state.settings
    identity = form.get("username", "").strip().lower()
    now = state.clock.now()
    remaining = state.guard.remaining(identity, now)
    if remaining > 0:
        description = "Too many failed logins; retry later"
        return _oauth_error(
            state,
            "unauthorized_client",
            description,
            error_state="FAILEDLOGIN",
            retry_in_seconds=math.ceil(remaining),
        )
    user = state.find_user(identity)
    password = form.get("password", "")
    reason = None
    if user is None or not secrets.compare_digest(user.password.encode(), password.encode()):
        reason = DENIED
    elif not user.enabled:
        reason = "The user is disabled"
    elif user.guest:
        reason = "Guest users cannot log in"
    if reason is not None or user is None:
        state.guard.failed(
            identity, now, settings.failed_login_threshold, settings.retry_in_seconds
        )
        locked = state.guard.remaining(identity, now)
        return _oauth_error(
            state,
            "unauthorized_client",
            reason or DENIED,
            error_state="FAILEDLOGIN",
            retry_in_seconds=math.ceil(locked) if locked else settings.retry_in_seconds,
        )
    state.guard.succeeded(identity)
    return _tokens(state, state.tokens.login(user.id, now, settings.token_lifetime))


def _refresh(state: State, form: dict[str, str]) -> tuple[Response, str]:
    settings = state.settings
    issued = state.tokens.refresh(
        form.get("refresh_token", ""),
        state.clock.now(),
        settings.token_lifetime,
        settings.rotate_refresh_tokens,
    )
    if issued is None:
        return _oauth_error(state, "invalid_grant", "The refresh token is not valid")
    return _tokens(state, issued)


def _signout(state: State, form: dict[str, str]) -> tuple[Response, str]:
    if not state.tokens.sign_out(form.get("refresh_token", "")):
        return _oauth_error(state, "invalid_grant", "The refresh token is not valid")
    settings = state.settings
    body = settings.signout_body.encode("utf-8")
    response = Response(
        status=settings.signout_status,
        body=body,
        headers=_cookie(state, "", clear=True),
        content_type=JSON_TYPE if body else None,
    )
    return response, "ok"


def handle_oauth(state: State, request: Request) -> tuple[Response, str]:
    """Answer one ``POST /oauth``; returns the response and its outcome (``ok`` or the error)."""
    if request.media_type() != FORM_TYPE:
        return _oauth_error(state, "unauthorized_client", f"The body must be {FORM_TYPE}")
    form = request.form()
    grant = form.get("grant_type", "")
    refused = _check_app_id(state, form, grant)
    if refused is not None:
        return refused
    if grant == "password":
        return _password(state, form)
    if grant == "refresh_token":
        return _refresh(state, form)
    if grant == "signout":
        return _signout(state, form)
    return _oauth_error(state, "unauthorized_client", f"Unsupported grant_type: {grant!r}")
