"""The part of respx's API our tests use, for httpx2 (respx patches legacy httpcore only).

``mock(base_url=..., assert_all_called=...)`` gives a router; while it is entered (``with``),
every request sent through an ``httpx2.AsyncHTTPTransport`` or ``httpx2.HTTPTransport`` is
answered by the first matching route of the routers entered, in the order they were entered;
a request no route matches fails the test (as respx's ``assert_all_mocked`` does). Nothing
reaches the network, not even DNS.

As respx does when it mocks httpcore, a side effect receives a fresh ``httpx2.Request`` whose
body has been read, and the response it returns is re-wrapped, so the client never sees the
very object a test built. Routes: ``router.get/post/put/patch/delete(url)`` and
``router.route(method=..., url=..., path__startswith=...)``; ``route.mock(side_effect=...,
return_value=...)``, ``route.respond(status, **kwargs)``; ``route.calls.last.request``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import TracebackType
from typing import Any

import httpx2

__all__ = ["MockRouter", "Route", "mock"]

_ACTIVE: list[MockRouter] = []
_ORIGINAL: dict[str, Any] = {}


class Call:
    def __init__(self, request: httpx2.Request, response: httpx2.Response | None) -> None:
        self.request, self.response = request, response


class CallList(list[Call]):
    @property
    def last(self) -> Call:
        return self[-1]


class Route:
    def __init__(self, method: str | None, url: httpx2.URL | None, path_prefix: str | None):
        self.method, self.url, self.path_prefix = method, url, path_prefix
        self.calls = CallList()
        self._side_effect: Any = None
        self._return_value: httpx2.Response | None = None

    @property
    def called(self) -> bool:
        return bool(self.calls)

    @property
    def call_count(self) -> int:
        return len(self.calls)

    def mock(self, side_effect: Any = None, return_value: httpx2.Response | None = None) -> Route:
        self._side_effect, self._return_value = side_effect, return_value
        return self

    def respond(self, status_code: int = 200, **kwargs: Any) -> Route:
        return self.mock(return_value=httpx2.Response(status_code, **kwargs))

    def matches(self, request: httpx2.Request) -> bool:
        if self.method is not None and request.method != self.method:
            return False
        if self.url is None:
            return True
        url = request.url
        if (url.scheme, url.host, url.port) != (self.url.scheme, self.url.host, self.url.port):
            return False
        if self.path_prefix is not None:
            return url.path.startswith(self.path_prefix)
        if url.path != self.url.path:
            return False
        return not self.url.query or url.query == self.url.query

    def _answer(self, request: httpx2.Request) -> Any:
        effect = self._side_effect
        if isinstance(effect, BaseException):
            raise effect
        if callable(effect):
            return effect(request)
        if self._return_value is not None:
            return self._return_value
        return httpx2.Response(200)


class MockRouter:
    def __init__(self, base_url: str | None = None, assert_all_called: bool = True) -> None:
        self.base_url = httpx2.URL(base_url) if base_url is not None else None
        self.assert_all_called = assert_all_called
        self.routes: list[Route] = []

    def _url(self, url: str | None) -> httpx2.URL | None:
        if url is None:
            return self.base_url
        if self.base_url is not None and url.startswith("/"):
            return self.base_url.copy_with(path=self.base_url.path.rstrip("/") + url)
        return httpx2.URL(url)

    def route(
        self,
        *,
        method: str | None = None,
        url: str | None = None,
        path__startswith: str | None = None,
    ) -> Route:
        base = self._url(url)
        prefix = None
        if path__startswith is not None:
            root = base.path.rstrip("/") if base is not None else ""
            prefix = root + path__startswith
        route = Route(method, base, prefix)
        self.routes.append(route)
        return route

    def get(self, url: str | None = None) -> Route:
        return self.route(method="GET", url=url)

    def post(self, url: str | None = None) -> Route:
        return self.route(method="POST", url=url)

    def put(self, url: str | None = None) -> Route:
        return self.route(method="PUT", url=url)

    def patch(self, url: str | None = None) -> Route:
        return self.route(method="PATCH", url=url)

    def delete(self, url: str | None = None) -> Route:
        return self.route(method="DELETE", url=url)

    def __enter__(self) -> MockRouter:
        if not _ACTIVE:
            _patch()
        _ACTIVE.append(self)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _ACTIVE.remove(self)
        if not _ACTIVE:
            _unpatch()
        if exc_type is None and self.assert_all_called:
            uncalled = [r for r in self.routes if not r.called]
            assert not uncalled, f"routes not called: {uncalled}"


def mock(base_url: str | None = None, assert_all_called: bool = True, **_: Any) -> MockRouter:
    """A router to enter with ``with`` (respx's ``respx.mock(...)``)."""
    return MockRouter(base_url=base_url, assert_all_called=assert_all_called)


def _find(request: httpx2.Request) -> Route:
    for router in list(_ACTIVE):
        for route in router.routes:
            if route.matches(request):
                return route
    raise AssertionError(f"no mocked route matches {request.method} {request.url}")


def _copy(request: httpx2.Request) -> httpx2.Request:
    return httpx2.Request(
        request.method,
        request.url,
        headers=request.headers,
        stream=request.stream,
        extensions=request.extensions,
    )


def _rewrap(response: httpx2.Response) -> httpx2.Response:
    return httpx2.Response(
        response.status_code,
        headers=response.headers.raw,
        stream=response.stream,
        extensions=response.extensions,
    )


async def _handle_async(_transport: Any, request: httpx2.Request) -> httpx2.Response:
    copy = _copy(request)
    await copy.aread()
    route = _find(copy)
    call = Call(copy, None)
    route.calls.append(call)
    answer = route._answer(copy)
    if inspect.isawaitable(answer):
        answer = await answer
    call.response = answer
    return _rewrap(answer)


def _handle_sync(_transport: Any, request: httpx2.Request) -> httpx2.Response:
    copy = _copy(request)
    copy.read()
    route = _find(copy)
    call = Call(copy, None)
    route.calls.append(call)
    answer = route._answer(copy)
    call.response = answer
    return _rewrap(answer)


_TARGETS: dict[str, tuple[type[Any], str, Callable[..., Any]]] = {
    "async": (httpx2.AsyncHTTPTransport, "handle_async_request", _handle_async),
    "sync": (httpx2.HTTPTransport, "handle_request", _handle_sync),
}


def _patch() -> None:
    for key, (cls, name, handler) in _TARGETS.items():
        _ORIGINAL[key] = cls.__dict__[name]
        setattr(cls, name, handler)


def _unpatch() -> None:
    for key, (cls, name, _) in _TARGETS.items():
        setattr(cls, name, _ORIGINAL.pop(key))
