"""The client's per-request savings: less httpx machinery per request, same httpx behaviour.

:class:`HotPathMixin` sits between ``MeetingBoosterClient`` and ``httpx.AsyncClient``:

- ``build_request`` takes the merged URL of a relative path (``base_url`` merged in) from a
  bounded LRU cache instead of parsing and merging it twice per request, and the client's
  timeout as a cached dict; assigning ``base_url`` (or ``params``) clears the cache,
  ``timeout`` its dict. Headers are merged per request (they may be changed in place).
  Requests with cookies (given, or kept on the client) take httpx's own builder.
- With ``keep_cookies=False`` the client's ``cookies`` are a jar that never extracts anything
  from a response (it kept nothing before either: its policy refused every cookie), so no
  response is scanned for ``Set-Cookie``.
- A response's body stream no longer points back at the response once the body is read or
  closed (httpx's ``BoundAsyncStream`` does, for the life of both): nothing per request is
  left to the cycle collector.
- ``send(stream=True)`` (and so ``client.stream(...)``) marks its requests
  (:data:`STREAM_EXTENSION`) so that the fast transport streams their bodies; any other
  small body it reads ahead and hands back read.

``_send_single_request`` and ``_transport_for_url`` are httpx privates: they are detected at
import (:data:`PRIVATE_HOOKS`, pinned by tests/test_hotpath.py). If an httpx upgrade moves
them, httpx's own ``_send_single_request`` runs: slower, never different.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import TYPE_CHECKING, Any, Final

import httpx
from httpx import USE_CLIENT_DEFAULT

if TYPE_CHECKING:
    from httpx._client import UseClientDefault
    from httpx._types import (
        AuthTypes,
        CookieTypes,
        HeaderTypes,
        QueryParamTypes,
        RequestContent,
        RequestData,
        RequestExtensions,
        RequestFiles,
        TimeoutTypes,
    )

__all__ = ["PRIVATE_HOOKS", "STREAM_EXTENSION", "URL_CACHE_SIZE", "HotPathMixin"]

#: A request extension set by ``send(stream=True)``: the body is streamed, not read ahead.
STREAM_EXTENSION: Final = "meetingbooster_stream"
#: How many merged URLs (one per distinct relative path) the client remembers.
URL_CACHE_SIZE: Final = 256
#: True if httpx has the private methods our ``_send_single_request`` replaces and calls.
PRIVATE_HOOKS: Final = all(
    callable(getattr(httpx.AsyncClient, name, None))
    for name in ("_send_single_request", "_transport_for_url")
)

#: httpx's own logger: it logs every request at INFO; so do we, in the same words.
_httpx_logger = logging.getLogger("httpx")


#: httpx's client class as it was when this module was imported: the setters below call its
#: properties through this name, so code that later patches ``httpx.AsyncClient`` (with a
#: subclass of ours, say) does not send them back into themselves.
_BASE: Final = httpx.AsyncClient
_BASE_URL_SETTER: Final = _BASE.base_url.fset  # type: ignore[attr-defined]
_PARAMS_SETTER: Final = _BASE.params.fset  # type: ignore[attr-defined]
_TIMEOUT_SETTER: Final = _BASE.timeout.fset  # type: ignore[attr-defined]


class _RefuseAllCookies(DefaultCookiePolicy):
    """Keep no cookie from any response: MeetingBooster auth is Bearer only."""

    def set_ok(self, cookie: Any, request: Any) -> bool:
        return False


class UnkeptCookies(httpx.Cookies):
    """The cookies of a client that keeps none: sent if set by hand, never taken from responses."""

    def __init__(self, cookies: CookieTypes | None = None) -> None:
        super().__init__(CookieJar(policy=_RefuseAllCookies()))
        if cookies:
            self.update(cookies)

    def extract_cookies(self, response: httpx.Response) -> None:
        """Nothing to do: the policy would refuse every cookie anyway."""


class _ReleasingStream(httpx.AsyncByteStream):
    """httpx's ``BoundAsyncStream``, letting go of its response once closed (no cycle left)."""

    __slots__ = ("_response", "_start", "_stream")

    def __init__(
        self, stream: httpx.AsyncByteStream, response: httpx.Response, start: float
    ) -> None:
        self._stream = stream
        self._response: httpx.Response | None = response
        self._start = start

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        response, self._response = self._response, None
        if response is not None:
            response.elapsed = datetime.timedelta(seconds=time.perf_counter() - self._start)
        await self._stream.aclose()


