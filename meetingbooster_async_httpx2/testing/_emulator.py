# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/testing/_emulator.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""The :class:`Emulator`: an in-memory MeetingBooster server as a plain ASGI application."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import anyio
import attrs
import httpx2

from ._clock import EmulatorClock
from ._control import handle_control
from ._faults import Faults, Rule
from ._http import (
    ClientGone,
    Receive,
    Request,
    RequestTooLarge,
    Response,
    Scope,
    Send,
    read_request,
    send_response,
)
from ._inject import drop_connection, shape_answer
from ._meetings import render_meeting
from ._oauth import grant_of, handle_oauth
from ._routes import Match, dispatch_data, match_route
from ._settings import EmulatorSettings
from ._state import State, User
from ._stats import NO_ANSWER, EmulatorStats, StatsRecorder

__all__ = ["Emulator"]

_log = logging.getLogger("meetingbooster_async_httpx2.testing")


class _InjectedFailure(RuntimeError):
    """Raised inside a handler by ``faults.fail()``."""


class Emulator:
    """An in-memory MeetingBooster server; the object itself is the ASGI application.

    Args:
        settings: Behaviour switches; :class:`EmulatorSettings` defaults when ``None``.
        users: ``{email: password}`` or ``(email, password)`` pairs to create.
        meetings_per_user: Deterministic meetings to create for each of ``users``.
        clock: The monotonic clock tokens and lockouts use (``time.monotonic`` by default);
            :meth:`advance` moves it forward.

    Example:
        >>> emulator = Emulator(users={"ann@example.com": "secret"}, meetings_per_user=3)
        >>> transport = httpx2.ASGITransport(app=emulator)  # or emulator.transport()
    """

    def __init__(
        self,
        settings: EmulatorSettings | None = None,
        *,
        users: Mapping[str, str] | Iterable[tuple[str, str]] = (),
        meetings_per_user: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = EmulatorClock(clock)
        self._state = State(settings or EmulatorSettings(), self._clock)
        self._lock = threading.RLock()
        self._stats = StatsRecorder()
        #: The fault script: latency, forced answers, drops, failures, hold gates.
        self.faults = Faults()
        pairs = users.items() if isinstance(users, Mapping) else users
        for email, password in pairs:
            self.add_user(email, password, meetings=meetings_per_user)

    # Settings and time

    @property
    def settings(self) -> EmulatorSettings:
        """The current settings (assign a new value, or use :meth:`configure`)."""
        return self._state.settings

    @settings.setter
    def settings(self, value: EmulatorSettings) -> None:
        with self._lock:
            self._state.settings = value

    def configure(self, **changes: Any) -> EmulatorSettings:
        """Change some settings, e.g. ``configure(rotate_refresh_tokens=False)``."""
        with self._lock:
            self._state.settings = attrs.evolve(self._state.settings, **changes)
            return self._state.settings

    @property
    def app(self) -> Emulator:
        """The ASGI application (the emulator itself)."""
        return self

    def transport(self) -> httpx2.ASGITransport:
        """An ``httpx2.ASGITransport`` that sends requests to this emulator in process."""
        return httpx2.ASGITransport(app=self)

    def now(self) -> float:
        """The emulator's monotonic time in seconds."""
        return self._clock.now()

    def advance(self, seconds: float) -> None:
        """Move the emulator's clocks forward: tokens expire, lockouts end, no sleeping."""
        self._clock.advance(seconds)

    # Users and meetings

    def add_user(
        self,
        email: str,
        password: str,
        *,
        name: str | None = None,
        title: str = "",
        enabled: bool = True,
        guest: bool = False,
        user_id: str | None = None,
        meetings: int = 0,
    ) -> dict[str, Any]:
        """Create a user (and ``meetings`` deterministic meetings); returns its ``JSUser``."""
        with self._lock:
            user = self._state.add_user(
                email, password, name=name, title=title, enabled=enabled, guest=guest,
                user_id=user_id,
            )  # fmt: skip
            self._state.seed_meetings(user, meetings)
            return user.to_json()

    def update_user(
        self,
        email: str,
        *,
        password: str | None = None,
        enabled: bool | None = None,
        guest: bool | None = None,
    ) -> dict[str, Any]:
        """Change a user's password or flags; returns its ``JSUser``."""
        with self._lock:
            user = self._state.user(email)
            if password is not None:
                user.password = password
            if enabled is not None:
                user.enabled = enabled
            if guest is not None:
                user.guest = guest
            return user.to_json()

    def users(self) -> list[dict[str, Any]]:
        """Every user's ``JSUser``."""
        with self._lock:
            return [user.to_json() for user in self._state.users()]

    def add_meeting(
        self, owner: str, *, meeting_id: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        """Create a meeting hosted by ``owner`` from PascalCase JSMeeting keys.

        Example:
            >>> emulator.add_meeting("ann@example.com", Title="Plan", Start="2024-03-05T09:00:00Z")
            ... # doctest: +SKIP
        """
        with self._lock:
            user = self._state.user(owner)
            record = self._state.create_meeting(user, fields, meeting_id=meeting_id)
            return self._render(record.data["Id"], user)

    def meeting(self, meeting_id: str) -> dict[str, Any]:
        """The JSMeeting with ``meeting_id`` (any host); raises ``KeyError`` when unknown."""
        with self._lock:
            user, _ = self._find(meeting_id)
            return self._render(meeting_id, user)

    def update_meeting(self, meeting_id: str, **fields: Any) -> dict[str, Any]:
        """Change a meeting (as its host would); Sync then reports it as MODIFIED."""
        with self._lock:
            user, record = self._find(meeting_id)
            self._state.update_meeting(user, record, fields)
            return self._render(meeting_id, user)

    def delete_meeting(self, meeting_id: str) -> None:
        """Delete a meeting; Sync then reports it as DELETED."""
        with self._lock:
            user, record = self._find(meeting_id)
            self._state.delete_meeting(user, record)

    def meetings(self, owner: str) -> list[dict[str, Any]]:
        """``owner``'s meetings as JSMeeting dicts, in list order (Start, then Id)."""
        with self._lock:
            user = self._state.user(owner)
            records = sorted(
                self._state.book(user), key=lambda r: (str(r.data["Start"] or ""), r.id)
            )
            return [self._render(record.id, user) for record in records]

    def add_task(self, owner: str, *, task_id: str | None = None, **fields: Any) -> dict[str, Any]:
        """Give ``owner`` a task (PascalCase keys, e.g. ``Title="Send minutes"``); its JSON.

        Tasks are inferred (nothing of a JSTask is documented): each has an ``Id`` and keeps
        whatever keys it is given; MyTasks Sync reports it as NEW, then MODIFIED or DELETED.
        """
        with self._lock:
            user = self._state.user(owner)
            book = self._state.tasks(user)
            record = book.create(fields, modified=self._state.clock.wall_text(), task_id=task_id)
            return dict(record.data)

    def update_task(self, owner: str, task_id: str, **fields: Any) -> dict[str, Any]:
        """Change one of ``owner``'s tasks; Sync then reports it as MODIFIED."""
        with self._lock:
            book = self._state.tasks(self._state.user(owner))
            record = book.get(task_id)
            if record is None:
                raise KeyError(task_id)
            book.update(record, fields, modified=self._state.clock.wall_text())
            return dict(record.data)

    def delete_task(self, owner: str, task_id: str) -> None:
        """Delete one of ``owner``'s tasks; Sync then reports it as DELETED."""
        with self._lock:
            book = self._state.tasks(self._state.user(owner))
            record = book.get(task_id)
            if record is None:
                raise KeyError(task_id)
            book.delete(record, deleted_at=self._state.clock.wall_text())

    def tasks(self, owner: str) -> list[dict[str, Any]]:
        """``owner``'s tasks as JSON dicts, oldest first."""
        with self._lock:
            book = self._state.tasks(self._state.user(owner))
            return [dict(r.data) for r in sorted(book, key=lambda r: r.created_version)]

    def calendar_entries(self, owner: str) -> list[dict[str, Any]]:
        """The ``JSSyncCalendarEntry`` items ``owner``'s clients committed."""
        with self._lock:
            book = self._state.book(self._state.user(owner))
            return [dict(entry) for entry in book.calendar_entries.values()]

    # Tokens

    def restart(self) -> None:
        """A server restart: every access AND refresh token is forgotten (data stays)."""
        with self._lock:
            self._state.tokens.forget_all()

    def expire_access_tokens(self, user: str | None = None) -> None:
        """Expire every access token now (only ``user``'s, when given), without telling clients
        (hidden expiry); refresh tokens stay valid. Raises ``KeyError`` for an unknown user."""
        with self._lock:
            user_id = None if user is None else self._state.user(user).id
            self._state.tokens.expire_all(self._clock.now(), user_id=user_id)

    def clear_lockouts(self) -> None:
        """Forget failed logins and lift every lockout."""
        with self._lock:
            self._state.guard.clear()

    # Observability

    def stats(self) -> EmulatorStats:
        """A frozen snapshot of the counters."""
        with self._lock:
            sessions, access = self._state.tokens.counts(self._clock.now())
        return self._stats.snapshot(
            held=self.faults.held_by_route(), sessions=sessions, access_tokens=access
        )

    def reset_stats(self) -> None:
        """Zero the counters (held requests and tokens are state, not counters)."""
        self._stats.reset()

    # ASGI

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI entry point (``http`` and ``lifespan``)."""
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        try:
            request = await read_request(scope, receive, self.settings.max_body_bytes)
        except RequestTooLarge:
            await send_response(send, self._state.api_error(413, "Body too large", "TOOLARGE"))
            return
        except ClientGone:
            return
        prefix = self.settings.control_prefix
        if request.path == prefix or request.path.startswith(prefix + "/"):
            await send_response(send, await handle_control(self, request, prefix))
            return
        match = match_route(self.settings, request.method, request.path)
        if isinstance(match, Response):
            self._stats.answered("unknown", match.status, grant=None, outcome="")
            await send_response(send, match)
            return
        await self._serve(match, request, scope, receive, send)

    async def _serve(
        self, match: Match, request: Request, scope: Scope, receive: Receive, send: Send
    ) -> None:
        route = match.route
        grant = grant_of(request) if route == "oauth" else None
        if grant is not None:
            self._stats.arrived(grant)
        delay = self.faults.latency_for(route)
        if delay:
            await anyio.sleep(delay)

        def abandoned() -> None:
            self._stats.answered(route, NO_ANSWER, grant=grant, outcome="abandoned")

        if not await self.faults.pass_gate(route, receive, abandoned):
            return
        rule = self.faults.take(route)
        response, outcome = self._respond(match, request, rule)
        # Count before sending: a client that reads the stats after its answer must see it.
        if rule is not None and rule.kind == "drop":
            self._stats.answered(route, NO_ANSWER, grant=grant, outcome=outcome)
            await drop_connection(scope, receive, send, rule.mode, response)
            return
        self._stats.answered(route, response.status, grant=grant, outcome=outcome)
        await send_response(send, response)

    def _respond(self, match: Match, request: Request, rule: Rule | None) -> tuple[Response, str]:
        if rule is not None and rule.kind == "drop" and not rule.run_handler:
            # Only the start of this placeholder is ever sent (``mid_body``).
            return self._state.api_error(
                200, "This answer is never completed", "DROPPED"
            ), "dropped"
        if rule is not None and rule.kind == "force" and not rule.run_handler:
            status = 200 if rule.body is not None else 500
            default = self._state.api_error(
                rule.status or status, "Injected by the emulator", "INJECTED"
            )
            return shape_answer(rule, default), "fault"
        try:
            with self._lock:
                if rule is not None and rule.kind == "fail":
                    raise _InjectedFailure("injected by faults.fail()")
                if match.route == "oauth":
                    response, outcome = handle_oauth(self._state, request)
                else:
                    response, outcome = dispatch_data(self._state, match, request), "ok"
        except Exception:
            _log.exception("MeetingBooster emulator: %s %s failed", request.method, request.path)
            response = self._state.api_error(500, "An error has occurred.", "SERVERERROR")
            outcome = "error"
        if rule is not None and rule.kind == "force":
            response = shape_answer(rule, response)
        return response, outcome

    def _find(self, meeting_id: str) -> tuple[User, Any]:
        user = self._state.owner_of(meeting_id)
        record = self._state.book(user).get(meeting_id) if user else None
        if user is None or record is None:
            raise KeyError(meeting_id)
        return user, record

    def _render(self, meeting_id: str, user: User) -> dict[str, Any]:
        record = self._state.book(user).get(meeting_id)
        assert record is not None
        return render_meeting(record, null_unset=self.settings.null_unset_values)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.faults.release()  # held requests must not block a graceful shutdown
                await send({"type": "lifespan.shutdown.complete"})
                return
