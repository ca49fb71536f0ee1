# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_aiohttp_transport.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""A lean httpx2 transport on aiohttp's connection pool: the transport of ``fast=True``.

It does what the ``httpx-aiohttp`` adapter does, with less work per request: a response
whose body is small, of known length and not content-encoded is read here, at once, into an
``httpx2.Response`` that needs no async iteration later (``httpx2.AsyncClient.send`` reads it
anyway) and handed back read, as ``aread()`` leaves it; any other body, and every response
of ``client.stream(...)`` or ``send(stream=True)``, is streamed. Client
timeouts and parsed URLs are cached rather than rebuilt per request. asyncio only, like aiohttp.

What it does that aiohttp does not, so that it means what httpcore2 means:

* **A record per attempt.** Just before the first byte goes out, the attempt is marked as one
  that may have reached the server (:data:`~._retry.REACHED_EXTENSION` on the request, read by
  the retry and token rules), and every aiohttp error becomes the httpx2 class that record
  implies (:mod:`._aiohttp_errors`): ``ConnectError``/``ConnectTimeout`` only while nothing was
  written, ``RemoteProtocolError`` for a disconnect after it, ``ReadError`` for a reset.
* **No resend of its own.** aiohttp sends an idempotent request a second time when a kept-alive
  connection breaks; here the retry policy alone decides, so a second write of one attempt is
  refused and the first failure raised.
