# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_client.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""MeetingBoosterClient: an authenticated httpx2.AsyncClient that gates sends and signs out."""

from __future__ import annotations

import contextlib
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Literal

import anyio
import anyio.abc
import attrs
import httpx2
import sniffio
from httpx2 import USE_CLIENT_DEFAULT

from ._auth import MeetingBoosterAuth, SendContext
from ._body import plain_async_body
from ._errors import APITimeoutError, ClientClosedError, ConfigurationError, MeetingBoosterError
from ._events import AuthEvent
from ._gate import InFlightGate
from ._hotpath import HotPathMixin
from ._retry import DEADLINE_EXTENSION, RETRY_EXTENSION, RetryPolicy, is_replayable
from ._security import check_secure_url, safe_url
from ._store import TokenStore
from ._token_policy import TokenPolicy
from ._transport import speed_up_pool
from ._users import UserSession, sign_out_all
from .resources import DEFAULT_API_PATHS, ApiPaths, APIResourcesMixin

if TYPE_CHECKING:
    from collections.abc import Callable

    from httpx2._client import UseClientDefault  # the type only; the value is public

__all__ = ["MeetingBoosterClient"]

from ._logging import logger

#: Per-attempt timeouts unless ``timeout=`` is given: a web app wants a dead host noticed
#: fast (connect 3 s) and an answer bounded (10 s per read/write/pool wait).
DEFAULT_TIMEOUT: Final = httpx2.Timeout(10.0, connect=3.0)
#: The client's retry policy unless one is given.
DEFAULT_RETRY: Final = RetryPolicy()
#: Seconds the signouts on close may take, together (plus 10 ms per session), before the
#: client closes anyway.
SIGNOUT_ON_CLOSE_TIMEOUT: Final = 5.0
#: How many signouts run at once on close.
SIGNOUT_CONCURRENCY: Final = 128
#: The auth our client passes to httpx2 for requests it stamps itself: a no-op flow.
_STAMPED: Final = httpx2.Auth()
#: ``with`` target when a call has no overall deadline.
_NO_DEADLINE: Final = contextlib.nullcontext()


class _RefuseAllCookies(DefaultCookiePolicy):
    """Keep no cookie from any response: MeetingBooster auth is Bearer only."""

    def set_ok(self, cookie: Any, request: Any) -> bool:
        return False


