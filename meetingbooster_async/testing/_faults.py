"""Scriptable faults: latency, forced answers, dropped connections, failures and hold gates.

Every fault names a route (see ``ROUTES``) or ``"*"`` for all of them; a route's own fault
wins over ``"*"``. A request meets them in this order: latency, then the hold gate, then the
next scripted answer (force / drop / fail). Control routes are never affected. All methods
are thread-safe, so a test can script a server that runs in another thread.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from typing import Any, Literal

import anyio
import attrs

from ._http import JSON_TYPE, Receive
from ._routes import ROUTES
from ._signals import Notifier

__all__ = ["BODY_PRESETS", "DROP_MODES", "Faults", "Rule"]

#: Named malformed bodies for :meth:`Faults.force`: (body, content type).
BODY_PRESETS: Mapping[str, tuple[bytes, str | None]] = {
    "html": (
        b"<!DOCTYPE html><html><head><title>Service Unavailable</title></head>"
        b"<body><h1>Service Unavailable</h1></body></html>",
        "text/html; charset=utf-8",
    ),
    "invalid_json": (b'{"access_token": "abc', JSON_TYPE),
    "empty": (b"", None),
}

DropMode = Literal["close", "reset", "mid_body"]
DROP_MODES: tuple[DropMode, ...] = ("close", "reset", "mid_body")


@attrs.frozen
class Rule:
    """One scripted answer; see :meth:`Faults.force`, :meth:`Faults.drop`, :meth:`Faults.fail`."""

    kind: Literal["force", "drop", "fail"]
    status: int | None = None
    body: bytes | None = None
    content_type: str | None = JSON_TYPE
    patch: Mapping[str, Any] = attrs.field(factory=dict)
    drop_keys: tuple[str, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    run_handler: bool = False
    mode: DropMode = "close"


@attrs.define(eq=False)
class _Scripted:
    rule: Rule
    remaining: int


@attrs.define(eq=False)
class _Ticket:
    route: str
    released: bool = False


@attrs.define(eq=False)
class _Gate:
    closed: bool = False
    remaining: int = 0
    tickets: set[_Ticket] = attrs.field(factory=set)


def _check_route(route: str) -> str:
    if route != "*" and route not in ROUTES:
        msg = f"unknown route {route!r}; expected '*' or one of {', '.join(ROUTES)}"
        raise ValueError(msg)
    return route


def _check_times(times: int) -> int:
    if times < 1:
        msg = "times must be at least 1"
        raise ValueError(msg)
    return times


class Faults:
    """The fault script of one emulator (``emulator.faults``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latency: dict[str, float] = {}
        self._scripts: dict[str, list[_Scripted]] = {}
        self._gates: dict[str, _Gate] = {}
        self._notifier = Notifier()

    # Scripting

    def set_latency(self, route: str, seconds: float) -> None:
        """Delay every answer of ``route`` by ``seconds`` (0 removes the delay)."""
        _check_route(route)
        with self._lock:
            if seconds > 0:
                self._latency[route] = seconds
            else:
                self._latency.pop(route, None)

    def force(
        self,
        route: str,
        *,
        status: int | None = None,
        body: str | bytes | Mapping[str, Any] | list[Any] | None = None,
        patch: Mapping[str, Any] | None = None,
        drop_keys: tuple[str, ...] | list[str] = (),
        headers: Mapping[str, str] | None = None,
        times: int = 1,
        run_handler: bool | None = None,
    ) -> None:
        """Force the next ``times`` answers of ``route``.

        Args:
            route: A route name or ``"*"``.
            status: The status to answer. Default: the handler's when it runs, else 200 with
                a ``body`` and 500 (an ``INJECTED`` ``JSApiError``) without one.
            body: A preset name (``"html"``, ``"invalid_json"``, ``"empty"``), raw bytes, or a
                JSON value to answer instead of the real body.
            patch: Keys to set in the real JSON answer, e.g. ``{"expires_in": "abc"}``.
            drop_keys: Keys to remove from the real JSON answer, e.g. ``["access_token"]``.
            headers: Headers to send with the answer, each replacing one of the same name,
                e.g. ``{"Retry-After": "30"}`` on a 503 or 429.
            times: How many answers to force.
            run_handler: Whether the real handler still runs (changing state, e.g. rotating a
                refresh token). Default: only when ``patch`` or ``drop_keys`` is given.

        Example:
            >>> emulator.faults.force("oauth", status=503, body="html", times=2)  # doctest: +SKIP
            >>> emulator.faults.force("list", status=429, headers={"Retry-After": "1"})
            ... # doctest: +SKIP
        """
        content, content_type = _body(body)
        forced_headers = tuple((name.lower(), value) for name, value in (headers or {}).items())
        if any(name == "content-length" for name, _ in forced_headers):
            msg = "Content-Length is computed from the body; it cannot be forced"
            raise ValueError(msg)
        run = bool(patch or drop_keys) if run_handler is None else run_handler
        rule = Rule(
            kind="force",
            status=status,
            body=content,
            content_type=content_type,
            patch=dict(patch or {}),
            drop_keys=tuple(drop_keys),
            headers=forced_headers,
            run_handler=run,
        )
        self._script(route, rule, times)

    def drop(
        self, route: str, *, mode: DropMode = "close", times: int = 1, run_handler: bool = False
    ) -> None:
        """Drop the connection of the next ``times`` requests to ``route``.

        Args:
            route: A route name or ``"*"``.
            mode: ``"close"`` (no response at all), ``"reset"`` (TCP reset, no response) or
                ``"mid_body"`` (status and headers, then part of the body).
            times: How many requests to drop.
            run_handler: Run the real handler first (the server did the work, the answer is
                lost), e.g. a refresh grant that rotated the refresh token.
        """
        if mode not in DROP_MODES:
            msg = f"mode must be one of {DROP_MODES}"
            raise ValueError(msg)
        self._script(route, Rule(kind="drop", mode=mode, run_handler=run_handler), times)

    def fail(self, route: str, *, times: int = 1) -> None:
        """Make the handler of the next ``times`` requests raise: a general failure (500)."""
        self._script(route, Rule(kind="fail"), times)

    def hold(self, route: str, *, times: int | None = None) -> None:
        """Hold requests to ``route`` until :meth:`release` (all of them, or the next ``times``).

        A held request waits without answering; :meth:`held` counts them and
        :meth:`wait_held` waits until enough are waiting.
        """
        _check_route(route)
        with self._lock:
            gate = self._gates.setdefault(route, _Gate())
            if times is None:
                gate.closed = True
            else:
                gate.remaining += _check_times(times)

    def stall(self, route: str, *, times: int = 1) -> None:
        """Stall the next ``times`` requests to ``route`` until :meth:`release` (a hold)."""
        self.hold(route, times=times)

    def release(self, route: str | None = None) -> None:
        """Open the gate of ``route`` (every gate when ``None``) and let held requests go."""
        with self._lock:
            keys = list(self._gates) if route is None else [_check_route(route)]
            for key in keys:
                gate = self._gates.pop(key, None)
                for ticket in gate.tickets if gate else ():
                    ticket.released = True
        self._notifier.notify()

    def clear(self) -> None:
        """Remove every latency and scripted answer and release every held request."""
        with self._lock:
            self._latency.clear()
            self._scripts.clear()
        self.release()

    # Observing

    def held(self, route: str | None = None) -> int:
        """How many requests (to ``route``, or to any route) are held right now."""
        with self._lock:
            tickets = [t for gate in self._gates.values() for t in gate.tickets]
        return sum(1 for t in tickets if route in (None, "*", t.route) and not t.released)

    def held_by_route(self) -> dict[str, int]:
        """Held requests per route."""
        with self._lock:
            routes = [t.route for gate in self._gates.values() for t in gate.tickets]
        return {route: routes.count(route) for route in sorted(set(routes))}

    async def wait_held(self, count: int = 1, route: str | None = None) -> None:
        """Wait until at least ``count`` requests (to ``route``, or any) are held.

        Example:
            >>> emulator.faults.hold("oauth")  # doctest: +SKIP
            >>> # ... start 10 concurrent client calls ...
            >>> await emulator.faults.wait_held(1, "oauth")  # doctest: +SKIP
            >>> emulator.faults.release("oauth")  # doctest: +SKIP
        """
        await self._notifier.wait_for(lambda: self.held(route) >= count)

    # Used by the emulator for each request

    def latency_for(self, route: str) -> float:
        """The delay for ``route``."""
        with self._lock:
            return self._latency.get(route, self._latency.get("*", 0.0))

    def take(self, route: str) -> Rule | None:
        """Consume the next scripted answer for ``route``, if any."""
        with self._lock:
            for key in (route, "*"):
                scripts = self._scripts.get(key)
                if scripts:
                    scripted = scripts[0]
                    scripted.remaining -= 1
                    if scripted.remaining == 0:
                        scripts.pop(0)
                    return scripted.rule
        return None

    async def wait_released(self, route: str | None = None) -> None:
        """Wait until no request (to ``route``, or to any) is held: released or abandoned."""
        await self._notifier.wait_for(lambda: self.held(route) == 0)

    async def pass_gate(
        self, route: str, receive: Receive, on_abandon: Callable[[], None] = lambda: None
    ) -> bool:
        """Wait while ``route`` is held; ``False`` when the client went away meanwhile.

        ``on_abandon`` runs before the request stops counting as held, so whoever waits for
        the held count to drop sees its effect (e.g. a stats update).
        """
        ticket = self._admit(route)
        if ticket is None:
            return True
        self._notifier.notify()
        gone = False
        try:
            async with anyio.create_task_group() as group:

                async def watch_disconnect() -> None:
                    nonlocal gone
                    while (await receive())["type"] != "http.disconnect":
                        pass
                    gone = True
                    group.cancel_scope.cancel()

                group.start_soon(watch_disconnect)
                await self._notifier.wait_for(lambda: ticket.released)
                group.cancel_scope.cancel()
        finally:
            if gone:
                on_abandon()
            with self._lock:
                for gate in self._gates.values():
                    gate.tickets.discard(ticket)
            self._notifier.notify()
        return not gone

    def _admit(self, route: str) -> _Ticket | None:
        with self._lock:
            for key in (route, "*"):
                gate = self._gates.get(key)
                if gate is not None and (gate.closed or gate.remaining > 0):
                    if not gate.closed:
                        gate.remaining -= 1
                    ticket = _Ticket(route)
                    gate.tickets.add(ticket)
                    return ticket
        return None

    def _script(self, route: str, rule: Rule, times: int) -> None:
        _check_route(route)
        with self._lock:
            self._scripts.setdefault(route, []).append(_Scripted(rule, _check_times(times)))


def _body(
    body: str | bytes | Mapping[str, Any] | list[Any] | None,
) -> tuple[bytes | None, str | None]:
    if body is None:
        return None, JSON_TYPE
    if isinstance(body, str):
        if body not in BODY_PRESETS:
            msg = f"unknown body preset {body!r}; expected one of {', '.join(BODY_PRESETS)}"
            raise ValueError(msg)
        return BODY_PRESETS[body]
    if isinstance(body, bytes):
        return body, JSON_TYPE
    return json.dumps(body).encode("utf-8"), JSON_TYPE