* **A write timeout** (aiohttp has none): while a large or streamed body waits to be written,
  a watch fails the attempt with ``WriteTimeout`` when the connection took no byte for
  ``timeout.write`` seconds (httpcore2's meaning); a slow reader keeps it alive, and a body of
  up to 64 KiB, written at once, costs no timer.
* **No Content-Type of its own** for a body httpx2 sent without one (aiohttp adds
  ``application/octet-stream`` to streams), and a reason phrase that is not UTF-8 is kept as the
  bytes it was, as httpcore2 keeps it.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime
import ssl
import time
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from typing import Any, Final, NoReturn

import aiohttp
import httpx2
from yarl import URL as YarlURL

from ._aiohttp_errors import Phase, error_message, httpx_error_for
from ._hotpath import STREAM_EXTENSION
from ._retry import REACHED_EXTENSION

__all__ = ["AiohttpTransport"]

#: Bodies up to this many bytes (known ``Content-Length``) are read eagerly.
EAGER_LIMIT: Final = 1 << 20
#: Bound of the per-transport caches (parsed URLs, timeouts).
CACHE_SIZE: Final = 512
#: httpx2's default pool limits.
DEFAULT_LIMITS: Final = httpx2.Limits(max_connections=100, max_keepalive_connections=20)
#: Chunk size when streaming (the adapter's).
CHUNK_SIZE: Final = 16 * 1024
#: A request body up to this size goes out in one write that never waits (aiohttp drains
#: only past 64 KiB): no write watch for it.
UNWATCHED_BODY: Final = 1 << 16


class _Attempt:
    """One attempt's record: how far it got, its connection, its first failure."""

    __slots__ = (
        "body_left",
        "error",
        "extensions",
        "handle",
        "last_size",
        "phase",
        "timed_out",
        "transport",
    )

    def __init__(self, extensions: dict[str, Any]) -> None:
        self.extensions = extensions
        self.phase = Phase.POOL
        self.transport: asyncio.Transport | None = None
        self.error: BaseException | None = None
        self.handle: asyncio.TimerHandle | None = None
        self.last_size = -1
        self.timed_out = False
        #: A body is still being written (an answer can come before its end).
        self.body_left = False

    def drop_unsent_body(self) -> None:
        """The answer came before the whole body went out: drop the rest and the connection.

        httpcore2 does the same (the connection cannot be reused); left to aiohttp, the rest
        of the body would go on being written to a server that has answered.
        """
        transport = self.transport
        if not self.body_left or transport is None:
            return
        # A closing transport with nothing left to write may have lost its connection already
        # (asyncio's plain one then has no loop, and abort() raises): nothing to drop there.
        if transport.get_write_buffer_size() or not transport.is_closing():
            transport.abort()

    def finish(self) -> None:
        """The response is over: no watch, no abort of a connection that may serve others."""
        self.unwatch()
        self.transport = None
        self.body_left = False

    def fail(self, exc: BaseException, request: httpx2.Request) -> NoReturn:
        """Raise the httpx2 error this attempt's record gives ``exc`` (or ``exc`` itself)."""
        if isinstance(exc, _Resent) and self.error is not None:
            exc = self.error
        mapped = httpx_error_for(exc, self.phase, write_timed_out=self.timed_out)
        if mapped is None:
            raise exc
        error = mapped(error_message(exc), request=request)
        # A response error holds aiohttp's request_info (every header, the Authorization one
        # included): it is left out of the chain, its words are in the message.
        if isinstance(exc, aiohttp.ClientResponseError):
            raise error from None
        raise error from exc

    # -- the write watch -----------------------------------------------------------------

    def watch(self, timeout: float) -> None:
        """Start watching the connection's write buffer for ``timeout`` seconds.

        Called as a chunk is handed to aiohttp, which writes it in the same step: the size
        to compare with is taken right after that step, so a stall fails after ``timeout``.
        """
        loop = asyncio.get_running_loop()
        self.last_size = -1
        loop.call_soon(self._look)
        self.handle = loop.call_later(timeout, self._check, timeout)

    def _look(self) -> None:
        if self.transport is not None and self.handle is not None:
            self.last_size = self.transport.get_write_buffer_size()

    def unwatch(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None

    def _check(self, timeout: float) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        size = transport.get_write_buffer_size()
        if size != self.last_size:  # bytes left the buffer (or a first look): keep going
            self.last_size = size
            self.handle = asyncio.get_running_loop().call_later(timeout, self._check, timeout)
            return
        self.timed_out = True
        transport.abort()


#: The attempt in progress in this task (aiohttp sends in the caller's task).
_ATTEMPT: Final[contextvars.ContextVar[_Attempt | None]] = contextvars.ContextVar(
    "meetingbooster_aiohttp_attempt", default=None
)


class _Resent(aiohttp.ClientError):
    """aiohttp tried to write one attempt a second time (its own retry): refused."""


class _Request(aiohttp.ClientRequest):
    """aiohttp's request, recording the moment before its first byte is written."""

    async def send(self, conn: aiohttp.connector.Connection) -> aiohttp.ClientResponse:
        attempt = _ATTEMPT.get()
        if attempt is not None:
            if attempt.phase is Phase.SENT:
                raise _Resent("aiohttp's own resend refused: the retry policy decides")
            attempt.phase = Phase.SENT
            attempt.extensions[REACHED_EXTENSION] = True
            attempt.transport = conn.transport
        try:
            return await super().send(conn)
        except BaseException as exc:
            if attempt is not None and attempt.error is None:
                attempt.error = exc
            raise


class _Response(aiohttp.ClientResponse):
    """aiohttp's response, keeping the first failure of its attempt (aiohttp may swallow it)."""

    async def start(self, connection: aiohttp.connector.Connection) -> aiohttp.ClientResponse:
        try:
            return await super().start(connection)
        except BaseException as exc:
            attempt = _ATTEMPT.get()
            if attempt is not None and attempt.error is None:
                attempt.error = exc
            raise


_NO_CONTENT_TYPE: Final = ("Content-Type",)
#: aiohttp >= 3.11 has a switch for its own resend of idempotent requests.
_CAN_REFUSE_RESEND: Final = "_retry_connection" in getattr(aiohttp.ClientSession, "ATTRS", ())


class _Connector(aiohttp.TCPConnector):
    """aiohttp's connector, recording when a pool wait becomes a connect."""

    async def _create_connection(self, req: Any, traces: Any, timeout: Any) -> Any:  # noqa: ASYNC109
        attempt = _ATTEMPT.get()
        if attempt is not None and attempt.phase is Phase.POOL:
            # Never back from SENT: aiohttp < 3.11 reconnects before its own resend.
            attempt.phase = Phase.CONNECTING
        return await super()._create_connection(req, traces, timeout)


async def _watched(
    body: bytes | AsyncIterable[bytes],
    attempt: _Attempt,
    timeout: float | None,  # noqa: ASYNC109 (httpx2's write timeout)
) -> AsyncIterator[bytes]:
    """``body`` for aiohttp to write, the write watch running while each chunk is written.

    It also tells the attempt when the body has all gone out (:meth:`_Attempt.drop_unsent_body`).
    """
    attempt.body_left = True
    chunks: AsyncIterable[bytes] = _once(body) if isinstance(body, bytes) else body
    async for chunk in chunks:
        if timeout is not None:
            attempt.watch(timeout)
        try:
            yield chunk
        finally:
            attempt.unwatch()
    attempt.body_left = False


async def _once(body: bytes) -> AsyncIterator[bytes]:
    yield body


class _StreamedBody(httpx2.AsyncByteStream):
    """A response body read from aiohttp as the caller iterates (``client.stream``)."""

    __slots__ = ("_attempt", "_request", "_response")

    def __init__(
        self, response: aiohttp.ClientResponse, request: httpx2.Request, attempt: _Attempt
    ) -> None:
        self._response = response
        self._request = request
        self._attempt = attempt

    async def __aiter__(self) -> AsyncIterator[bytes]:
        failure: Exception | None = None
        try:
            async for chunk in self._response.content.iter_chunked(CHUNK_SIZE):
                yield chunk
        except Exception as exc:
            failure = exc
        if failure is not None:
            self._attempt.finish()
            self._attempt.fail(failure, self._request)

    async def aclose(self) -> None:
        attempt = self._attempt
        if attempt.body_left:  # an answer before the end of the body: drop the rest
            attempt.drop_unsent_body()
            self._response.close()
        attempt.finish()
        failure: Exception | None = None
        try:
            await self._response.__aexit__(None, None, None)
        except Exception as exc:
            failure = exc
        if failure is not None:
            attempt.fail(failure, self._request)


def _reason(reason: str) -> bytes:
    """The reason phrase's bytes as they came (aiohttp decodes them with surrogateescape)."""
    try:
        return reason.encode("utf-8", "surrogateescape")
    except UnicodeError:
        return reason.encode("latin-1", "replace")


class AiohttpTransport(httpx2.AsyncBaseTransport):
    """An ``httpx2.AsyncBaseTransport`` sending through one ``aiohttp.ClientSession``.

    Args:
        verify: as ``httpx2.AsyncHTTPTransport`` (one SSL context is built from ``verify``,
            ``cert`` and ``trust_env``, once).
        cert: as ``httpx2.AsyncHTTPTransport``.
        trust_env: as ``httpx2.AsyncHTTPTransport``.
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
        limits: httpx2.Limits = DEFAULT_LIMITS,
    ) -> None:
        self._ssl = httpx2.create_ssl_context(verify=verify, cert=cert, trust_env=trust_env)
        self._limits = limits
        self._session: aiohttp.ClientSession | None = None
        self._urls: dict[httpx2.URL, YarlURL] = {}
        self._timeouts: dict[tuple[Any, ...], aiohttp.ClientTimeout] = {}

    def _open(self) -> aiohttp.ClientSession:
        limit = self._limits.max_connections
        connector = _Connector(
            limit=limit if limit is not None else 0,
            keepalive_timeout=self._limits.keepalive_expiry,
            ssl=self._ssl,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            request_class=_Request,
            # Only where aiohttp may resend on its own: _Response keeps the first failure, for
            # _Request.send to raise when it refuses the resend (a coroutine frame less per
            # request elsewhere).
            response_class=aiohttp.ClientResponse if _CAN_REFUSE_RESEND else _Response,
        )
        # aiohttp >= 3.11 can be told not to resend an idempotent request on a broken
        # kept-alive connection; older ones are stopped by _Request.send (the first failure
        # is raised either way).
        if _CAN_REFUSE_RESEND:
            self._session._retry_connection = False
        return self._session

    def _url(self, url: httpx2.URL) -> YarlURL:
        found = self._urls.get(url)
        if found is None:
            if len(self._urls) >= CACHE_SIZE:
                self._urls.clear()
            # httpx2 has percent-encoded the URL already: aiohttp must not requote it. URL
            # credentials are httpx2's business (an Authorization header by now), as with
            # httpcore2: aiohttp would refuse the pair (the adapter fails there).
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
            # The adapter's mapping: httpx2's pool wait bounds aiohttp's wait for a connection.
            found = aiohttp.ClientTimeout(sock_connect=key[0], sock_read=key[1], connect=key[2])
            self._timeouts[key] = found
        return found

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        start = time.perf_counter()
        session = self._session or self._open()
        extensions = request.extensions
        timeout = extensions.get("timeout", {})
        attempt = _Attempt(extensions)
        extensions[REACHED_EXTENSION] = False
        data: Any
        try:
            data = request.content or None
        except httpx2.RequestNotRead:
            data = request.stream  # aiohttp sends it chunked
            request.headers.pop("transfer-encoding", None)
            watched = True
        else:
            watched = data is not None and len(data) > UNWATCHED_BODY
        if watched:
            data = _watched(data, attempt, timeout.get("write"))
        # httpx2 sends a body without a Content-Type as it is; aiohttp would add one. Asked per
        # request, only then: a session-wide skip list costs every request a copy of its headers.
        skip = (
            _NO_CONTENT_TYPE if data is not None and "content-type" not in request.headers else None
        )
        token = _ATTEMPT.set(attempt)
        failure: Exception | None = None
        try:
            response = await session.request(
                request.method,
                self._url(request.url),
                headers=request.headers.multi_items(),
                data=data,
                allow_redirects=False,
                auto_decompress=False,
                compress=False,
                timeout=self._timeout(timeout),
                server_hostname=extensions.get("sni_hostname"),
                skip_auto_headers=skip,
            )
        except Exception as exc:
            failure = exc
        finally:
            _ATTEMPT.reset(token)
            del data  # a grant's body: not left in this frame's locals for a traceback
        if failure is not None:
            attempt.fail(failure, request)  # outside the except: no implicit __context__
        info = {"http_version": b"HTTP/1.1"}
        reason = response.reason
        if reason:
            info["reason_phrase"] = _reason(reason)
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
                failure = exc
            except BaseException:
                response.close()  # cancelled mid-body: the connection cannot be reused
                attempt.finish()
                raise
            if failure is not None:
                response.close()
                attempt.finish()
                attempt.fail(failure, request)
            if attempt.body_left:
                attempt.drop_unsent_body()
                response.close()
            attempt.finish()
            read = httpx2.Response(
                response.status,
                headers=response.raw_headers,
                stream=httpx2.ByteStream(body),
                request=request,
                extensions=info,
            )
            # An unmarked request is one httpx2 reads at once (``send(stream=False)``): handed
            # back read, as ``aread()`` leaves it, without httpx2's async walk over one chunk.
            read._content = body
            read.is_stream_consumed = read.is_closed = True
            read.elapsed = datetime.timedelta(seconds=time.perf_counter() - start)
            return read
        return httpx2.Response(
            response.status,
            headers=response.raw_headers,
            stream=_StreamedBody(response, request, attempt),
            request=request,
            extensions=info,
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