class MeetingBoosterClient(APIResourcesMixin, HotPathMixin, httpx2.AsyncClient):
    """An ``httpx2.AsyncClient`` for a MeetingBooster server, logged in on first use.

    Everything httpx2 does works unchanged and authenticated: ``await client.get(
    "/api/v1/mymeetings/list")`` logs in (once, for all concurrent callers), sends
    ``Authorization: Bearer …``, refreshes before expiry and recovers a 401.

    Example:
        >>> async def main() -> None:
        ...     async with MeetingBoosterClient(
        ...         "https://mb.example.com", username="ann@example.com", password="secret"
        ...     ) as client:
        ...         response = await client.get("/api/v1/mymeetings/sync")

    Args:
        base_url: the server root (``/oauth`` and ``/api/v1/…`` sit below it).
        username: log in as this user (or give ``auth=`` instead).
        password: the user's password (or give ``auth=`` instead).
        auth: a :class:`MeetingBoosterAuth` to use instead of username and password.
        token_url: the token endpoint; default ``{base_url}/oauth`` (the docs put it at the
            server root; an install under a virtual directory may differ).
        signout_on_close: sign out on ``aclose()`` and on leaving ``async with``. Default:
            true when this client built its own auth from username and password.
        allow_insecure_http: permit plain ``http://`` to a host that is not loopback.
        max_in_flight: how many requests may be past the auth flow at once. The rest wait
            *before* a token is attached, so a request queued for a pooled connection never
            carries a token that goes stale while it waits. Default ``"pool"``: the
            connection pool's ``max_connections`` (100; with your own ``transport=`` the
            pool size cannot be read: give ``limits=`` or a number); ``None`` disables the
            gate. Waiting for a slot is bounded by ``timeout.pool``, as httpx2 bounds waiting
            for a pooled connection: when it passes, ``httpx2.PoolTimeout``.
        keep_cookies: keep cookies that responses set (default false: Bearer only, so a
            signed-out session stays signed out and no cookie crosses between users).
        retry: the :class:`RetryPolicy` for every request this client sends (default: 2
            retries of idempotent requests after connect errors, timeouts, 408, 429 and 5xx).
            Per call: ``extensions={"meetingbooster_retry": 0 | n | RetryPolicy(...)}``; mark a
            POST safe to retry with ``extensions={"meetingbooster_idempotent": True}``.
        token_store: keep tokens in this shared store (``MemoryTokenStore``,
            ``RedisTokenStore``) so that clients and processes sharing it log in and refresh
            once for all. With a store, ``signout_on_close`` defaults to false: closing one
            worker must not sign out the others.
        token_policy: the finer token rules (:class:`TokenPolicy`: refresh margin, backoff
            after a failed exchange, login cooldown, futile-401 interval, minimum lifetime).
        api_paths: where the typed endpoints live (:class:`ApiPaths`); the documented paths
            by default, and the inferred ones (SyncCommit, MyTasks) can be changed here.
        fast: send through aiohttp's connection pool (our own lean transport, extra ``fast``,
            asyncio only) instead of httpcore2: several times the throughput at high
            concurrency, same API.
        deadline: overall seconds per call, the token refresh and every retry included
            (default none: only httpx2's per-phase ``timeout``). Per call:
            ``extensions={"meetingbooster_deadline": seconds}``. Raises ``APITimeoutError``.
        on_event: a synchronous callable given an :class:`AuthEvent` as each ``/oauth`` grant
            of this client and its ``as_user`` sessions ends (login, refresh, signout; ok,
            refused or failed). Added to the auth's :attr:`~MeetingBoosterAuth.events`, given
            ``auth=`` too. One that raises is logged; the grant goes on.
        **kwargs: anything ``httpx2.AsyncClient`` takes (``timeout``, ``transport``, ``limits``…).
    """

    def __init__(
        self,
        base_url: str | httpx2.URL,
        *,
        username: str | None = None,
        password: str | None = None,
        auth: MeetingBoosterAuth | None = None,
        token_url: str | httpx2.URL | None = None,
        signout_on_close: bool | None = None,
        allow_insecure_http: bool = False,
        max_in_flight: int | Literal["pool"] | None = "pool",
        keep_cookies: bool = False,
        retry: RetryPolicy | None = None,
        deadline: float | None = None,
        token_store: TokenStore | None = None,
        token_policy: TokenPolicy | None = None,
        fast: bool = False,
        api_paths: ApiPaths | None = None,
        on_event: Callable[[AuthEvent], object] | None = None,
        **kwargs: Any,
    ) -> None:
        url = httpx2.URL(base_url)
        default_transport = not fast and "transport" not in kwargs
        if fast:
            kwargs["transport"] = _fast_transport(kwargs)
        check_secure_url(url, allow_insecure_http=allow_insecure_http, what="base_url")
        kwargs.setdefault("timeout", DEFAULT_TIMEOUT)
        if not keep_cookies and "cookies" not in kwargs:
            kwargs["cookies"] = CookieJar(policy=_RefuseAllCookies())
        super().__init__(base_url=url, keep_cookies=keep_cookies, **kwargs)
        if default_transport:
            speed_up_pool(self._transport)
        self._owns_auth = auth is None
        if auth is None:
            if username is None or password is None:
                raise ConfigurationError("give username= and password=, or auth=")
            auth = MeetingBoosterAuth(
                token_url=token_url if token_url is not None else self._merge_url("oauth"),
                username=username,
                password=password,
                allow_insecure_http=allow_insecure_http,
                token_store=token_store,
                token_policy=token_policy,
            )
        elif any(x is not None for x in (username, password, token_url, token_store, token_policy)):
            raise ConfigurationError(
                "give either auth= or username/password/token_url/token_store/token_policy, "
                "not both"
            )
        auth.add_origin(url)  # the API may live on another origin than /oauth
        if on_event is not None:
            auth.events.add(on_event)
        self.auth = auth
        self._mb_auth = auth
        if signout_on_close is None:
            signout_on_close = self._owns_auth and auth.token_store is None
        self._signout_on_close = signout_on_close
        self._keep_cookies = keep_cookies
        self._users: dict[str, MeetingBoosterAuth] = {}
        #: One bound method for every UserSession (not one each: a fleet keeps thousands).
        self._session_context = self._context_for
        #: Users dropped by as_user() (a changed password) that may still be signed in.
        self._retired: list[MeetingBoosterAuth] = []
        self._task_group: anyio.abc.TaskGroup | None = None
        if max_in_flight == "pool":
            limits = kwargs.get("limits", httpx2.Limits(max_connections=100))
            max_in_flight = limits.max_connections
        if isinstance(max_in_flight, int) and max_in_flight < 1:
            raise ConfigurationError("max_in_flight must be at least 1 (or None for no gate)")
        self._gate = InFlightGate(max_in_flight) if isinstance(max_in_flight, int) else None
        self.api_paths = api_paths if api_paths is not None else DEFAULT_API_PATHS
        self._retry = retry or DEFAULT_RETRY
        self._deadline = deadline

    def __repr__(self) -> str:
        url = safe_url(self.base_url)
        return f"<MeetingBoosterClient {url} as {self._mb_auth.username!r}>"

    @property
    def mb_auth(self) -> MeetingBoosterAuth:
        """The :class:`MeetingBoosterAuth` this client authenticates with."""
        return self._mb_auth

    async def send(
        self,
        request: httpx2.Request,
        *,
        stream: bool = False,
        auth: httpx2.Auth | UseClientDefault | None = USE_CLIENT_DEFAULT,  # type: ignore[override]
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
    ) -> httpx2.Response:
        """Send with retries and an overall deadline: token first, then an in-flight slot.

        See the module docs of the request path: a request waits for a token holding
        nothing, then for a slot (bounded by ``timeout.pool``), then takes the newest token.
        """
        if self.is_closed:
            raise ClientClosedError("Cannot send a request, as the client has been closed.")
        plain_async_body(request)
        deadline = request.extensions.get(DEADLINE_EXTENSION, self._deadline)
        # The retry loop lives here, not in a helper: thousands of requests wait inside it at
        # once, and each coroutine frame costs every one of them memory.
        try:
            with anyio.fail_after(deadline) if deadline is not None else _NO_DEADLINE:
                policy = self._retry_policy_for(request)
                attempt = 0
                while True:
                    try:
                        response = await self._send_once(request, stream, auth, follow_redirects)
                    except MeetingBoosterError:
                        raise  # our own verdicts (token errors) are final here
                    except httpx2.TransportError as exc:
                        delay = policy.delay_after_error(request, exc, attempt)
                        reason = type(exc).__name__
                        if delay is None or _no_retry(request, delay):
                            _log_give_up(request, reason, attempt, policy)
                            raise
                    else:
                        status = response.status_code
                        if status not in policy.statuses:
                            return response  # the hot path: nothing to retry
                        delay = policy.delay_after_status(
                            request, status, response.headers, attempt
                        )
                        reason = f"HTTP {status}"
                        if delay is None or _no_retry(request, delay):
                            _log_give_up(request, reason, attempt, policy)
                            return response
                        await response.aclose()
                    _log_retry(request, attempt, policy, delay, reason)
                    await anyio.sleep(delay)
                    if self.is_closed:
                        raise ClientClosedError(
                            "the client was closed while this request waited to retry"
                        )
                    attempt += 1
        except TimeoutError as exc:
            if deadline is None:
                raise
            raise APITimeoutError(
                f"no response within the {deadline:g}s deadline", request=request
            ) from exc

    def _retry_policy_for(self, request: httpx2.Request) -> RetryPolicy:
        override = request.extensions.get(RETRY_EXTENSION)
        if override is None:
            return self._retry
        if isinstance(override, RetryPolicy):
            return override
        return attrs.evolve(self._retry, max_retries=int(override))

    def _auth_for(
        self, request: httpx2.Request, auth: httpx2.Auth | UseClientDefault | None
    ) -> MeetingBoosterAuth | None:
        """Our auth if it stamps this request; ``None``: httpx2's own auth handling applies."""
        mb = self._mb_auth if auth is USE_CLIENT_DEFAULT else auth
        if isinstance(mb, MeetingBoosterAuth) and mb.serves(request.url):
            return mb
        return None

    def _context_for(self, auth: MeetingBoosterAuth) -> SendContext:
        """What a token exchange started by this client uses: our transport and timeout."""
        return SendContext(
            transport=self._transport_for_url(auth.token_url),
            timeout=self.timeout,
            task_group=self._task_group,
        )

    async def _send_once(
        self,
        request: httpx2.Request,
        stream: bool,
        auth: httpx2.Auth | UseClientDefault | None,
        follow_redirects: bool | UseClientDefault,
    ) -> httpx2.Response:
        """One attempt: token (no slot held), slot, newest token, send; one 401 recovery.

        Written flat on purpose: thousands of requests wait here at once, and every extra
        coroutine frame costs each of them memory (see the benchmarks' memory target).
        """
        gate = self._gate
        mb = self._auth_for(request, auth)
        if mb is not None and mb.usable_token() is None:
            await mb.token_for(self._context_for(mb))  # wait for a token holding no slot
        replays = 0
        while True:
            if gate is not None and not gate.try_take():
                await gate.take(request, request.extensions.get("timeout", {}).get("pool"))
            if mb is None:
                return await self._send_in_slot(request, stream, auth, follow_redirects)
            token = mb.sendable()  # the newest valid token: replaced while we queued, fine
            if token is None:
                # It expired while this request queued: wait for the next one holding nothing.
                if gate is not None:
                    gate.give_back()
                await mb.token_for(self._context_for(mb))
                continue
            request.headers["Authorization"] = token.header
            response = await self._send_in_slot(request, stream, _STAMPED, follow_redirects)
            if response.status_code != 401:
                return response  # the hot path: no recovery rules to ask
            try:
                recover = mb.worth_replay(request, response, token, replays)
            except MeetingBoosterError:
                await response.aclose()
                raise
            if not recover:
                return response
            # Give the connection and the slot back before waiting for a new token.
            await response.aclose()
            await mb.token_for(self._context_for(mb), rejected=token)
            replays += 1

    async def _send_in_slot(
        self,
        request: httpx2.Request,
        stream: bool,
        auth: httpx2.Auth | UseClientDefault | None,
        follow_redirects: bool | UseClientDefault,
    ) -> httpx2.Response:
        """httpx2's send, holding a slot taken before: given back when the body is done."""
        gate = self._gate
        try:
            response = await super().send(
                request, stream=stream, auth=auth, follow_redirects=follow_redirects
            )
        except BaseException:
            if gate is not None:
                gate.give_back()
            raise
        if gate is None:
            return response
        if stream:
            gate.hold_until_closed(response)  # a streamed body holds its connection: its slot
        else:
            gate.give_back()
        return response

    def as_user(self, username: str, password: str) -> UserSession:
        """A view of this client that acts as another user, through the same pool.

        Each user gets their own tokens, single flight and cooldown (a sibling of this
        client's auth: same server, settings and token store). Calling again with the same
        username returns a view on the same tokens; a changed password starts afresh.

        Example:
            >>> async def main(client: MeetingBoosterClient) -> None:
            ...     bob = client.as_user("bob@example.com", "bobs password")
            ...     response = await bob.get("/api/v1/mymeetings/list")
        """
        if self._keep_cookies:
            raise ConfigurationError("as_user() needs keep_cookies=False: cookies would mix users")
        key = username.lower()
        auth = self._users.get(key)
        if auth is None or not auth.has_credentials(username, password):
            if auth is not None:
                self._retired.append(auth)  # still signed in: signed out on close
            auth = self._mb_auth.with_credentials(username, password)
            self._users[key] = auth
        return UserSession(self, auth, self._session_context)

    def forget_user(self, username: str) -> None:
        """Drop a user made by :meth:`as_user` (its tokens are forgotten, not signed out)."""
        self._users.pop(username.lower(), None)

    async def login(self) -> None:
        """Log in now rather than on the first request (to fail fast on bad credentials)."""
        await self._mb_auth.login(self._context_for(self._mb_auth))

    async def signout(self) -> None:
        """Dispose of the tokens on the server (``grant_type=signout``)."""
        await self._mb_auth.signout(self._context_for(self._mb_auth))

    async def aclose(self) -> None:
        """Sign out (see ``signout_on_close``), stop token exchanges, close the transports.

        Every session this client logged in is signed out, ``as_user`` views and users whose
        password changed included: concurrently, and within ``SIGNOUT_ON_CLOSE_TIMEOUT``
        seconds plus 10 ms per session in all. Requests still waiting end with
        :class:`ClientClosedError`.
        """
        await self._close_session()
        await super().aclose()

    async def __aenter__(self) -> MeetingBoosterClient:
        await super().__aenter__()
        if sniffio.current_async_library() == "trio":
            # trio has no detached tasks: token exchanges run in a task group this client
            # owns, so a cancelled caller never has to finish one (see MeetingBoosterAuth).
            group = anyio.create_task_group()
            await group.__aenter__()
            self._task_group = group
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        # httpx2's __aexit__ does not call aclose(): sign out here too.
        try:
            await self._close_session()
            await super().__aexit__(exc_type, exc_value, traceback)
        finally:
            group, self._task_group = self._task_group, None
            if group is not None:
                group.cancel_scope.cancel()
                await group.__aexit__(None, None, None)

    async def _close_session(self) -> None:
        if self.is_closed:
            return
        auths = [self._mb_auth, *self._users.values(), *self._retired]
        self._retired = []
        if self._signout_on_close:
            await sign_out_all(
                auths,
                self._context_for,
                within=SIGNOUT_ON_CLOSE_TIMEOUT,
                concurrency=SIGNOUT_CONCURRENCY,
            )
        transport = self._transport_for_url(self._mb_auth.token_url)
        for auth in auths:
            await auth.cancel_exchanges(transport)
        if self._owns_auth:
            await self._mb_auth.aclose()


