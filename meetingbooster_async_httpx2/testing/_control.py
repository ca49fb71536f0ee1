# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/testing/_control.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""Control routes under ``/_emulator``: stats, clock, tokens, seeding and faults over HTTP.

They need no bearer token (only ``X-Emulator-Key`` when ``control_key`` is set), so
real-server tests, benchmarks and the CLI can script the emulator from another process.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import anyio
import attrs

from ._faults import Faults
from ._http import Request, Response, json_response
from ._settings import EmulatorSettings
from ._stats import EmulatorStats

__all__ = ["CONTROL_ROUTES", "Controllable", "handle_control"]


class Controllable(Protocol):
    """What the control routes drive: the :class:`~._emulator.Emulator` (which imports this
    module, so this module names only the methods it calls, not the class)."""

    faults: Faults

    @property
    def settings(self) -> EmulatorSettings: ...

    def configure(self, **changes: Any) -> EmulatorSettings: ...

    def advance(self, seconds: float) -> None: ...

    def add_user(
        self,
        email: str,
        password: str,
        *,
        name: str | None = ...,
        title: str = ...,
        enabled: bool = ...,
        guest: bool = ...,
        meetings: int = ...,
    ) -> dict[str, Any]: ...

    def add_meeting(
        self, owner: str, *, meeting_id: str | None = ..., **fields: Any
    ) -> dict[str, Any]: ...

    def update_meeting(self, meeting_id: str, **fields: Any) -> dict[str, Any]: ...

    def delete_meeting(self, meeting_id: str) -> None: ...

    def add_task(
        self, owner: str, *, task_id: str | None = ..., **fields: Any
    ) -> dict[str, Any]: ...

    def update_task(self, owner: str, task_id: str, **fields: Any) -> dict[str, Any]: ...

    def delete_task(self, owner: str, task_id: str) -> None: ...

    def restart(self) -> None: ...

    def expire_access_tokens(self, user: str | None = None) -> None: ...

    def clear_lockouts(self) -> None: ...

    def stats(self) -> EmulatorStats: ...

    def reset_stats(self) -> None: ...


_OK = {"ok": True}


class _BadControl(Exception):
    """A control request with a bad body or parameter (answered 400)."""


def _body(request: Request) -> dict[str, Any]:
    if not request.body.strip():
        return {}
    try:
        data = request.json()
    except ValueError:
        raise _BadControl("the body must be JSON") from None
    if not isinstance(data, dict):
        raise _BadControl("the body must be a JSON object")
    return data


