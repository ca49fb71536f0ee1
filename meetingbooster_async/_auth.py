"""MeetingBoosterAuth: the httpx.Auth that logs in, attaches the Bearer token and recovers a 401.

The flows here are thin: the rules live in :mod:`._tokens`. The async flow drives the token
generator under an ``anyio.Lock``, the sync flow under a ``threading.Lock``; the lock guards the
``/oauth`` call only, never a ``yield`` of the user's request. Token calls go straight to a
transport (the client's own when bound, else one of our own), so cookies that ``/oauth`` sets
never reach a cookie jar, and the call does not queue behind the user's requests.
"""

from __future__ import annotations

import copy
import ipaddress
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any, Final

import anyio
import httpx

from ._errors import (
    APIConnectionError,
    APITimeoutError,
    ConfigurationError,
    MeetingBoosterError,
    RequestNotReplayableError,
)
from ._oauth import DEFAULT_APP_ID, Credentials, parse_oauth_error
from ._retry import RetryPolicy, is_replayable
from ._store import StoredToken, TokenStore, token_key
from ._tokens import AccessToken, TokenManager, TokenPolicy, logger

__all__ = ["MeetingBoosterAuth", "check_secure_url"]

_LOOPBACK_NAMES: Final = frozenset({"localhost", "localhost.localdomain"})


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_secure_url(url: httpx.URL, *, allow_insecure_http: bool, what: str) -> None:
    """Refuse plain ``http://`` to anything but this machine unless explicitly allowed."""
    if url.scheme == "https" or allow_insecure_http:
        return
    if url.scheme == "http" and _is_loopback(url.host):
        return
    raise ConfigurationError(
        f"{what} {url.copy_with(query=None)} is not https: passwords and tokens would travel "
        "in clear text. Use https, or pass allow_insecure_http=True if you mean it."
    )


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port)


