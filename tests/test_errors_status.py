"""Errors a user can act on: the status → class table, the server's words, Retry-After, lockouts."""

from __future__ import annotations

import ast
import json
import pickle
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from meetingbooster_async import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InvalidSyncTokenError,
    LoginFailedError,
    MeetingBoosterClient,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnprocessableEntityError,
    api_error_of,
)
from meetingbooster_async._errors import status_error_for
from meetingbooster_async._retry import parse_retry_after as policy_parse_retry_after
from meetingbooster_async._retry_after import parse_retry_after
from meetingbooster_async.testing import Emulator

from .emulated import ANN, PASSWORD, URL, Client, make_client

PACKAGE = Path(__file__).parent.parent / "meetingbooster_async"


def response(
    status: int, body: Any = None, *, headers: dict[str, str] | None = None, raw: bytes = b""
) -> httpx.Response:
    request = httpx.Request("GET", "https://mb.test/api/v1/mymeetings/sync?synctoken=SECRETISH")
    content = json.dumps(body).encode() if body is not None else raw
    return httpx.Response(status, headers=headers, content=content, request=request)


# --- the status → class table ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
    ],
)
def test_each_status_has_its_class(status: int, cls: type[APIStatusError]) -> None:
    error = status_error_for(response(status, {"Message": "no"}))
    assert type(error) is cls
    assert error.status_code == status


def test_an_unmapped_status_is_the_base_class() -> None:
    assert type(status_error_for(response(418, {"Message": "teapot"}))) is APIStatusError


@pytest.mark.parametrize("status", [400, 404, 410, 412])
def test_invalidsynctoken_is_its_own_bad_request_whatever_the_4xx(status: int) -> None:
    body = {"Message": "The sync token is not valid", "ErrorCode": "INVALIDSYNCTOKEN"}
    error = status_error_for(response(status, body))
    assert type(error) is InvalidSyncTokenError
    assert isinstance(error, BadRequestError)
    assert error.error_code == "INVALIDSYNCTOKEN"


def test_a_5xx_stays_a_server_error_whatever_its_code() -> None:
    body = {"Message": "boom", "ErrorCode": "INVALIDSYNCTOKEN"}
    assert type(status_error_for(response(500, body))) is ServerError


# --- the server's words ------------------------------------------------------------------------


def test_the_message_quotes_the_servers_message_and_code_but_not_the_query() -> None:
    body = {"Message": "The sync token is not valid", "ErrorCode": "INVALIDSYNCTOKEN"}
    error = status_error_for(response(400, body))
    assert str(error) == (
        "HTTP 400 Bad Request for GET https://mb.test/api/v1/mymeetings/sync: "
        "The sync token is not valid (INVALIDSYNCTOKEN)"
    )
    assert error.server_message == "The sync token is not valid"
    assert "SECRETISH" not in str(error)
    api_error = api_error_of(error)
    assert api_error is not None and api_error.raw["ErrorCode"] == "INVALIDSYNCTOKEN"
    assert error.api_error == api_error


def test_other_message_keys_and_bare_strings_are_read() -> None:
    assert status_error_for(response(409, {"message": "taken"})).server_message == "taken"
    assert status_error_for(response(422, "bad start")).server_message == "bad start"
    described = status_error_for(response(400, {"error_description": "nope"}))
    assert str(described).endswith(": nope")


def test_without_words_the_message_is_the_status_line() -> None:
    for error in (
        status_error_for(response(502, raw=b"<html>bad gateway</html>")),
        status_error_for(response(404)),
        status_error_for(response(400, [1, 2])),
    ):
        assert str(error).endswith("/api/v1/mymeetings/sync")
        assert error.server_message is None and error.error_code is None


def test_the_servers_words_stay_one_short_line_without_bearer_tokens() -> None:
    words = "line one\nline two\r\n Authorization: Bearer eyJSECRET.payload " + "x" * 500
    error = status_error_for(response(400, {"Message": words}))
    text = str(error)
    assert "\n" not in text and "\r" not in text
    assert "eyJSECRET" not in text and "Bearer <masked>" in text
    assert len(text) < 300 and text.endswith("…")