def _get(data: dict[str, Any], key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
    value = data.get(key, default)
    if value is not None and not isinstance(value, kind):
        raise _BadControl(f"{key} has the wrong type")
    return value


async def _stats(emulator: Controllable, _request: Request) -> Response:
    return json_response(200, emulator.stats().to_json())


async def _reset_stats(emulator: Controllable, _request: Request) -> Response:
    emulator.reset_stats()
    return json_response(200, _OK)


async def _restart(emulator: Controllable, _request: Request) -> Response:
    emulator.restart()
    return json_response(200, _OK)


async def _expire(emulator: Controllable, request: Request) -> Response:
    emulator.expire_access_tokens(_get(_body(request), "user", str))
    return json_response(200, _OK)


async def _clear_lockouts(emulator: Controllable, _request: Request) -> Response:
    emulator.clear_lockouts()
    return json_response(200, _OK)


async def _advance(emulator: Controllable, request: Request) -> Response:
    emulator.advance(float(_get(_body(request), "seconds", (int, float), 0)))
    return json_response(200, _OK)


async def _get_settings(emulator: Controllable, _request: Request) -> Response:
    return json_response(200, attrs.asdict(emulator.settings))


async def _set_settings(emulator: Controllable, request: Request) -> Response:
    changes = _body(request)
    if "control_key" in changes or "control_prefix" in changes:
        raise _BadControl("control_key and control_prefix cannot be changed over HTTP")
    return json_response(200, attrs.asdict(emulator.configure(**changes)))


async def _add_user(emulator: Controllable, request: Request) -> Response:
    data = _body(request)
    user = emulator.add_user(
        _get(data, "email", str, ""),
        _get(data, "password", str, ""),
        name=_get(data, "name", str),
        title=_get(data, "title", str, ""),
        enabled=_get(data, "enabled", bool, True),
        guest=_get(data, "guest", bool, False),
        meetings=_get(data, "meetings", int, 0),
    )
    return json_response(200, user)


async def _add_meeting(emulator: Controllable, request: Request) -> Response:
    data = _body(request)
    meeting = dict(_get(data, "meeting", dict, {}))
    meeting_id = meeting.pop("Id", None)
    created = emulator.add_meeting(_get(data, "owner", str, ""), meeting_id=meeting_id, **meeting)
    return json_response(200, created)


async def _update_meeting(emulator: Controllable, request: Request) -> Response:
    data = _body(request)
    fields = dict(_get(data, "meeting", dict, {}))
    return json_response(200, emulator.update_meeting(_get(data, "id", str, ""), **fields))


async def _delete_meeting(emulator: Controllable, request: Request) -> Response:
    emulator.delete_meeting(_get(_body(request), "id", str, ""))
    return json_response(200, _OK)


async def _add_task(emulator: Controllable, request: Request) -> Response:
    data = _body(request)
    task = dict(_get(data, "task", dict, {}))
    task_id = task.pop("Id", None)
    return json_response(
        200, emulator.add_task(_get(data, "owner", str, ""), task_id=task_id, **task)
    )


async def _update_task(emulator: Controllable, request: Request) -> Response:
    data = _body(request)
    fields = dict(_get(data, "task", dict, {}))
    owner, task_id = _get(data, "owner", str, ""), _get(data, "id", str, "")
    return json_response(200, emulator.update_task(owner, task_id, **fields))


async def _delete_task(emulator: Controllable, request: Request) -> Response:
    data = _body(request)
    emulator.delete_task(_get(data, "owner", str, ""), _get(data, "id", str, ""))
    return json_response(200, _OK)


async def _latency(emulator: Controllable, request: Request) -> Response:
    data = _body(request)
    emulator.faults.set_latency(
        _get(data, "route", str, "*"), _get(data, "seconds", (int, float), 0)
    )
    return json_response(200, _OK)


async def _force(emulator: Controllable, request: Request) -> Response:
    data = _body(request)
    raw = _get(data, "raw", str)
    emulator.faults.force(
        _get(data, "route", str, "*"),
        status=_get(data, "status", int),
        body=raw.encode("utf-8") if raw is not None else data.get("body"),
        patch=_get(data, "patch", dict),
        drop_keys=_get(data, "drop_keys", list, []),
        headers=_get(data, "headers", dict),
        times=_get(data, "times", int, 1),
        run_handler=_get(data, "run_handler", bool),
    )
    return json_response(200, _OK)


async def _drop(emulator: Controllable, request: Request) -> Response:
    data = _body(request)
    emulator.faults.drop(
        _get(data, "route", str, "*"),
        mode=_get(data, "mode", str, "close"),
        times=_get(data, "times", int, 1),
        run_handler=_get(data, "run_handler", bool, False),
    )
    return json_response(200, _OK)


async def _fail(emulator: Controllable, request: Request) -> Response:
    data = _body(request)
    emulator.faults.fail(_get(data, "route", str, "*"), times=_get(data, "times", int, 1))
    return json_response(200, _OK)


async def _hold(emulator: Controllable, request: Request) -> Response:
    data = _body(request)
    emulator.faults.hold(_get(data, "route", str, "*"), times=_get(data, "times", int))
    return json_response(200, _OK)


async def _release(emulator: Controllable, request: Request) -> Response:
    emulator.faults.release(_get(_body(request), "route", str))
    return json_response(200, _OK)


async def _clear_faults(emulator: Controllable, _request: Request) -> Response:
    emulator.faults.clear()
    return json_response(200, _OK)


async def _held(emulator: Controllable, request: Request) -> Response:
    """``GET .../faults/held?route=R&count=N&timeout=S``: waits for N held requests (408)."""
    route = request.param("route") or None
    try:
        count = int(request.param("count") or 0)
        timeout = float(request.param("timeout") or 10)
    except ValueError:
        raise _BadControl("count and timeout must be numbers") from None
    if count > 0:
        with anyio.move_on_after(timeout) as scope:
            await emulator.faults.wait_held(count, route)
        if scope.cancelled_caught:
            return json_response(408, {"held": emulator.faults.held(route)})
    return json_response(200, {"held": emulator.faults.held(route)})


_Handler = Callable[[Controllable, Request], Awaitable[Response]]

#: (method, path under the prefix) → handler.
CONTROL_ROUTES: dict[tuple[str, str], _Handler] = {
    ("GET", "/stats"): _stats,
    ("POST", "/stats/reset"): _reset_stats,
    ("POST", "/restart"): _restart,
    ("POST", "/expire-tokens"): _expire,
    ("POST", "/clear-lockouts"): _clear_lockouts,
    ("POST", "/advance"): _advance,
    ("GET", "/settings"): _get_settings,
    ("POST", "/settings"): _set_settings,
    ("POST", "/users"): _add_user,
    ("POST", "/meetings"): _add_meeting,
    ("POST", "/meetings/update"): _update_meeting,
    ("POST", "/meetings/delete"): _delete_meeting,
    ("POST", "/tasks"): _add_task,
    ("POST", "/tasks/update"): _update_task,
    ("POST", "/tasks/delete"): _delete_task,
    ("POST", "/faults/latency"): _latency,
    ("POST", "/faults/force"): _force,
    ("POST", "/faults/drop"): _drop,
    ("POST", "/faults/fail"): _fail,
    ("POST", "/faults/hold"): _hold,
    ("POST", "/faults/release"): _release,
    ("POST", "/faults/clear"): _clear_faults,
    ("GET", "/faults/held"): _held,
}


async def handle_control(emulator: Controllable, request: Request, prefix: str) -> Response:
    """Answer a request under the control prefix."""
    key = emulator.settings.control_key
    given = request.header("x-emulator-key") or ""
    if key is not None and not secrets.compare_digest(given.encode(), key.encode()):
        return json_response(403, {"error": "X-Emulator-Key is missing or wrong"})
    path = request.path[len(prefix) :].rstrip("/").lower()
    handler = CONTROL_ROUTES.get((request.method, path))
    if handler is None:
        if any(route_path == path for _, route_path in CONTROL_ROUTES):
            return json_response(405, {"error": f"{request.method} is not allowed here"})
        return json_response(404, {"error": f"no control route {path!r}"})
    try:
        return await handler(emulator, request)
    except (_BadControl, ValueError, TypeError, KeyError) as exc:
        return json_response(400, {"error": str(exc)})
