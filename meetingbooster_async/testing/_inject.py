"""How a scripted fault becomes an answer: a reshaped response, or a lost connection."""

from __future__ import annotations

import json
from collections.abc import Callable

import anyio
import attrs
import httpx

from ._faults import DropMode, Rule
from ._http import Receive, Response, Scope, Send

__all__ = ["ABORT_EXTENSION", "drop_connection", "shape_answer"]

#: ASGI scope extension a server runner may set: ``abort(reset: bool)`` closes the connection.
ABORT_EXTENSION = "meetingbooster.abort"


def shape_answer(rule: Rule, response: Response) -> Response:
    """Apply a forced answer's patch, dropped keys, body, headers and status to ``response``."""
    body, content_type = response.body, response.content_type
    if rule.patch or rule.drop_keys:
        data = response.json()
        if isinstance(data, dict):
            for key in rule.drop_keys:
                data.pop(key, None)
            data.update(rule.patch)
            body = json.dumps(data, separators=(",", ":")).encode("utf-8")
    if rule.body is not None:
        body, content_type = rule.body, rule.content_type
    forced = {name for name, _ in rule.headers}
    if "content-type" in forced:
        content_type = None  # the forced header says it
    kept = tuple((name, value) for name, value in response.headers if name.lower() not in forced)
    return Response(
        status=rule.status or response.status,
        body=body,
        headers=kept + rule.headers,
        content_type=content_type,
    )


async def drop_connection(
    scope: Scope, receive: Receive, send: Send, mode: DropMode, response: Response
) -> None:
    """Lose the connection instead of answering (see ``Faults.drop``)."""
    if mode == "mid_body":
        body = response.body if len(response.body) >= 2 else b'{"Message":"never completed"}'
        full = attrs.evolve(response, body=body)
        await send(
            {"type": "http.response.start", "status": full.status, "headers": full.raw_headers()}
        )
        await send(
            {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
        )
    abort: Callable[[bool], None] | None = (scope.get("extensions") or {}).get(ABORT_EXTENSION)
    if abort is not None:
        abort(mode == "reset")
        # Wait until the server has seen the connection go, so it logs no missing response.
        with anyio.move_on_after(5):
            while (await receive())["type"] != "http.disconnect":
                pass
        return
    # In process (httpx.ASGITransport) there is no socket: raise what httpx raises for one.
    request = _request_of(scope)
    if mode == "close":
        message = "Server disconnected without sending a response."
        raise httpx.RemoteProtocolError(message, request=request)
    if mode == "reset":
        raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request)
    message = "peer closed connection without sending complete message body"
    raise httpx.RemoteProtocolError(message, request=request)


def _request_of(scope: Scope) -> httpx.Request:
    """An ``httpx.Request`` like the one that reached the app (for the exception's context)."""
    host, port = scope.get("server") or ("localhost", None)
    authority = f"{host}:{port}" if port else str(host)
    query = scope.get("query_string", b"").decode("latin-1")
    url = f"{scope.get('scheme', 'http')}://{authority}{scope['path']}"
    return httpx.Request(str(scope["method"]), f"{url}?{query}" if query else url)
