# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_auth.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""MeetingBoosterAuth: the httpx2.Auth that logs in, attaches the Bearer token and recovers a 401.

The rules live in :mod:`._tokens` (and whether a 401 is worth a replay in :mod:`._recovery`),
the sending in :mod:`._oauth_sender`, the single-flight exchanges (a refresh, or a login, in a
task no caller owns) in :mod:`._exchange`. This module decides, for each caller, whether to
send the token it has, start an exchange, or wait for the one running. Every wait is bounded:
an exchange by ``token_timeout``, a caller additionally by its own deadline.

The sync flow (``httpx2.Client`` shared by threads) drives the same rules under a
``threading.Lock``. Neither lock nor exchange is ever held across a ``yield`` of the user's
request.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Final

import anyio
import anyio.abc
import anyio.lowlevel
import httpx2

from ._errors import (
    APIConnectionError,
    CallerDeadlineError,
    ConfigurationError,
    OAuthError,
)
from ._events import AuthEvent, EventHooks
from ._exchange import NO_CONTEXT, Exchanges, SendContext
from ._logging import install_header_masking
from ._oauth import DEFAULT_APP_ID, Credentials
from ._oauth_sender import DEFAULT_TOKEN_RETRY, TokenSender
from ._recovery import worth_replay
from ._retry import RetryPolicy
from ._security import Origin, check_secure_url, origin_of, safe_url
from ._store import TokenStore
from ._token_policy import AccessToken, TokenPolicy, replay
from ._tokens import TokenManager

__all__ = ["MeetingBoosterAuth", "SendContext"]

#: Guards the lazy making of each auth's thread lock (two threads must not make two).
_LOCK_MAKING: Final = threading.Lock()

#: The most times a caller re-decides after waiting for an exchange (each wait is bounded).
_MAX_ROUNDS: Final = 4


