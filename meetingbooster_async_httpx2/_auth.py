# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_auth.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""MeetingBoosterAuth: the httpx2.Auth that logs in, attaches the Bearer token and recovers a 401.

The flows here are thin: the rules live in :mod:`._tokens`, the sending in
:mod:`._oauth_sender`. The async flow drives the token generator under an ``anyio.Lock``,
the sync flow under a ``threading.Lock``; the lock guards the ``/oauth`` exchange only, never a
``yield`` of the user's request. Token calls go straight to a transport (the client's own when
bound), so cookies that ``/oauth`` sets never reach a cookie jar; with the client's in-flight
gate on (the default) it does not queue behind the user's requests for a pooled connection.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any, Final

import anyio
import anyio.lowlevel
import httpx2

from ._errors import ConfigurationError, MeetingBoosterError, RequestNotReplayableError
from ._logging import install_header_masking, logger
from ._oauth import DEFAULT_APP_ID, Credentials
from ._oauth_sender import DEFAULT_TOKEN_RETRY, TokenSender
from ._retry import RetryPolicy, is_replayable
from ._security import Origin, check_secure_url, origin_of
from ._store import StoredToken, TokenStore
from ._tokens import AccessToken, TokenManager, TokenPolicy

__all__ = ["FORCED_LOGIN_INTERVAL", "MeetingBoosterAuth", "check_secure_url"]

#: After a 401 survives a refresh, log in again only if the last password login is older than
#: this: an endpoint that always answers 401 must not cost a login per call.
FORCED_LOGIN_INTERVAL: Final = 60.0


