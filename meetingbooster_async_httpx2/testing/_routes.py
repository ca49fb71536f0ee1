# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/testing/_routes.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""The emulated routes: which path is which route, bearer checks, and the MyMeetings reads."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from ._http import Request, Response, api_error, json_response
from ._meetings import ApiFailure, render_meeting
from ._settings import EmulatorSettings
from ._state import State, User
from ._sync import handle_sync, handle_sync_commit, handle_tasks_sync, handle_tasks_sync_commit

__all__ = ["ROUTES", "Match", "dispatch_data", "match_route"]

#: Route names, as used by faults and stats (``"*"`` in faults means every route).
ROUTES = ("oauth", "sync", "sync_commit", "list", "meeting", "tasks_sync", "tasks_sync_commit")

UNAUTHORIZED = "Authorization has been denied for this request."


@attrs.frozen
class Match:
    """The route a request path and method select."""

    route: str
    param: str | None = None


def _table(settings: EmulatorSettings) -> list[tuple[str, str, str]]:
    return [
        ("oauth", "POST", "/oauth"),
        ("sync", "GET", "/api/v1/mymeetings/sync"),
        ("list", "GET", "/api/v1/mymeetings/list"),
        ("sync_commit", settings.sync_commit_method, settings.sync_commit_path),
        ("tasks_sync", "GET", settings.tasks_sync_path),
        ("tasks_sync_commit", settings.tasks_sync_commit_method, settings.tasks_sync_commit_path),
    ]


def match_route(settings: EmulatorSettings, method: str, path: str) -> Match | Response:
    """The route for ``method`` and ``path``, or a 404 / 405 answer.

    Paths compare case-insensitively and ignore a trailing slash, as IIS does.
    """
    wanted = path.rstrip("/").lower() or "/"
    allowed: list[str] = []
    for route, route_method, route_path in _table(settings):
        if route_path.lower() == wanted:
            if route_method == method:
                return Match(route)
            allowed.append(route_method)
    prefix = settings.meetings_path.lower() + "/"
    if wanted.startswith(prefix) and "/" not in wanted[len(prefix) :] and wanted != prefix[:-1]:
        if method == "GET":
            return Match("meeting", path.rstrip("/")[len(prefix) :])
        allowed.append("GET")
    if allowed:
        headers = (("allow", ", ".join(sorted(set(allowed)))),)
        message = "The requested resource does not support this method."
        return _error(settings, 405, message, "METHODNOTALLOWED", headers)
    return _error(settings, 404, f"No resource matches {path}", "NOTFOUND")


def _error(
    settings: EmulatorSettings,
    status: int,
    message: str,
    code: str,
    headers: tuple[tuple[str, str], ...] = (),
) -> Response:
    return api_error(
        status,
        message,
        code,
        message_key=settings.api_error_message_key,
        code_key=settings.api_error_code_key,
        headers=headers,
    )


def _int_param(request: Request, name: str, default: int, minimum: int) -> int:
    raw = request.param(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiFailure(400, f"{name} must be an integer", "BADREQUEST") from None
    if value < minimum:
        raise ApiFailure(400, f"{name} must be at least {minimum}", "BADREQUEST")
    return value


def _list(state: State, request: Request, user: User, _param: str | None) -> Response:
    settings = state.settings
    size = _int_param(request, "maxResults", settings.list_default_page_size, 1)
    size = min(size, settings.list_max_page_size)
    skip = _int_param(request, "skip", 0, 0)
    records = sorted(state.book(user), key=lambda r: (str(r.data.get("Start") or ""), r.id))
    page = records[skip : skip + size]
    headers: tuple[tuple[str, str], ...] = ()
    if skip + len(page) < len(records):
        headers = (("paging-next", str(skip + len(page))),)
    meetings = [render_meeting(r, null_unset=settings.null_unset_values) for r in page]
    return json_response(200, meetings, headers)


def _meeting(state: State, _request: Request, user: User, meeting_id: str | None) -> Response:
    record = state.book(user).get(meeting_id or "")
    if record is not None:
        return json_response(
            200, render_meeting(record, null_unset=state.settings.null_unset_values)
        )
    if state.owner_of(meeting_id or "") is not None:
        raise ApiFailure(403, "You do not have access to this meeting", "FORBIDDEN")
    raise ApiFailure(404, f"No meeting with Id {meeting_id}", "NOTFOUND")


def _sync(state: State, request: Request, user: User, _param: str | None) -> Response:
    return handle_sync(state, request, user)


def _sync_commit(state: State, request: Request, user: User, _param: str | None) -> Response:
    return handle_sync_commit(state, request, user)


def _tasks_sync(state: State, request: Request, user: User, _param: str | None) -> Response:
    return handle_tasks_sync(state, request, user)


def _tasks_commit(state: State, request: Request, user: User, _param: str | None) -> Response:
    return handle_tasks_sync_commit(state, request, user)


_HANDLERS: dict[str, Callable[[State, Request, User, str | None], Response]] = {
    "list": _list,
    "meeting": _meeting,
    "sync": _sync,
    "sync_commit": _sync_commit,
    "tasks_sync": _tasks_sync,
    "tasks_sync_commit": _tasks_commit,
}


def dispatch_data(state: State, match: Match, request: Request) -> Response:
    """Answer a data route: 401 without a valid bearer token, else the route's handler."""
    user = state.authenticate(request)
    if user is None:
        response = state.api_error(401, UNAUTHORIZED, "UNAUTHORIZED")
        return attrs.evolve(response, headers=(("www-authenticate", "Bearer"),))
    try:
        return _HANDLERS[match.route](state, request, user, match.param)
    except ApiFailure as failure:
        return state.failure(failure)