def test_a_status_error_survives_pickling_with_its_words() -> None:
    error = status_error_for(response(409, {"Message": "taken", "ErrorCode": "DUP"}))
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is ConflictError
    assert (copy.server_message, copy.error_code, str(copy)) == ("taken", "DUP", str(error))


# --- Retry-After ------------------------------------------------------------------------------


def test_rate_limit_reads_retry_after_seconds() -> None:
    error = status_error_for(response(429, {"Message": "slow down"}, headers={"Retry-After": "7"}))
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 7.0
    assert str(error).endswith("slow down (retry after 7 s)")


def test_rate_limit_reads_retry_after_as_an_http_date() -> None:
    when = datetime.now(UTC) + timedelta(seconds=120)
    error = status_error_for(response(429, headers={"Retry-After": format_datetime(when, True)}))
    assert isinstance(error, RateLimitError)
    assert error.retry_after is not None and 100 < error.retry_after <= 120


@pytest.mark.parametrize("value", [None, "soon", "inf"])
def test_rate_limit_without_a_usable_retry_after(value: str | None) -> None:
    headers = {"Retry-After": value} if value is not None else None
    error = status_error_for(response(429, headers=headers))
    assert isinstance(error, RateLimitError)
    assert error.retry_after is None and "retry after" not in str(error)


def test_the_retry_policy_reads_retry_after_with_the_leaf_parser() -> None:
    # One parser for the policy and RateLimitError: they cannot disagree.
    assert policy_parse_retry_after is parse_retry_after


@pytest.mark.anyio
async def test_a_429_through_the_client_is_a_rate_limit_error() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth":
            return httpx.Response(200, json={"access_token": "a", "expires_in": "60"})
        return httpx.Response(429, headers={"Retry-After": "30"}, json={"Message": "Busy"})

    async with MeetingBoosterClient(
        URL, username=ANN, password=PASSWORD, transport=httpx.MockTransport(answer)
    ) as client:
        with pytest.raises(RateLimitError) as info:
            await client.my_meetings.sync(retry=0)  # else the client waits 30 s, twice
    assert info.value.retry_after == 30.0 and info.value.server_message == "Busy"


# --- against the emulator -------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_garbage_sync_token_is_an_invalid_sync_token_error(client: Client) -> None:
    with pytest.raises(InvalidSyncTokenError) as info:
        await client.my_meetings.sync(sync_token="garbage")
    error = info.value
    assert error.status_code == 400 and error.error_code == "INVALIDSYNCTOKEN"
    assert "The sync token is not valid (INVALIDSYNCTOKEN)" in str(error)
    assert "garbage" not in str(error)


@pytest.mark.anyio
async def test_a_task_sync_token_is_checked_the_same_way(client: Client) -> None:
    with pytest.raises(InvalidSyncTokenError):
        await client.my_tasks.sync(sync_token="garbage")


@pytest.mark.anyio
async def test_a_lockout_reads_differently_from_a_wrong_password(emulator: Emulator) -> None:
    wrong: list[LoginFailedError] = []
    for _ in range(emulator.settings.failed_login_threshold):
        async with Client(  # a fresh client each time: no client-side cooldown
            URL, username=ANN, password="not it", transport=emulator.transport()
        ) as client:
            with pytest.raises(LoginFailedError) as info:
                await client.login()
            wrong.append(info.value)
    assert not any(error.locked for error in wrong)
    assert str(wrong[0]).startswith("login refused: ")
    assert "Authorization has been denied" in str(wrong[0])

    async with make_client(emulator) as client:  # the right password, now locked out
        with pytest.raises(LoginFailedError) as info:
            await client.login()
    locked = info.value
    assert locked.locked and locked.retry_in_seconds > 0
    text = str(locked)
    assert text.startswith("account locked after too many failed logins: ")
    assert f"retry in {locked.retry_in_seconds:g}s" in text
    assert PASSWORD not in text and "not it" not in text
    assert locked.with_remaining(3).locked  # the SDK's cooldown copy says locked too


# --- layers ------------------------------------------------------------------------------------


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (functions, TYPE_CHECKING blocks)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("module", ["_errors.py", "_api_error.py", "_retry_after.py"])
def test_the_error_layer_imports_only_leaves(module: str) -> None:
    internal = {name for name in _imports(PACKAGE / module) if name.startswith(".")}
    assert internal <= {"._models", "._api_error", "._retry_after"}, internal
