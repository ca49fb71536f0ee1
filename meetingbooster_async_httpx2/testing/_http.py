# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/testing/_http.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""Plain ASGI plumbing: read a request into a value, build and send JSON responses."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs

import attrs

__all__ = [
    "ASGIApp",
    "ClientGone",
    "Message",
    "Receive",
    "Request",
    "RequestTooLarge",
    "Response",
    "Scope",
    "Send",
    "api_error",
    "json_response",
    "read_request",
    "send_response",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

JSON_TYPE = "application/json; charset=utf-8"


class RequestTooLarge(Exception):
    """The request body is larger than the emulator accepts."""


class ClientGone(Exception):
    """The client disconnected before its request body arrived."""


@attrs.frozen
class Request:
    """One HTTP request, fully read.

    ``query`` and ``headers`` have lower-cased keys: like the ASP.NET server it emulates, the
    emulator matches query parameter names case-insensitively.
    """

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes = b""

    def param(self, name: str) -> str | None:
        """The first value of query parameter ``name`` (case-insensitive), or ``None``."""
        values = self.query.get(name.lower())
        return values[0] if values else None

    def header(self, name: str) -> str | None:
        """Header ``name`` (case-insensitive), or ``None``."""
        return self.headers.get(name.lower())

    def cookie(self, name: str) -> str | None:
        """The value of cookie ``name``, or ``None``."""
        raw = self.header("cookie")
        if not raw:
            return None
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(raw)
        except CookieError:
            return None
        morsel = jar.get(name)
        return morsel.value if morsel is not None else None

    def media_type(self) -> str:
        """The ``Content-Type`` without parameters, lower-cased (``""`` when absent)."""
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    def form(self) -> dict[str, str]:
        """The body as ``application/x-www-form-urlencoded`` fields (first value wins)."""
        text = self.body.decode("utf-8", errors="replace")
        return {key: values[0] for key, values in parse_qs(text, keep_blank_values=True).items()}

    def json(self) -> Any:
        """The body parsed as JSON; raises ``ValueError`` when it is not."""
        return json.loads(self.body.decode("utf-8"))


@attrs.frozen
class Response:
    """One HTTP response to send."""

    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str | None = JSON_TYPE

    def json(self) -> Any:
        """The body parsed as JSON, or ``None`` when it is not JSON."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        """Headers for ``http.response.start``, with content type and length."""
        headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in self.headers
        ]
        if self.content_type is not None:
            headers.append((b"content-type", self.content_type.encode("latin-1")))
        headers.append((b"content-length", str(len(self.body)).encode("ascii")))
        return headers


def json_response(status: int, payload: Any, headers: tuple[tuple[str, str], ...] = ()) -> Response:
    """A JSON response with ``payload`` (compact, key order kept)."""
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return Response(status=status, body=body, headers=headers)


def api_error(
    status: int,
    message: str,
    code: str,
    *,
    message_key: str,
    code_key: str | None,
    headers: tuple[tuple[str, str], ...] = (),
) -> Response:
    """A ``JSApiError`` answer (shape undocumented: the keys come from the settings)."""
    body = {message_key: message}
    if code_key is not None:
        body[code_key] = code
    return json_response(status, body, headers)


def _headers(scope: Scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


async def read_request(scope: Scope, receive: Receive, max_body_bytes: int) -> Request:
    """Read the whole request; raises :class:`RequestTooLarge` or :class:`ClientGone`."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size <= max_body_bytes:
            chunks.append(chunk)
        # Past the limit the rest is read and discarded, so the client's upload can finish.
        more = bool(message.get("more_body", False))
    if size > max_body_bytes:
        raise RequestTooLarge
    query_text = scope.get("query_string", b"").decode("latin-1")
    query = {
        key.lower(): values for key, values in parse_qs(query_text, keep_blank_values=True).items()
    }
    return Request(
        method=str(scope["method"]).upper(),
        path=str(scope["path"]),
        query=query,
        headers=_headers(scope),
        body=b"".join(chunks),
    )


async def send_response(send: Send, response: Response) -> None:
    """Send ``response`` as one start and one body message."""
    await send(
        {
            "type": "http.response.start",
            "status": response.status,
            "headers": response.raw_headers(),
        }
    )
    await send({"type": "http.response.body", "body": response.body, "more_body": False})