class MeetingBoosterAuth(httpx2.Auth):
    """An ``httpx2.Auth`` for MeetingBooster's OAuth2 password flow, single flight.

    Works on :class:`MeetingBoosterClient`, on a plain ``httpx2.AsyncClient`` and on a plain
    ``httpx2.Client`` shared by many threads (one auth serves one of the two worlds). The
    token is attached only to requests for the token URL's origin (scheme, host, port), or
    one added with :meth:`add_origin`: a request elsewhere goes out untouched.

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
        token_timeout: overall deadline of one ``/oauth`` exchange (refresh, fallback login and
            retries included). A caller whose own deadline comes first stops at it.
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
        token_url: str | httpx2.URL,
        username: str,
        password: str,
        app_id: str = DEFAULT_APP_ID,
        refresh_margin: float = 60.0,
        default_lifetime: float = 1200.0,
        login_failure_cooldown: float = 60.0,
        cooldown_wait: float = 0.0,
        token_timeout: float = 30.0,
        token_attempt_timeout: float | None = None,
        allow_insecure_http: bool = False,
        token_retry: RetryPolicy | None = None,
        token_store: TokenStore | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
        sync_transport: httpx2.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        install_header_masking()  # /oauth answers may set token cookies: mask them in DEBUG logs
        url = httpx2.URL(token_url)
        check_secure_url(url, allow_insecure_http=allow_insecure_http, what="token_url")
        self.token_url = url
        self._origins: frozenset[Origin] = frozenset({origin_of(url)})
        policy = TokenPolicy(
            refresh_margin=refresh_margin,
            default_lifetime=default_lifetime,
            login_failure_cooldown=login_failure_cooldown,
            app_id=app_id,
        )
        retry = token_retry or DEFAULT_TOKEN_RETRY
        if token_attempt_timeout is None:
            # Room for every attempt the policy allows (and a fallback login) in one exchange.
            token_attempt_timeout = token_timeout / (retry.max_retries + 1)
        self._tokens = TokenManager(
            Credentials(username=username, password=password),
            url,
            policy=policy,
            clock=clock,
            timeout=httpx2.Timeout(min(token_attempt_timeout, token_timeout)),
        )
        self._cooldown_wait = cooldown_wait
        self._token_timeout = token_timeout
        self._sender = TokenSender(
            policy=retry,
            transport=transport,
            sync_transport=sync_transport,
        )
        self._sibling = False
        self._store = token_store
        self._store_key = ""  # derived lazily: it costs a slow hash of the password
        self._world: str | None = None
        self._alock = anyio.Lock()
        self._tlock = threading.Lock()

    def with_credentials(self, username: str, password: str) -> MeetingBoosterAuth:
        """A sibling auth for another user: same server, settings, transport and store.

        Nothing but the configuration is shared: the sibling has its own tokens, single
        flight and cooldown. It never closes the shared transport.
        """
        sibling = copy.copy(self)
        sibling._tokens = self._tokens.for_credentials(
            Credentials(username=username, password=password)
        )
        sibling._sibling = True
        sibling._store_key = ""
        sibling._world = None
        sibling._alock = anyio.Lock()
        sibling._tlock = threading.Lock()
        return sibling

    def has_credentials(self, username: str, password: str) -> bool:
        """True if this auth logs in as ``username`` with ``password``."""
        return self._tokens.matches(Credentials(username=username, password=password))

    def add_origin(self, url: str | httpx2.URL) -> None:
        """Also send the token to ``url``'s origin (the API when it is not the token URL's)."""
        self._origins = self._origins | {origin_of(httpx2.URL(url))}

    @property
    def token_store(self) -> TokenStore | None:
        """The shared store this auth keeps its tokens in, if any."""
        return self._store

    def __repr__(self) -> str:
        return (
            f"MeetingBoosterAuth(token_url={str(self.token_url.copy_with(userinfo=b''))!r}, "
            f"username={self.username!r})"
        )

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

    def bind_transport(self, transport: httpx2.AsyncBaseTransport) -> None:
        """Send ``/oauth`` calls through ``transport`` unless a transport was given already."""
        if self._sender.transport is None:
            self._sender.transport = transport

    # -- the httpx2.Auth flows ------------------------------------------------------------

    async def async_auth_flow(
        self, request: httpx2.Request
    ) -> AsyncGenerator[httpx2.Request, httpx2.Response]:
        if origin_of(request.url) not in self._origins:
            yield request
            return
        token = self._tokens.usable() or await self._aacquire()
        request.headers["Authorization"] = token.header
        response = yield request
        for force_login in (False, True):
            if not self._should_recover(request, response, force_login):
                return
            # Release the connection before queueing for the lock (see field notes).
            await response.aread()
            token = await self._aacquire(rejected=token, force_login=force_login)
            request.headers["Authorization"] = token.header
            response = yield request

    def sync_auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response]:
        if origin_of(request.url) not in self._origins:
            yield request
            return
        token = self._tokens.usable() or self._acquire()
        request.headers["Authorization"] = token.header
        response = yield request
        for force_login in (False, True):
            if not self._should_recover(request, response, force_login):
                return
            response.read()
            token = self._acquire(rejected=token, force_login=force_login)
            request.headers["Authorization"] = token.header
            response = yield request

    def _should_recover(
        self, request: httpx2.Request, response: httpx2.Response, force_login: bool
    ) -> bool:
        """True if a 401 is worth a new token and a replay (both flows ask the same)."""
        if response.status_code != 401:
            return False
        # A 401 that survived a refresh: a fresh login helps only if the last one is old.
        if force_login and self._tokens.logged_in_within(FORCED_LOGIN_INTERVAL):
            return False
        if not is_replayable(request):
            raise RequestNotReplayableError(
                "401 needs a retry with a fresh token, but the request body was a stream"
            )
        return True

    def _enter(self, world: str) -> None:
        # The two flows guard one token state with two different locks: one world per auth.
        if self._world != world:
            if self._world is not None:
                raise ConfigurationError(
                    f"this MeetingBoosterAuth serves {self._world} clients; make another "
                    f"(or use with_credentials) for {world} ones"
                )
            if world == "sync" and self._store is not None:
                raise ConfigurationError("token_store is supported on the async flow only")
            self._world = world

    # -- public token operations ---------------------------------------------------------

    async def login(self) -> None:
        """Make sure a valid token is held now (instead of lazily on the first request)."""
        if self._tokens.usable() is None:
            await self._aacquire()

    async def signout(self) -> None:
        """Dispose of the tokens (``grant_type=signout``); the next request logs in again.

        With a shared store the stored tokens are deleted too: every sharer is signed out.
        """
        self._enter("async")
        deadline = anyio.current_time() + self._token_timeout
        async with self._alock:
            if self._store is None:
                await self._adrive(self._tokens.signout(), deadline)
                return
            key = await self._key()
            async with self._store.lock(key):
                self._tokens.adopt(await self._store.get(key))
                await self._store.delete(key)
                await self._adrive(self._tokens.signout(), deadline)

    def signout_sync(self) -> None:
        """:meth:`signout` for the sync ``httpx2.Client`` world."""
        self._enter("sync")
        with self._tlock:
            self._drive(self._tokens.signout(), time.monotonic() + self._token_timeout)

    async def aclose(self) -> None:
        """Close the transport this auth opened for itself, if any."""
        if not self._sibling:
            await self._sender.aclose()

    def close(self) -> None:
        """Close the sync transport this auth opened for itself, if any."""
        if not self._sibling:
            self._sender.close()

    async def __aenter__(self) -> MeetingBoosterAuth:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- async driver --------------------------------------------------------------------

    async def _aacquire(
        self, *, rejected: AccessToken | None = None, force_login: bool = False
    ) -> AccessToken:
        self._enter("async")
        remaining = self._tokens.cooldown_remaining()
        if 0 < remaining <= self._cooldown_wait:
            await anyio.sleep(remaining)
        seen_epoch = self._tokens.epoch
        try:
            async with self._alock:
                # Handed the lock after its deadline passed, a caller must not start an
                # exchange: shielded, it would hold that caller up to token_timeout for nobody.
                await anyio.lowlevel.checkpoint_if_cancelled()
                deadline = anyio.current_time() + self._token_timeout  # one budget per exchange
                flow = self._tokens.acquire(
                    rejected=rejected, force_login=force_login, seen_epoch=seen_epoch
                )
                if self._store is None:
                    token: AccessToken = await self._adrive(flow, deadline)
                    return token
                return await self._adrive_shared(flow, deadline)
        except MeetingBoosterError:
            # A leader cancelled during the shielded exchange ends cancelled, not with the
            # exchange's outcome (that one is for the callers queued behind it).
            await anyio.lowlevel.checkpoint_if_cancelled()
            raise

    async def _key(self) -> str:
        if not self._store_key:
            base = str(self.token_url.copy_with(userinfo=b"", path="/", query=None))
            self._store_key = await anyio.to_thread.run_sync(self._tokens.store_key, base)
        return self._store_key

    async def _adrive_shared(self, flow: _Flow, deadline: float) -> AccessToken:
        """Single flight across processes: store lock, re-read, compare, only then /oauth."""
        store = self._store
        assert store is not None
        key = await self._key()
        async with store.lock(key):
            stored = await store.get(key)
            self._tokens.adopt(stored)
            token: AccessToken = await self._adrive(flow, deadline)
            mine = self._tokens.export()
            if mine is not None and not _same_tokens(mine, stored):
                # Shielded: a rotated refresh token the store never learns is lost to all.
                with anyio.CancelScope(shield=True):
                    written = await store.compare_and_set(key, stored, mine)
                if not written:
                    logger.warning("token store changed under its lock for %s", self.username)
        return token

    async def _adrive(self, flow: _Flow, deadline: float) -> Any:
        try:
            request = next(flow)
            while True:
                try:
                    response = await self._sender.asend(request, deadline)
                except MeetingBoosterError as exc:
                    request = flow.throw(exc)
                else:
                    request = flow.send(response)
        except StopIteration as stop:
            return stop.value

    # -- sync driver ---------------------------------------------------------------------

    def _acquire(
        self, *, rejected: AccessToken | None = None, force_login: bool = False
    ) -> AccessToken:
        self._enter("sync")
        remaining = self._tokens.cooldown_remaining()
        if 0 < remaining <= self._cooldown_wait:
            time.sleep(remaining)
        seen_epoch = self._tokens.epoch
        with self._tlock:
            flow = self._tokens.acquire(
                rejected=rejected, force_login=force_login, seen_epoch=seen_epoch
            )
            token: AccessToken = self._drive(flow, time.monotonic() + self._token_timeout)
            return token

    def _drive(self, flow: _Flow, deadline: float) -> Any:
        try:
            request = next(flow)
            while True:
                try:
                    response = self._sender.send(request, deadline)
                except MeetingBoosterError as exc:
                    request = flow.throw(exc)
                else:
                    request = flow.send(response)
        except StopIteration as stop:
            return stop.value


_Flow = Generator[httpx2.Request, httpx2.Response, Any]


def _same_tokens(a: StoredToken, b: StoredToken | None) -> bool:
    return b is not None and (a.access_token, a.refresh_token) == (b.access_token, b.refresh_token)
