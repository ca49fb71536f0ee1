# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/resources/_send.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""Send one typed call: typed transport and status errors, JSON bodies, structured models."""

from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol, TypeVar, overload

import httpx2

from .._converter import structure, unstructure
from .._errors import (
    APIConnectionError,
    APITimeoutError,
    MeetingBoosterError,
    ResponseValidationError,
    status_error_for,
)
from ._paths import DEFAULT_API_PATHS, ApiPaths

if TYPE_CHECKING:
    from collections.abc import Awaitable

__all__ = [
    "NO_BODY",
    "Requester",
    "paths_of",
    "read_json",
    "read_model",
    "send",
]

T = TypeVar("T")

#: What :func:`read_json` returns for an empty body.
NO_BODY: Final[Any] = object()


class Requester(Protocol):
    """Anything with httpx2's ``request``: a ``MeetingBoosterClient`` or a ``UserSession``."""

    def request(
        self, method: str, url: httpx2.URL | str, *args: Any, **kwargs: Any
    ) -> Awaitable[httpx2.Response]: ...


def paths_of(requester: object) -> ApiPaths:
    """The requester's ``api_paths``, or the defaults when it has none."""
    paths = getattr(requester, "api_paths", None)
    return paths if isinstance(paths, ApiPaths) else DEFAULT_API_PATHS


def _request_of(exc: httpx2.RequestError) -> httpx2.Request | None:
    try:
        return exc.request
    except RuntimeError:  # httpx2 raises when the error was built without a request
        return None


def _where(method: str, url: httpx2.URL | str) -> str:
    # No query string: it may carry a sync token.
    return f"{method} {httpx2.URL(url).copy_with(query=None)}"


async def send(
    requester: Requester,
    method: str,
    url: httpx2.URL | str,
    *,
    json: Any = None,
    extensions: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> httpx2.Response:
    """Send a request and return its 2xx response (body read).

    ``json`` may hold models (they are unstructured first). ``extensions`` are merged under
    the caller's own ``extensions=``, which win.

    Raises:
        APIStatusError: a non-2xx answer (its subclass for 400, 401, 403, 404, 409, 422,
            429 and 5xx; see :func:`status_error_for`).
        APIConnectionError: a transport failure; ``APITimeoutError`` for a timeout.
        ResponseValidationError: the body could not be decoded (``Content-Encoding``).
        SerializationError: ``json`` could not be unstructured (a naive datetime...).
    """
    if json is not None:
        kwargs["json"] = unstructure(json)
    if extensions:
        kwargs["extensions"] = {**extensions, **(kwargs.get("extensions") or {})}
    try:
        response = await requester.request(method, url, **kwargs)
    except MeetingBoosterError:
        raise
    except httpx2.TimeoutException as exc:
        message = f"{_where(method, url)} timed out: {type(exc).__name__}"
        raise APITimeoutError(message, request=_request_of(exc)) from exc
    except httpx2.TransportError as exc:
        message = f"{_where(method, url)} failed: {type(exc).__name__}: {exc}"
        raise APIConnectionError(message, request=_request_of(exc)) from exc
    except httpx2.DecodingError as exc:
        raise ResponseValidationError(f"the body could not be decoded: {exc}") from exc
    if not response.is_success:
        raise status_error_for(response)
    return response


def read_json(response: httpx2.Response) -> Any:
    """The parsed JSON body, or :data:`NO_BODY` when the body is empty.

    Raises:
        ResponseValidationError: the body is not JSON (an HTML error page, a cut body...).
    """
    content = response.content
    if not content.strip():
        return NO_BODY
    try:
        return jsonlib.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        kind = response.headers.get("content-type", "no content type")
        raise ResponseValidationError(
            f"HTTP {response.status_code} body is not JSON ({kind})", response=response
        ) from exc


@overload
def read_model(
    response: httpx2.Response, model: type[T], *, optional: Literal[False] = False
) -> T: ...


@overload
def read_model(
    response: httpx2.Response, model: type[T], *, optional: Literal[True]
) -> T | None: ...


def read_model(response: httpx2.Response, model: type[T], *, optional: bool = False) -> T | None:
    """The body structured as ``model``; ``None`` for an empty/null body when ``optional``.

    Raises:
        ResponseValidationError: the body is not JSON, is empty (unless ``optional``) or does
            not fit ``model``; ``path`` names the first bad field.
    """
    data = read_json(response)
    if optional and (data is NO_BODY or data is None):
        return None
    if data is NO_BODY:
        raise ResponseValidationError(
            f"HTTP {response.status_code} has an empty body", response=response
        )
    return structure(data, model, response=response)
