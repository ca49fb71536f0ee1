# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/resources/_response.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""APIResponse and Call: a typed call's HTTP response with its model one ``.parse()`` away."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import attrs
import httpx2

from .._security import safe_url
from ._send import Requester, send

__all__ = ["APIResponse", "Call"]

T = TypeVar("T")

_UNPARSED: Any = object()


class APIResponse(Generic[T]):
    """What ``.with_raw_response`` methods return: the response, and the model on demand.

    A non-2xx answer still raises the typed :class:`APIStatusError` (it carries the response
    too); the body is read, so ``http_response.content`` and ``.json()`` work after the call.

    Example:
        >>> async def sync_with_headers(client):
        ...     raw = await client.my_meetings.with_raw_response.sync()
        ...     print(raw.status_code, raw.headers.get("content-type"))
        ...     return raw.parse()  # MeetingSynchronization
    """

    __slots__ = ("_parse", "_parsed", "http_response")

    def __init__(
        self, http_response: httpx2.Response, parse: Callable[[httpx2.Response], T]
    ) -> None:
        #: The :class:`httpx2.Response` as received (body read).
        self.http_response = http_response
        self._parse = parse
        self._parsed: T = _UNPARSED

    @property
    def status_code(self) -> int:
        """The HTTP status."""
        return self.http_response.status_code

    @property
    def headers(self) -> httpx2.Headers:
        """The response headers."""
        return self.http_response.headers

    @property
    def request(self) -> httpx2.Request:
        """The request as sent (the last attempt's)."""
        return self.http_response.request

    def parse(self) -> T:
        """The body as the method's model (parsed once, then cached).

        Raises:
            ResponseValidationError: the body does not fit the model.
        """
        if self._parsed is _UNPARSED:
            self._parsed = self._parse(self.http_response)
        return self._parsed

    def __repr__(self) -> str:
        request = self.http_response.request
        return f"<APIResponse [{self.status_code}] {request.method} {safe_url(request.url)}>"


@attrs.frozen(kw_only=True)
class Call(Generic[T]):
    """One typed call, described: sent and parsed (``parsed``) or handed back raw (``raw``)."""

    requester: Requester
    method: str
    url: str
    parse: Callable[[httpx2.Response], T]
    kwargs: dict[str, Any] = attrs.field(factory=dict)
    json: Any = None

    async def parsed(self) -> T:
        """Send and return the model."""
        return self.parse(await self._send())

    async def raw(self) -> APIResponse[T]:
        """Send and return the :class:`APIResponse`."""
        return APIResponse(await self._send(), self.parse)

    async def _send(self) -> httpx2.Response:
        return await send(self.requester, self.method, self.url, json=self.json, **self.kwargs)