class MeetingBoosterAuth(httpx2.Auth):
    """An ``httpx2.Auth`` for MeetingBooster's OAuth2 password flow, single flight.

    Works on :class:`MeetingBoosterClient`, on a plain ``httpx2.AsyncClient`` and on a plain
    ``httpx2.Client`` shared by many threads (one auth serves one of the two worlds). The
    token is attached only to requests for the token URL's origin (scheme, host, port), or
    one added with :meth:`add_origin`: a request elsewhere goes out as on a plain httpx2 client
    (with Basic auth if its URL carries ``user:password@``).

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
        default_lifetime: lifetime assumed when ``/oauth`` sends no usable ``expires_in``.
        login_failure_cooldown: least seconds between password attempts after a refusal.
        cooldown_wait: a caller that meets a cooldown of at most this many seconds waits for
            it to pass instead of failing at once (default 0: fail at once).
        token_timeout: overall deadline of one ``/oauth`` exchange (refresh, fallback login and
            retries included). A caller whose own deadline comes first stops at it.
        token_attempt_timeout: the timeout of one ``/oauth`` attempt (default: room for every
            retry in ``token_timeout``); a client's tighter ``timeout=`` wins.
        allow_insecure_http: permit ``http://`` to a host that is not loopback.
        token_store: share tokens through this store (see :class:`TokenStore`): refresh and
            login become single flight across every client and process using it.
        token_retry: how ``/oauth`` glitches (transport errors, a 5xx without a JSOAuthError
            body) are retried; a JSOAuthError never is. Default: 2 retries from 0.2 s.
        token_policy: the finer token rules (backoff after failures, minimum lifetime, the
            futile-401 interval); see :class:`TokenPolicy`. Overrides the single knobs above.
        transport: where async ``/oauth`` calls go when no client offers its own (a
            :class:`MeetingBoosterClient` sends them through its own transport).
        sync_transport: the same for sync ``/oauth`` calls (from an ``httpx2.Client``).
        clock: a monotonic clock in seconds (inject one in tests).
        on_event: a synchronous callable given an :class:`AuthEvent` as each ``/oauth`` grant
            ends (this auth's and its ``as_user`` siblings'); more listeners:
            :attr:`events`. One that raises is logged; the grant goes on.
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
        token_policy: TokenPolicy | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
        sync_transport: httpx2.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_event: Callable[[AuthEvent], object] | None = None,
    ) -> None:
        install_header_masking()  # /oauth answers may set token cookies: mask them in DEBUG logs
        url = httpx2.URL(token_url)
        check_secure_url(url, allow_insecure_http=allow_insecure_http, what="token_url")
        self.token_url = url
        self._origins: frozenset[Origin] = frozenset({origin_of(url)})
        policy = token_policy or TokenPolicy(
            refresh_margin=refresh_margin,
            default_lifetime=default_lifetime,
            login_failure_cooldown=login_failure_cooldown,
            app_id=app_id,
        )
        retry = token_retry or DEFAULT_TOKEN_RETRY
        if token_attempt_timeout is None:
            # Room for every attempt the policy allows (and a fallback login) in one exchange.
            token_attempt_timeout = token_timeout / (retry.max_retries + 1)
        #: Shared with every sibling: a listener hears the whole family.
        self.events = EventHooks()
        if on_event is not None:
            self.events.add(on_event)
        self._tokens = TokenManager(
            Credentials(username=username, password=password),
            url,
            policy=policy,
            clock=clock,
            timeout=httpx2.Timeout(min(token_attempt_timeout, token_timeout)),
            hooks=self.events,
        )
        self._cooldown_wait = cooldown_wait
        self._token_timeout = token_timeout
        self._sender = TokenSender(policy=retry, transport=transport, sync_transport=sync_transport)
        self._sibling = False
        self._store = token_store
        self._world: str | None = None
        #: Where the store keys of this server start (shared by every sibling).
        self._store_base = str(self.token_url.copy_with(userinfo=b"", path="/", query=None))
        self._reset_runtime()

    def _reset_runtime(self) -> None:
        self._exchanges = Exchanges(
            self._tokens,
            self._sender,
            store=self._store,
            token_timeout=self._token_timeout,
            store_base=self._store_base,
        )
        # Made on first use (a signout, a thread-world token): a fleet keeps an auth per user,
        # and most never need either.
        self._alock: anyio.Lock | None = None
        self._tlock: threading.Lock | None = None

    def _async_lock(self) -> anyio.Lock:
        lock = self._alock
        if lock is None:  # no await between the look and the set: no other task in between
            lock = self._alock = anyio.Lock()
        return lock

    def _thread_lock(self) -> threading.Lock:
        lock = self._tlock
        if lock is None:
            with _LOCK_MAKING:
                lock = self._tlock
                if lock is None:
                    lock = self._tlock = threading.Lock()
        return lock

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
        sibling._world = None
        sibling._reset_runtime()
        return sibling

    def forget_password(self) -> None:
        """Keep no password from now on (the tokens stay): a later login, needed only when the
        refresh token is rejected, raises :class:`PasswordRequiredError` before sending."""
        self._tokens.forget_password()

    def has_credentials(self, username: str, password: str) -> bool:
        """True if this auth logs in as ``username`` with ``password``."""
        return self._tokens.matches(Credentials(username=username, password=password))

    def add_origin(self, url: str | httpx2.URL) -> None:
        """Also send the token to ``url``'s origin (the API when it is not the token URL's)."""
        self._origins = self._origins | {origin_of(httpx2.URL(url))}

    def serves(self, url: httpx2.URL) -> bool:
        """True if requests to ``url`` get this auth's token (its origin is one of ours)."""
        return (url.scheme, url.host, url.port) in self._origins

    @property
    def token_store(self) -> TokenStore | None:
        """The shared store this auth keeps its tokens in, if any."""
        return self._store

    def __repr__(self) -> str:
        return (
            f"MeetingBoosterAuth(token_url={safe_url(self.token_url)!r}, "
            f"username={self.username!r})"
        )

    @property
    def username(self) -> str:
        """The user this auth logs in as."""
        return self._tokens.username

    @property
    def signed_in(self) -> bool:
        """True while this auth holds a refresh token (it logged in and did not sign out).

        Also while an exchange runs: a refresh spends the refresh token it sends, and the
        session it renews is still open (``aclose()`` must sign it out).
        """
        return self._tokens.has_refresh_token or self._exchanges.inflight is not None

    @property
    def token_lifetime(self) -> float | None:
        """Seconds the current access token was granted for (``None`` before login)."""
        token = self._tokens.current
        return None if token is None else token.expires_at - token.obtained_at

    # -- what MeetingBoosterClient asks ---------------------------------------------------

    async def token_for(
        self, context: SendContext, rejected: AccessToken | None = None
    ) -> AccessToken:
        """A token to send now; waits (holding nothing) only if none is valid."""
        if rejected is None:
            token = self._tokens.usable()
            if token is not None:
                return token
        return await self._atoken(context, rejected)

    def usable_token(self) -> AccessToken | None:
        """The hot path: the current token if it needs no refresh yet (no I/O, no wait)."""
        return self._tokens.usable()

    def sendable(self) -> AccessToken | None:
        """The newest token that has not expired (re-checked once a request has its slot)."""
        return self._tokens.valid()

    async def settle(self) -> None:
        """Wait until no token exchange runs (e.g. a refresh started in the background).

        Bounded by ``token_timeout``; its outcome, good or bad, is not raised here.
        """
        await self._exchanges.settle()

    async def cancel_exchanges(self, transport: httpx2.AsyncBaseTransport | None = None) -> None:
        """Stop the exchanges running on ``transport`` (all if ``None``): its client closes."""
        await self._exchanges.cancel(transport)

    # -- the httpx2.Auth flows ------------------------------------------------------------

    async def async_auth_flow(
        self, request: httpx2.Request
    ) -> AsyncGenerator[httpx2.Request, httpx2.Response]:
        """httpx2's async auth flow, for plain ``httpx2.AsyncClient`` users of this auth.

        Stamps the token (waiting for one if needed), and on a 401 from our origin reads it,
        gets a new token once and replays. :class:`MeetingBoosterClient` does the same
        around httpx2's send instead, so that no in-flight slot is held while waiting.
        """
        if not self.serves(request.url):
            yield _foreign(request)
            return
        token = self._tokens.usable() or await self._atoken(NO_CONTEXT)
        request.headers["Authorization"] = token.header
        response = yield request
        replays = 0
        while self.worth_replay(request, response, token, replays):
            # Release the connection before waiting for a token: with every connection held
            # by an unread 401, the refresh itself could never get one.
            await response.aread()
            token = await self._atoken(NO_CONTEXT, rejected=token)
            request.headers["Authorization"] = token.header
            response = yield request
            replays += 1

    def sync_auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response]:
        """httpx2's sync auth flow (``httpx2.Client``, many threads): the same rules, blocking."""
        if not self.serves(request.url):
            yield _foreign(request)
            return
        token = self._tokens.usable() or self._acquire()
        request.headers["Authorization"] = token.header
        response = yield request
        replays = 0
        while self.worth_replay(request, response, token, replays):
            response.read()
            token = self._acquire(rejected=token)
            request.headers["Authorization"] = token.header
            response = yield request
            replays += 1

    def worth_replay(
        self, request: httpx2.Request, response: httpx2.Response, token: AccessToken, replays: int
    ) -> bool:
        """True if a 401 is worth a new token and another replay (see :mod:`._recovery`)."""
        return worth_replay(self._tokens, self.serves, request, response, token, replays)

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

    async def login(self, context: SendContext = NO_CONTEXT) -> None:
        """Make sure a valid token is held now (instead of lazily on the first request).

        ``context``: the sending client's (a client passes its own transport and timeout).
        """
        if self._tokens.usable() is None:
            await self._atoken(context)

    async def signout(self, context: SendContext = NO_CONTEXT) -> None:
        """Dispose of the tokens (``grant_type=signout``); the next request logs in again.

        With a shared store the stored tokens are deleted too: every sharer is signed out.
        An exchange in flight is waited for first (at most ``token_timeout``).
        """
        self._enter("async")
        async with self._async_lock():
            # Inside the lock: taking it yields, and a refresh started in that gap would
            # spend the refresh token the signout is about to send.
            await self._exchanges.settle()
            await self._exchanges.signout(context)

    def signout_sync(self) -> None:
        """:meth:`signout` for the sync ``httpx2.Client`` world."""
        self._enter("sync")
        with self._thread_lock():
            self._sender.drive(self._tokens.signout(), time.monotonic() + self._token_timeout)

    async def aclose(self) -> None:
        """Stop exchanges still running and close the transport this auth opened, if any."""
        await self.cancel_exchanges()
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

    # -- the async side: callers wait, one exchange runs ----------------------------------

    async def _atoken(
        self, context: SendContext, rejected: AccessToken | None = None
    ) -> AccessToken:
        self._enter("async")
        for _ in range(_MAX_ROUNDS):
            ex = self._exchanges.inflight
            try:
                token, start = self._tokens.check(rejected=rejected)
            except OAuthError as exc:
                if ex is not None:
                    token, start = None, False  # an exchange is under way: its outcome decides
                elif 0 < exc.retry_in_seconds <= self._cooldown_wait:
                    await anyio.sleep(self._tokens.cooldown_remaining())
                    continue
                else:
                    raise
            if ex is not None:
                if token is not None:
                    return token  # still valid: keep sending while the exchange runs
            elif not start:
                assert token is not None
                return token
            else:
                ex, spawned = self._exchanges.start(token, context)
                if not spawned:
                    # No task to run it in (trio outside ``async with``): this caller leads.
                    await self._exchanges.run(ex, token, context, shield=True)
                    if ex.error is not None:
                        raise ex.error
                    assert ex.token is not None
                    return ex.token
                if token is not None:
                    return token  # proactive: the valid token goes out, the refresh runs aside
            await ex.done.wait()
            error = ex.error
            if error is not None and not isinstance(error, CallerDeadlineError):
                raise replay(error)
        raise APIConnectionError("no usable token after several token exchanges")

    # -- the sync side (threads) ---------------------------------------------------------

    def _acquire(self, *, rejected: AccessToken | None = None) -> AccessToken:
        self._enter("sync")
        remaining = self._tokens.cooldown_remaining()
        if 0 < remaining <= self._cooldown_wait:
            time.sleep(remaining)
        seen_epoch = self._tokens.epoch
        with self._thread_lock():
            flow = self._tokens.acquire(rejected=rejected, seen_epoch=seen_epoch)
            return self._sender.drive(flow, time.monotonic() + self._token_timeout)


def _foreign(request: httpx2.Request) -> httpx2.Request:
    """A request to another origin, as a plain httpx2 client sends it (URL credentials → Basic)."""
    url = request.url
    if url.username or url.password:
        flow = httpx2.BasicAuth(url.username, url.password).sync_auth_flow(request)
        return next(flow)
    return request
