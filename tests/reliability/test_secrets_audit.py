"""Scenario 7: with DEBUG logging on everywhere and every error path exercised against the
emulator, no password, access token or refresh token shows up in a log record, a ``repr`` or
``str`` of the client, its auths and sessions, or in any exception raised (its whole chain).

The tokens to look for are the real ones: every token the emulator issues is recorded as it
is issued (a server restart forgets them, the audit does not).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
import httpx
import pytest

from meetingbooster_async import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    InvalidGrantError,
    LoginFailedError,
    Meeting,
    MeetingBoosterClient,
    MeetingBoosterError,
    MemoryTokenStore,
    NotFoundError,
    OAuthResponseError,
    PermissionDeniedError,
    RequestNotReplayableError,
    TokenPolicy,
)
from meetingbooster_async.testing import EmulatorServer

from .helpers import (
    LIST,
    OTHER_USERS,
    PASSWORD,
    SYNC_COMMIT,
    USER,
    ReliabilityEmulator,
    client,
    exception_text,
    leaks,
    redact,
)

pytestmark = [pytest.mark.anyio]

WRONG_PASSWORDS = ["wrong-pass-Alpha-7f3a9c", "wrong-pass-Bravo-0b1d2e", "wrong-pass-Charlie-99"]
LOGGERS = ("", "httpx", "httpcore", "h11", "meetingbooster_async", "meetingbooster_async.testing")


def record_issued_tokens(
    emulator: ReliabilityEmulator, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """Every token the emulator issues from now on: value -> ``"access token"`` or
    ``"refresh token"`` (recorded at its private token store, as each grant is issued)."""
    issued: dict[str, str] = {}
    store = emulator._state.tokens
    login, refresh = store.login, store.refresh

    def record(grant: Any) -> Any:
        if grant is not None:
            issued[grant.access_token] = "access token"
            issued[grant.refresh_token] = "refresh token"
        return grant

    monkeypatch.setattr(store, "login", lambda *a, **k: record(login(*a, **k)))
    monkeypatch.setattr(store, "refresh", lambda *a, **k: record(refresh(*a, **k)))
    return issued


class Audit:
    """Runs error paths, keeping every exception and every object to inspect afterwards."""

    def __init__(self) -> None:
        self.errors: list[BaseException] = []
        self.objects: list[object] = []

    async def expect(
        self, kind: type[BaseException], call: Callable[[], Awaitable[Any]], bound: float = 5
    ) -> None:
        with anyio.fail_after(bound), pytest.raises(kind) as info:
            await call()
        self.errors.append(info.value)

    def texts(self) -> list[str]:
        shown = [exception_text(exc) for exc in self.errors]
        for obj in self.objects:
            shown += [repr(obj), str(obj)]
        return shown


async def _streamed_body() -> AsyncIterator[bytes]:
    yield b"{}"


async def _run_error_paths(
    server: EmulatorServer, emulator: ReliabilityEmulator, audit: Audit
) -> None:
    # No backoff and no login cooldown: the audit walks error paths, one right after another.
    policy = TokenPolicy(failure_backoff=0, login_failure_cooldown=0)
    async with client(server, timeout=httpx.Timeout(2.0), token_policy=policy) as c:
        audit.objects += [c, c.mb_auth, c.mb_auth._tokens]
        # A wrong password, three times (each a new identity view), then the lockout.
        for wrong in WRONG_PASSWORDS:
            await audit.expect(LoginFailedError, c.as_user(USER, wrong).login)
        await audit.expect(LoginFailedError, c.as_user(USER, PASSWORD).login)  # locked out
        emulator.clear_lockouts()
        c.forget_user(USER)

        # Log in, read, typed reads and typed errors.
        assert (await c.get(LIST)).status_code == 200
        page = await c.my_meetings.list_page(page_size=2)
        await c.my_meetings.sync()
        audit.objects += [page, c.mb_auth._tokens.current]
        other = emulator.meetings("bob@example.com")[0]["Id"]
        await audit.expect(
            PermissionDeniedError,
            lambda: c.request_model("GET", f"/api/v1/meetings/{other}", model=Meeting),
        )
        await audit.expect(
            NotFoundError,
            lambda: c.request_model("GET", "/api/v1/meetings/nope", model=Meeting),
        )

        # 401 recovery: a hidden expiry (refresh), then a restart (invalid_grant, login).
        emulator.expire_access_tokens()
        assert (await c.get(LIST)).status_code == 200
        emulator.restart()
        assert (await c.get(LIST)).status_code == 200
        # A 401 on a body that cannot be replayed.
        emulator.expire_access_tokens()
        await audit.expect(
            RequestNotReplayableError, lambda: c.post(SYNC_COMMIT, content=_streamed_body())
        )

        # The token endpoint answering 500s, then HTML, during a refresh (and the fallback
        # login that follows it: a refresh whose answer is lost is not resent).
        # (A sign-in page answering the login is a refusal: LoginFailedError.)
        faults: list[tuple[dict[str, Any], type[Exception]]] = [
            ({"status": 500, "times": 5}, OAuthResponseError),
            ({"body": "html", "times": 2}, LoginFailedError),
        ]
        for fault, kind in faults:
            assert (await c.get(LIST)).status_code == 200  # fresh tokens first
            emulator.expire_access_tokens()
            emulator.faults.force("oauth", **fault)
            await audit.expect(kind, lambda: c.get(LIST))
            emulator.faults.clear()
        # A refresh token rejected outright (the server asks us to wait).
        assert (await c.get(LIST)).status_code == 200
        emulator.expire_access_tokens()
        emulator.faults.force(
            "oauth",
            status=400,
            body={"error": "invalid_grant", "error_description": "no", "retry_in_seconds": 1},
        )
        await audit.expect(InvalidGrantError, lambda: c.get(LIST))
        emulator.clear_lockouts()

    # A fresh client for the transport failures (the old one is cooling down).
    async with client(server, timeout=httpx.Timeout(2.0), token_policy=policy) as c:
        audit.objects += [c, c.mb_auth]
        emulator.faults.drop("oauth", mode="reset", times=3)
        await audit.expect(APIConnectionError, lambda: c.get(LIST))
        assert (await c.get(LIST)).status_code == 200
        emulator.faults.drop("list", mode="mid_body", times=3)
        await audit.expect(httpx.TransportError, lambda: c.get(LIST))
        emulator.faults.drop("list", mode="reset", times=3)
        await audit.expect(APIConnectionError, lambda: c.my_meetings.list_page(page_size=5))
        emulator.faults.drop("sync_commit", mode="close")
        await audit.expect(httpx.TransportError, lambda: c.post(SYNC_COMMIT, json={}))

        # Timeouts: a stalled refresh, then a stalled read, each cut by a deadline.
        emulator.expire_access_tokens()
        emulator.faults.stall("oauth")
        deadline = {"meetingbooster_deadline": 0.3}
        await audit.expect(APITimeoutError, lambda: c.get(LIST, extensions=deadline))
        await emulator.faults.wait_released("oauth")
        assert (await c.get(LIST)).status_code == 200
        emulator.faults.stall("list")
        await audit.expect(APITimeoutError, lambda: c.get(LIST, extensions=deadline))
        await emulator.faults.wait_released("list")

        # Several users through one pool, one of them disabled mid-session.
        sessions = [c.as_user(email, password) for email, password in OTHER_USERS.items()]
        audit.objects += sessions + [s.auth for s in sessions]
        async with anyio.create_task_group() as tg:
            for session in sessions:
                for _ in range(5):
                    tg.start_soon(session.get, LIST)
        emulator.update_user("bob@example.com", enabled=False)
        bob = sessions[0]
        # 401, refresh, 401 again: the endpoint is futile for a while, the typed call raises.
        await audit.expect(AuthenticationError, lambda: bob.my_meetings.list_page(page_size=5))
        emulator.update_user("bob@example.com", enabled=True)
        for session in sessions[1:]:
            await session.signout()

        # Signouts: a normal one, and one whose refresh token the server forgot.
        await c.signout()
        assert (await c.get(LIST)).status_code == 200
        emulator.restart()
        await c.signout()

    # A shared token store: its repr and the stored tokens' repr.
    store = MemoryTokenStore()
    async with client(server, token_store=store) as c:
        assert (await c.get(LIST)).status_code == 200
        audit.objects += [store, c.mb_auth._tokens.export(), c]


async def test_no_secret_leaks_from_any_error_path(
    server: EmulatorServer,
    emulator: ReliabilityEmulator,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    issued = record_issued_tokens(emulator, monkeypatch)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    audit = Audit()
    with anyio.fail_after(60):
        await _run_error_paths(server, emulator, audit)

    passwords = {PASSWORD, *OTHER_USERS.values(), *WRONG_PASSWORDS}
    assert len(issued) >= 20  # the audit looked for real tokens (logins, refreshes, users)
    secrets = {**issued, **dict.fromkeys(passwords, "password")}
    assert len(audit.errors) == 17 and all(
        isinstance(e, MeetingBoosterError | httpx.TransportError) for e in audit.errors
    )
    # The SDK's own text first: exceptions (whole chains), reprs and strs.
    leaking_objects = [redact(t, secrets)[:200] for t in audit.texts() if leaks(t, secrets)]
    assert leaking_objects == []
    # Then the log records, the SDK's and httpx's first, then every logger's.
    records = [(r.name, f"{r.getMessage()} {r.args!r} {r.exc_text or ''}") for r in caplog.records]
    assert len(records) > 100 and any(name.startswith("httpcore") for name, _ in records)

    def leaking(prefixes: tuple[str, ...]) -> list[str]:
        found = {
            f"{name}: {redact(text, secrets)[:300]}"
            for name, text in records
            if name.startswith(prefixes) and leaks(text, secrets)
        }
        return sorted(found)

    assert leaking(("meetingbooster_async", "httpx")) == []
    assert leaking(("",)) == []
    assert leaks(caplog.text, secrets) == []


async def test_the_auth_flow_never_logs_a_secret_at_debug(
    server: EmulatorServer,
    emulator: ReliabilityEmulator,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The SDK's own logger alone (what a user who turns on our DEBUG logs sees)."""
    issued = record_issued_tokens(emulator, monkeypatch)
    caplog.set_level(logging.DEBUG, logger="meetingbooster_async")
    async with client(server) as c:
        with anyio.fail_after(10):
            await c.get(LIST)
            emulator.expire_access_tokens()
            await c.get(LIST)
            emulator.restart()
            await c.get(LIST)
    ours = [r for r in caplog.records if r.name.startswith("meetingbooster_async")]
    assert ours and len(issued) == 6
    secrets = [*issued, PASSWORD]
    assert [leaks(r.getMessage(), secrets) for r in ours] == [[] for _ in ours]


def test_repr_of_a_client_never_shows_the_password() -> None:
    c = MeetingBoosterClient("https://mb.example.com", username=USER, password=PASSWORD)
    shown = [repr(c), str(c), repr(c.mb_auth), str(c.mb_auth), repr(c.mb_auth._tokens)]
    assert [leaks(text, {PASSWORD}) for text in shown] == [[]] * len(shown)