class HotPathMixin(httpx.AsyncClient):
    """``httpx.AsyncClient`` with the per-request savings above; behaviour unchanged.

    Args:
        keep_cookies: false: the client's cookies never take anything from a response.
        **kwargs: everything else goes to ``httpx.AsyncClient``.
    """

    def __init__(self, *, keep_cookies: bool = True, **kwargs: Any) -> None:
        self._hot_keep_cookies = keep_cookies
        self._hot_encoding = kwargs.get("default_encoding", "utf-8")
        self._hot_urls: OrderedDict[str, httpx.URL] = OrderedDict()
        self._hot_timeout: dict[str, float | None] | None = None
        self._hot_cookies: httpx.Cookies = httpx.Cookies()
        super().__init__(**kwargs)
        given = super().cookies  # httpx's, on the jar given with cookies= if any
        self._hot_cookies = given if keep_cookies else UnkeptCookies(given)

    # -- inputs of the caches: assigning them clears what depends on them ---------------------

    @property
    def cookies(self) -> httpx.Cookies:
        """httpx's ``cookies``: the jar (one that keeps nothing unless ``keep_cookies``)."""
        return self._hot_cookies

    @cookies.setter
    def cookies(self, cookies: CookieTypes) -> None:
        keep = self._hot_keep_cookies
        self._hot_cookies = httpx.Cookies(cookies) if keep else UnkeptCookies(cookies)

    @property
    def base_url(self) -> httpx.URL:
        """httpx's ``base_url``; assigning it clears the cache of merged URLs."""
        return super().base_url

    @base_url.setter
    def base_url(self, url: httpx.URL | str) -> None:
        _BASE_URL_SETTER(self, url)
        self._hot_urls.clear()

    @property
    def params(self) -> httpx.QueryParams:
        """httpx's default ``params``; assigning them clears the cache of merged URLs."""
        return super().params

    @params.setter
    def params(self, params: QueryParamTypes) -> None:
        _PARAMS_SETTER(self, params)
        self._hot_urls.clear()

    @property
    def timeout(self) -> httpx.Timeout:
        """httpx's default ``timeout``."""
        return super().timeout

    @timeout.setter
    def timeout(self, timeout: TimeoutTypes) -> None:
        _TIMEOUT_SETTER(self, timeout)
        self._hot_timeout = None

    # -- building a request --------------------------------------------------------------------

    def _hot_url(self, url: str) -> httpx.URL:
        """``url`` merged with ``base_url`` (httpx's ``_merge_url``), from the LRU cache."""
        urls = self._hot_urls
        found = urls.get(url)
        if found is not None:
            urls.move_to_end(url)
            return found
        found = urls[url] = self._merge_url(url)
        if len(urls) > URL_CACHE_SIZE:
            urls.popitem(last=False)
        return found

    def build_request(
        self,
        method: str,
        url: httpx.URL | str,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
    ) -> httpx.Request:
        """httpx's ``build_request``, with the merged URL and the timeout dict cached."""
        if cookies or not isinstance(url, str) or self._hot_cookies:
            return super().build_request(
                method,
                url,
                content=content,
                data=data,
                files=files,
                json=json,
                params=params,
                headers=headers,
                cookies=cookies,
                timeout=timeout,
                extensions=extensions,
            )
        merged_headers: HeaderTypes = self.headers  # httpx.Request copies it
        if headers is not None:
            merged_headers = httpx.Headers(self.headers)
            merged_headers.update(headers)
        if extensions is None or "timeout" not in extensions:
            if timeout is USE_CLIENT_DEFAULT:
                timeouts = self._hot_timeout
                if timeouts is None:
                    timeouts = self._hot_timeout = self.timeout.as_dict()
                timeouts = dict(timeouts)  # each request gets its own, as in httpx
            else:
                timeouts = httpx.Timeout(timeout).as_dict()  # type: ignore[arg-type]
            extensions = {**(extensions or {}), "timeout": timeouts}
        if params or self.params:  # as httpx: the merged params replace the URL's query
            params = httpx.QueryParams(self.params).merge(params)
        return httpx.Request(
            method,
            self._hot_url(url),
            content=content,
            data=data,
            files=files,
            json=json,
            params=params,
            headers=merged_headers,
            extensions=extensions,
        )

    async def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
    ) -> httpx.Response:
        """httpx's ``send``; a streamed request (``client.stream(...)`` too) is marked so that
        no transport reads its body ahead."""
        if stream:
            request.extensions[STREAM_EXTENSION] = True
        return await super().send(
            request, stream=stream, auth=auth, follow_redirects=follow_redirects
        )

    # -- one request on the wire ---------------------------------------------------------------

    async def _send_single_request(self, request: httpx.Request) -> httpx.Response:
        """httpx's ``_send_single_request`` without cookie work or a response/stream cycle."""
        if not PRIVATE_HOOKS:  # an httpx upgrade moved them: httpx's own way, only slower
            return await super()._send_single_request(request)
        transport = self._transport_for_url(request.url)
        start = time.perf_counter()
        if not isinstance(request.stream, httpx.AsyncByteStream):
            raise RuntimeError("Attempted to send an sync request with an AsyncClient instance.")
        try:
            response = await transport.handle_async_request(request)
        except httpx.RequestError as exc:
            exc.request = request  # as httpx's request_context does
            raise
        response.request = request
        stream = response.stream
        if response.is_closed:  # read already (e.g. a MockTransport's): nothing to bind
            response.elapsed = datetime.timedelta(seconds=time.perf_counter() - start)
        else:
            assert isinstance(stream, httpx.AsyncByteStream)
            response.stream = _ReleasingStream(stream, response, start)
        if self._hot_keep_cookies:
            self._hot_cookies.extract_cookies(response)
        response.default_encoding = self._hot_encoding
        if _httpx_logger.isEnabledFor(logging.INFO):
            _httpx_logger.info(
                'HTTP Request: %s %s "%s %d %s"',
                request.method,
                request.url,
                response.http_version,
                response.status_code,
                response.reason_phrase,
            )
        return response