def _log_give_up(request: httpx2.Request, reason: str, attempt: int, policy: RetryPolicy) -> None:
    why = "retries used up" if attempt >= policy.max_retries else "not safe or no time to retry"
    logger.debug(
        "no retry of %s %s after %s: %s", request.method, safe_url(request.url), reason, why
    )


def _log_retry(
    request: httpx2.Request, attempt: int, policy: RetryPolicy, delay: float, reason: str
) -> None:
    logger.debug(
        "retry %d/%d of %s %s in %.2fs after %s",
        attempt + 1,
        policy.max_retries,
        request.method,
        safe_url(request.url),
        delay,
        reason,
    )


def _no_retry(request: httpx2.Request, delay: float) -> bool:
    """True if a retry is due but cannot happen: a one-shot body, or no time before the deadline."""
    return not is_replayable(request) or _outlasts_deadline(delay)


def _outlasts_deadline(delay: float) -> bool:
    """True if waiting ``delay`` would pass the caller's deadline: better answer now."""
    return anyio.current_time() + delay >= anyio.current_effective_deadline()


def _fast_transport(kwargs: dict[str, Any]) -> httpx2.AsyncBaseTransport:
    """httpx2 on aiohttp's connection pool, configured from the client's own arguments."""
    if "transport" in kwargs:
        raise ConfigurationError("give fast=True or transport=, not both")
    try:
        from ._aiohttp_transport import AiohttpTransport
    except ImportError as exc:
        raise ConfigurationError(
            "fast=True needs the fast extra: pip install 'meetingbooster-async[fast]'"
        ) from exc
    options = {k: kwargs[k] for k in ("verify", "cert", "trust_env", "limits") if k in kwargs}
    transport: httpx2.AsyncBaseTransport = AiohttpTransport(**options)
    return transport
