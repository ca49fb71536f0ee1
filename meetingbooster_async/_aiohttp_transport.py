"""A lean httpx transport on aiohttp's connection pool: the transport of ``fast=True``.

It does what the ``httpx-aiohttp`` adapter does, with less work per request: a response
whose body is small, of known length and not content-encoded is read here, at once, into an
``httpx.Response`` that needs no async iteration later (``httpx.AsyncClient.send`` reads it
anyway); any other body, and every response of ``client.stream(...)``, is streamed. Client
timeouts and parsed URLs are cached rather than rebuilt per request. Every aiohttp error
becomes the httpx exception the adapter raises for it (:data:`AIOHTTP_ERRORS`, resolved the
same way), so switching transports changes no ``except`` clause. asyncio only, like aiohttp.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Mapping
from typing import Any, Final

import aiohttp
import httpx
from yarl import URL as YarlURL

from ._hotpath import STREAM_EXTENSION

__all__ = [
    "AIOHTTP_ERRORS",
    "AiohttpTransport",
    "httpx_error_for",
]

#: Bodies up to this many bytes (known ``Content-Length``) are read eagerly.
EAGER_LIMIT: Final = 1 << 20
#: Bound of the per-transport caches (parsed URLs, timeouts).
CACHE_SIZE: Final = 512
#: httpx's default pool limits.
DEFAULT_LIMITS: Final = httpx.Limits(max_connections=100, max_keepalive_connections=20)
#: Chunk size when streaming (the adapter's).
CHUNK_SIZE: Final = 16 * 1024

#: aiohttp error -> httpx exception, as ``httpx_aiohttp.transport.AIOHTTP_EXC_MAP`` has it
#: (pinned by tests/test_aiohttp_transport.py). Where several match, :func:`httpx_error_for`
#: picks as the adapter does: a later match wins if its httpx type subclasses the current one.
AIOHTTP_ERRORS: Final[tuple[tuple[type[BaseException], type[httpx.TransportError]], ...]] = (
    (aiohttp.ServerTimeoutError, httpx.TimeoutException),
    (aiohttp.SocketTimeoutError, httpx.ReadTimeout),
    (aiohttp.ClientConnectionError, httpx.ConnectTimeout),
    (aiohttp.ClientConnectorError, httpx.ConnectError),
    (aiohttp.ClientPayloadError, httpx.ReadError),
    (aiohttp.ClientProxyConnectionError, httpx.ProxyError),
    (aiohttp.ClientHttpProxyError, httpx.ProxyError),
    (aiohttp.NonHttpUrlClientError, httpx.UnsupportedProtocol),
    (aiohttp.InvalidUrlClientError, httpx.UnsupportedProtocol),
)


def httpx_error_for(exc: BaseException) -> type[httpx.TransportError] | None:
    """The httpx exception type the adapter raises for ``exc`` (None: it re-raises ``exc``)."""
    mapped: type[httpx.TransportError] | None = None
    for source, target in AIOHTTP_ERRORS:
        if isinstance(exc, source) and (mapped is None or issubclass(target, mapped)):
            mapped = target
    return mapped


def _raise_mapped(exc: Exception, request: httpx.Request) -> None:
    """Raise the httpx exception for ``exc`` (chained), or return to let it propagate."""
    mapped = httpx_error_for(exc)
    if mapped is not None:
        raise mapped(str(exc), request=request) from exc


class _StreamedBody(httpx.AsyncByteStream):
    """A response body read from aiohttp as the caller iterates (``client.stream``)."""

    __slots__ = ("_request", "_response")

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_chunked(CHUNK_SIZE):
                yield chunk
        except Exception as exc:
            _raise_mapped(exc, self._request)
            raise

    async def aclose(self) -> None:
        try:
            await self._response.__aexit__(None, None, None)
        except Exception as exc:
            _raise_mapped(exc, self._request)
            raise


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An ``httpx.AsyncBaseTransport`` sending through one ``aiohttp.ClientSession``.

    Args:
        verify: as ``httpx.AsyncHTTPTransport`` (one SSL context is built from ``verify``,
            ``cert`` and ``trust_env``, once).
        cert: as ``httpx.AsyncHTTPTransport``.
        trust_env: as ``httpx.AsyncHTTPTransport``.
        limits: ``max_connections`` becomes the connector's ``limit``, ``keepalive_expiry``
            its ``keepalive_timeout``.

    The session is created on first use (it needs a running event loop) and closed by
    :meth:`aclose`.
    """

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | str | bool = True,
        cert: Any = None,
        trust_env: bool = True,
        limits: httpx.Limits = DEFAULT_LIMITS,
    ) -> None:
        self._ssl = httpx.create_ssl_context(verify=verify, cert=cert, trust_env=trust_env)
        self._limits = limits
        self._session: aiohttp.ClientSession | None = None
        self._urls: dict[httpx.URL, YarlURL] = {}
        self._timeouts: dict[tuple[Any, ...], aiohttp.ClientTimeout] = {}

    def _open(self) -> aiohttp.ClientSession:
        limit = self._limits.max_connections
        connector = aiohttp.TCPConnector(
            limit=limit if limit is not None else 0,
            keepalive_timeout=self._limits.keepalive_expiry,
            ssl=self._ssl,
        )
        self._session = aiohttp.ClientSession(connector=connector)
        return self._session

    def _url(self, url: httpx.URL) -> YarlURL:
        found = self._urls.get(url)
        if found is None:
            if len(self._urls) >= CACHE_SIZE:
                self._urls.clear()
            # httpx has percent-encoded the URL already: aiohttp must not requote it. URL
            # credentials are httpx's business (an Authorization header by now), as with
            # httpcore: aiohttp would refuse the pair (the adapter fails there).
            found = YarlURL(str(url), encoded=True)
            if found.raw_user is not None:
                found = found.with_user(None)
            self._urls[url] = found
        return found

    def _timeout(self, timeout: Mapping[str, Any]) -> aiohttp.ClientTimeout:
        key = (timeout.get("connect"), timeout.get("read"), timeout.get("pool"))
        found = self._timeouts.get(key)
        if found is None:
            if len(self._timeouts) >= CACHE_SIZE:
                self._timeouts.clear()
            # The adapter's mapping: httpx's pool wait bounds aiohttp's wait for a connection.
            found = aiohttp.ClientTimeout(sock_connect=key[0], sock_read=key[1], connect=key[2])
            self._timeouts[key] = found
        return found

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._session or self._open()
        extensions = request.extensions
        data: Any
        try:
            data = request.content or None
        except httpx.RequestNotRead:
            data = request.stream  # aiohttp sends it chunked
            request.headers.pop("transfer-encoding", None)
        try:
            response = await session.request(
                request.method,
                self._url(request.url),
                headers=request.headers.multi_items(),
                data=data,
                allow_redirects=False,
                auto_decompress=False,
                compress=False,
                timeout=self._timeout(extensions.get("timeout", {})),
                server_hostname=extensions.get("sni_hostname"),
            )
        except Exception as exc:
            _raise_mapped(exc, request)
            raise
        reason = response.reason
        info = {"http_version": b"HTTP/1.1"}
        if reason:
            info["reason_phrase"] = reason.encode()
        length = response.content_length
        if (
            not extensions.get(STREAM_EXTENSION)
            and length is not None
            and length <= EAGER_LIMIT
            and "Content-Encoding" not in response.headers
        ):
            try:
                body = await response.read()
            except Exception as exc:
                response.close()
                _raise_mapped(exc, request)
                raise
            except BaseException:
                response.close()  # cancelled mid-body: the connection cannot be reused
                raise
            # Still a stream to httpx (``send(stream=True)`` callers may read it raw), in memory.
            return httpx.Response(
                response.status,
                headers=response.raw_headers,
                stream=httpx.ByteStream(body),
                request=request,
                extensions=info,
            )
        return httpx.Response(
            response.status,
            headers=response.raw_headers,
            stream=_StreamedBody(response, request),
            request=request,
            extensions=info,
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