class MeetingBoosterAuth(httpx.Auth):
    """An ``httpx.Auth`` for MeetingBooster's OAuth2 password flow, single flight.

    Works on :class:`MeetingBoosterClient`, on a plain ``httpx.AsyncClient`` and on a plain
    ``httpx.Client`` shared by many threads. The token is attached only to requests for the
    token URL's origin (scheme, host, port): a request elsewhere goes out untouched.

    Example:
        >>> auth = MeetingBoosterAuth(
        ...     token_url="https://mb.example.com/oauth", username="ann@example.com",
        ...     password="secret")
        >>> auth
        MeetingBoosterAuth(token_url='https://mb.example.com/oauth', username='ann@example.com')

    Args:
        token_url: the ``/oauth`` endpoint, e.g. ``https://mb.example.com/oauth``.
        username: the user's email (or Active Directory name).
        password: kept in one private object, never shown.
        app_id: sent on every grant; the docs say it is always ``Api``.
        refresh_margin: refresh this many seconds before expiry (at most half the lifetime).
        default_lifetime: lifetime assumed when ``/oauth`` sends no ``expires_in``.
        login_failure_cooldown: least seconds between password attempts after a refusal.
        cooldown_wait: a caller that meets a cooldown of at most this many seconds waits for
            it to pass instead of failing at once (default 0: fail at once).
        token_timeout: overall deadline of one ``/oauth`` exchange, refresh and retry included.
        allow_insecure_http: permit ``http://`` to a host that is not loopback.
        token_store: share tokens through this store (see :class:`TokenStore`): refresh and
            login become single flight across every client and process using it.
        token_retry: how ``/oauth`` glitches (transport errors, a 5xx without a JSOAuthError
            body) are retried; a JSOAuthError never is. Default: 2 retries from 0.2 s.
        transport, sync_transport: where ``/oauth`` calls go; by default the client's own
            transport (bound by :class:`MeetingBoosterClient`) or a private one.
        clock: a monotonic clock in seconds (inject one in tests).
    """

    requires_request_body = False
    requires_response_body = False

    def __init__(
        self,
        *,
        token_url: str | httpx.URL,
        username: str,
        password: str,
        app_id: str = DEFAULT_APP_ID,
        refresh_margin: float = 60.0,
        default_lifetime: float = 1200.0,
        login_failure_cooldown: float = 60.0,
        cooldown_wait: float = 0.0,
        token_timeout: float = 30.0,
        allow_insecure_http: bool = False,
        token_retry: RetryPolicy | None = None,
        token_store: TokenStore | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sync_transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        url = httpx.URL(token_url)
        check_secure_url(url, allow_insecure_http=allow_insecure_http, what="token_url")
        self.token_url = url
        self._origin = _origin(url)
        policy = TokenPolicy(
            refresh_margin=refresh_margin,
            default_lifetime=default_lifetime,
            login_failure_cooldown=login_failure_cooldown,
            app_id=app_id,
        )
        self._tokens = TokenManager(
            Credentials(username=username, password=password),
            url,
            policy=policy,
            clock=clock,
            timeout=httpx.Timeout(token_timeout),
        )
        self._cooldown_wait = cooldown_wait
        self._token_timeout = token_timeout
        self._token_retry = token_retry or DEFAULT_TOKEN_RETRY
        self._transport = transport
        self._sync_transport = sync_transport
        self._owns_transport = False
        self._owns_sync_transport = False
        self._store = token_store
        self._store_base = str(url.copy_with(path="/", query=None))
        self._store_key = token_key(self._store_base, username) if token_store else ""
        self._alock = anyio.Lock()
        self._tlock = threading.Lock()

    def with_credentials(self, username: str, password: str) -> MeetingBoosterAuth:
        """A sibling auth for another user: same server, settings, transport and store.

        Nothing but the configuration is shared: the sibling has its own tokens, single
        flight and cooldown. It never owns (or closes) the transport.
        """
        sibling = copy.copy(self)
        sibling._tokens = self._tokens.for_credentials(
            Credentials(username=username, password=password)
        )
        sibling._store_key = token_key(self._store_base, username) if self._store else ""
        sibling._owns_transport = sibling._owns_sync_transport = False
        sibling._alock = anyio.Lock()
        sibling._tlock = threading.Lock()
        return sibling

    def has_credentials(self, username: str, password: str) -> bool:
        """True if this auth logs in as ``username`` with ``password``."""
        return self._tokens.matches(Credentials(username=username, password=password))

    @property
    def token_store(self) -> TokenStore | None:
        """The shared store this auth keeps its tokens in, if any."""
        return self._store

    def __repr__(self) -> str:
        return f"MeetingBoosterAuth(token_url={str(self.token_url)!r}, username={self.username!r})"

    @property
    def username(self) -> str:
        return self._tokens.username

    @property
    def signed_in(self) -> bool:
        """True while this auth holds a refresh token (it logged in and did not sign out)."""
        return self._tokens.has_refresh_token

    @property
    def token_lifetime(self) -> float | None:
        """Seconds the current access token was granted for (``None`` before login)."""
        token = self._tokens.current
        return None if token is None else token.expires_at - token.obtained_at

    def bind_transport(self, transport: httpx.AsyncBaseTransport) -> None:
        """Send ``/oauth`` calls through ``transport`` unless a transport was given already."""
        if self._transport is None:
            self._transport = transport

    # -- the httpx.Auth flows ------------------------------------------------------------

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if _origin(request.url) != self._origin:
            yield request
            return
        token = self._tokens.usable() or await self._aacquire()
        request.headers["Authorization"] = token.header
        response = yield request
        for force_login in (False, True):
            if response.status_code != 401:
                return
            if not is_replayable(request):
                raise RequestNotReplayableError(
                    "401 needs a retry with a fresh token, but the request body was a stream"
                )
            # Release the connection before queueing for the lock (see field notes).
            await response.aread()
            token = await self._aacquire(rejected=token, force_login=force_login)
            request.headers["Authorization"] = token.header
            response = yield request

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        if _origin(request.url) != self._origin:
            yield request
            return
        token = self._tokens.usable() or self._acquire()
        request.headers["Authorization"] = token.header
        response = yield request
        for force_login in (False, True):
            if response.status_code != 401:
                return
            if not is_replayable(request):
                raise RequestNotReplayableError(
                    "401 needs a retry with a fresh token, but the request body was a stream"
                )
            response.read()
            token = self._acquire(rejected=token, force_login=force_login)
            request.headers["Authorization"] = token.header
            response = yield request

    # -- public token operations ---------------------------------------------------------

    async def login(self) -> None:
        """Make sure a valid token is held now (instead of lazily on the first request)."""
        if self._tokens.usable() is None:
            await self._aacquire()

    async def signout(self) -> None:
        """Dispose of the tokens (``grant_type=signout``); the next request logs in again.

        With a shared store the stored tokens are deleted too: every sharer is signed out.
        """
        async with self._alock:
            if self._store is None:
                await self._adrive(self._tokens.signout())
                return
            async with self._store.lock(self._store_key):
                self._tokens.adopt(await self._store.get(self._store_key))
                await self._store.delete(self._store_key)
                await self._adrive(self._tokens.signout())

    def signout_sync(self) -> None:
        """:meth:`signout` for the sync ``httpx.Client`` world."""
        with self._tlock:
            self._drive(self._tokens.signout())

    async def aclose(self) -> None:
        """Close the transport this auth opened for itself, if any."""
        if self._owns_transport and self._transport is not None:
            await self._transport.aclose()
            self._transport, self._owns_transport = None, False

    def close(self) -> None:
        """Close the sync transport this auth opened for itself, if any."""
        if self._owns_sync_transport and self._sync_transport is not None:
            self._sync_transport.close()
            self._sync_transport, self._owns_sync_transport = None, False

    async def __aenter__(self) -> MeetingBoosterAuth:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- async driver --------------------------------------------------------------------

    async def _aacquire(
        self, *, rejected: AccessToken | None = None, force_login: bool = False
    ) -> AccessToken:
        remaining = self._tokens.cooldown_remaining()
        if 0 < remaining <= self._cooldown_wait:
            await anyio.sleep(remaining)
        seen_epoch = self._tokens.epoch
        async with self._alock:
            if self._store is None:
                flow = self._tokens.acquire(
                    rejected=rejected, force_login=force_login, seen_epoch=seen_epoch
                )
                token: AccessToken = await self._adrive(flow)
                return token
            return await self._aacquire_shared(rejected, force_login)

    async def _aacquire_shared(
        self, rejected: AccessToken | None, force_login: bool
    ) -> AccessToken:
        """Single flight across processes: store lock, re-read, compare, only then /oauth."""
        store, key = self._store, self._store_key
        assert store is not None
        async with store.lock(key):
            stored = await store.get(key)
            self._tokens.adopt(stored)
            flow = self._tokens.acquire(rejected=rejected, force_login=force_login)
            token: AccessToken = await self._adrive(flow)
            mine = self._tokens.export()
            if (
                mine is not None
                and not _same_tokens(mine, stored)
                and not await store.compare_and_set(key, stored, mine)
            ):
                logger.warning("token store changed under its lock for %s", self.username)
        return token

    async def _adrive(self, flow: Generator[httpx.Request, httpx.Response, Any]) -> Any:
        try:
            request = next(flow)
            while True:
                try:
                    response = await self._asend(request)
                except MeetingBoosterError as exc:
                    request = flow.throw(exc)
                else:
                    request = flow.send(response)
        except StopIteration as stop:
            return stop.value

    async def _asend(self, request: httpx.Request) -> httpx.Response:
        if self._transport is None:
            self._transport, self._owns_transport = httpx.AsyncHTTPTransport(), True
        transport = self._transport
        # Shielded: the caller that leads a refresh may be cancelled, but the others are waiting
        # for this very call. Bounded by token_timeout and by the caller's own deadline.
        deadline = min(
            anyio.current_effective_deadline(), anyio.current_time() + self._token_timeout
        )
        attempt = 0
        with anyio.CancelScope(shield=True, deadline=deadline) as scope:
            while True:
                try:
                    response = await transport.handle_async_request(request)
                    try:
                        await response.aread()
                    finally:
                        await response.aclose()
                except httpx.TransportError as exc:
                    delay = self._token_retry.delay_after_error(request, exc, attempt)
                    if delay is None:
                        raise _wrap_transport_error(exc, request) from exc
                else:
                    response.request = request
                    delay = _token_retry_delay(self._token_retry, response, attempt)
                    if delay is None:
                        return response
                logger.debug("token call failed; retry %d in %.2fs", attempt + 1, delay)
                await anyio.sleep(delay)
                attempt += 1
        assert scope.cancelled_caught
        raise APITimeoutError("the token endpoint did not answer in time", request=request)

    # -- sync driver ---------------------------------------------------------------------

    def _acquire(
        self, *, rejected: AccessToken | None = None, force_login: bool = False
    ) -> AccessToken:
        remaining = self._tokens.cooldown_remaining()
        if 0 < remaining <= self._cooldown_wait:
            time.sleep(remaining)
        seen_epoch = self._tokens.epoch
        with self._tlock:
            flow = self._tokens.acquire(
                rejected=rejected, force_login=force_login, seen_epoch=seen_epoch
            )
            token: AccessToken = self._drive(flow)
            return token

    def _drive(self, flow: Generator[httpx.Request, httpx.Response, Any]) -> Any:
        try:
            request = next(flow)
            while True:
                try:
                    response = self._send(request)
                except MeetingBoosterError as exc:
                    request = flow.throw(exc)
                else:
                    request = flow.send(response)
        except StopIteration as stop:
            return stop.value

    def _send(self, request: httpx.Request) -> httpx.Response:
        if self._sync_transport is None:
            self._sync_transport, self._owns_sync_transport = httpx.HTTPTransport(), True
        attempt = 0
        while True:
            try:
                response = self._sync_transport.handle_request(request)
                try:
                    response.read()
                finally:
                    response.close()
            except httpx.TransportError as exc:
                delay = self._token_retry.delay_after_error(request, exc, attempt)
                if delay is None:
                    raise _wrap_transport_error(exc, request) from exc
            else:
                response.request = request
                delay = _token_retry_delay(self._token_retry, response, attempt)
                if delay is None:
                    return response
            logger.debug("token call failed; retry %d in %.2fs", attempt + 1, delay)
            time.sleep(delay)
            attempt += 1


#: /oauth is retried on a glitch (transport error, 5xx without a JSOAuthError body), never on
#: a JSOAuthError: that is a verdict. A lost refresh answer costs at most one extra login.
DEFAULT_TOKEN_RETRY: Final = RetryPolicy(max_retries=2, backoff_initial=0.2, backoff_max=2.0)


def _token_retry_delay(policy: RetryPolicy, response: httpx.Response, attempt: int) -> float | None:
    if response.status_code < 500 or parse_oauth_error(response) is not None:
        return None
    return policy.delay_after_status(
        response.request, response.status_code, response.headers, attempt
    )


def _same_tokens(a: StoredToken, b: StoredToken | None) -> bool:
    return b is not None and (a.access_token, a.refresh_token) == (b.access_token, b.refresh_token)


def _wrap_transport_error(exc: httpx.TransportError, request: httpx.Request) -> APIConnectionError:
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError("the token endpoint timed out", request=request)
    return APIConnectionError(
        f"the token endpoint could not be reached: {type(exc).__name__}", request=request
    )
