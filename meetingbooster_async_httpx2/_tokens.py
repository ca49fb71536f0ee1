# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_tokens.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""Token state and every decision about it, as sans-I/O generators driven by the auth flows.

:class:`TokenManager` owns one identity's tokens, its cooldown and its failure memory. Getting a
token is a generator (``acquire``) that yields the ``/oauth`` requests it needs and is sent the
read responses back (or thrown the transport error). The async and the sync auth flows drive the
same generator under their own lock, so both have exactly the same rules, and the rules are
tested here without an event loop, on an injected clock.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Generator

import attrs
import httpx2

from ._errors import (
    APIConnectionError,
    CallerDeadlineError,
    InvalidGrantError,
    LoginFailedError,
    MeetingBoosterError,
    OAuthError,
    OAuthResponseError,
)
from ._oauth import (
    DEFAULT_APP_ID,
    Credentials,
    GrantType,
    build_grant_request,
    parse_oauth_error,
    parse_token_response,
)
from ._store import StoredToken, token_key

__all__ = ["AccessToken", "TokenManager", "TokenPolicy"]

from ._logging import logger

#: A grant flow: yields /oauth requests, receives their read responses, returns its result.
Flow = Generator[httpx2.Request, httpx2.Response, "AccessToken"]


@attrs.frozen(kw_only=True)
class AccessToken:
    """One access token and its schedule on the monotonic clock. The value is never shown."""

    value: str = attrs.field(repr=False)
    #: ``"Bearer <value>"``, built once so the hot path only assigns a header.
    header: str = attrs.field(repr=False)
    generation: int
    obtained_at: float
    refresh_at: float
    expires_at: float


@attrs.frozen(kw_only=True)
class TokenPolicy:
    """The knobs of token handling (all times in seconds).

    Attributes:
        refresh_margin: refresh this long before expiry, but never earlier than half-way
            through the lifetime (a 60 s token is refreshed at 30 s, not "expired on arrival").
        default_lifetime: lifetime assumed when the server sends no ``expires_in``
            (the documented server default is 20 minutes).
        login_failure_cooldown: the least time a refused password login blocks further logins
            of this identity, even when the server asks for less (a wrong password must never
            be retried in a loop: account lockout).
        proactive_retry: after a failed proactive refresh (the old token still valid), wait
            this long, or half the remaining lifetime if shorter, before trying again.
    """

    refresh_margin: float = 60.0
    default_lifetime: float = 1200.0
    login_failure_cooldown: float = 60.0
    proactive_retry: float = 5.0
    app_id: str = DEFAULT_APP_ID


def _replay(exc: MeetingBoosterError) -> MeetingBoosterError:
    """A fresh copy of a recorded failure for another caller (never re-raise one instance)."""
    copy: MeetingBoosterError
    if isinstance(exc, OAuthError):
        copy = exc.with_remaining(exc.retry_in_seconds)
    elif isinstance(exc, OAuthResponseError):
        copy = OAuthResponseError(str(exc), response=exc.response)
    elif isinstance(exc, APIConnectionError):
        copy = type(exc)(str(exc), request=exc._request)
    else:
        copy = MeetingBoosterError(str(exc))
    copy.__cause__ = exc.__cause__
    return copy


def _maybe_processed(exc: MeetingBoosterError) -> bool:
    """False only when the grant surely never reached the server (nothing was sent)."""
    return not isinstance(
        exc.__cause__, (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout)
    )


class TokenManager:
    """One identity's token state. Not thread-safe by itself: drive it under a lock."""

    def __init__(
        self,
        credentials: Credentials,
        token_url: httpx2.URL,
        *,
        policy: TokenPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        timeout: httpx2.Timeout | None = None,
    ) -> None:
        self._credentials = credentials
        self._wall_clock = wall_clock
        self._token_url = token_url
        self._policy = policy or TokenPolicy()
        self._clock = clock
        self._timeout = timeout
        self._access: AccessToken | None = None
        self._refresh_token: str | None = None
        self._generation = 0
        #: Bumped when an attempt ends; a waiter that saw another epoch shares its outcome.
        self.epoch = 0
        self._last_failure: MeetingBoosterError | None = None
        self._cooldown_until = -math.inf
        self._cooldown_error: OAuthError | None = None
        self._last_login_at = -math.inf

    def __repr__(self) -> str:
        state = "token" if self._access is not None else "no token"
        return f"<TokenManager {self._credentials.username!r} at {self._token_url}: {state}>"

    @property
    def username(self) -> str:
        return self._credentials.username

    @property
    def has_refresh_token(self) -> bool:
        return self._refresh_token is not None

    @property
    def current(self) -> AccessToken | None:
        """The token held now, valid or not (``None`` before login or after signout)."""
        return self._access

    def usable(self) -> AccessToken | None:
        """The hot path: the current token if it needs no refresh yet, else ``None``."""
        token = self._access
        if token is not None and self._clock() < token.refresh_at:
            return token
        return None

    def cooldown_remaining(self) -> float:
        """Seconds until ``/oauth`` may be called again for this identity (0 if it may)."""
        return max(0.0, self._cooldown_until - self._clock())

    def for_credentials(self, credentials: Credentials) -> TokenManager:
        """A fresh manager for another identity with this one's settings (no state shared)."""
        return TokenManager(
            credentials,
            self._token_url,
            policy=self._policy,
            clock=self._clock,
            wall_clock=self._wall_clock,
            timeout=self._timeout,
        )

    def logged_in_within(self, seconds: float) -> bool:
        """True if a password login succeeded in the last ``seconds``."""
        return self._clock() - self._last_login_at < seconds

    def store_key(self, base: str) -> str:
        """This identity's key in a shared token store (a slow hash: call it off the loop)."""
        return token_key(base, self._credentials.username, self._credentials.password)

    def matches(self, credentials: Credentials) -> bool:
        """True if these are the credentials this manager logs in with (any username case)."""
        mine = self._credentials
        return (mine.username.lower(), mine.password) == (
            credentials.username.lower(),
            credentials.password,
        )

    def export(self) -> StoredToken | None:
        """The current tokens for a shared store, on the wall clock; ``None`` if none."""
        token = self._access
        if token is None:
            return None
        offset = self._wall_clock() - self._clock()
        return StoredToken(
            access_token=token.value,
            refresh_token=self._refresh_token,
            refresh_at=token.refresh_at + offset,
            expires_at=token.expires_at + offset,
        )

    def adopt(self, stored: StoredToken | None) -> None:
        """Take tokens another client put in the shared store, if they are newer than ours.

        The stored refresh token always wins (with rotation, it is the only live one); the
        access token is taken if it differs from ours and has not expired.
        """
        if stored is None:
            return
        if stored.refresh_token is not None:
            self._refresh_token = stored.refresh_token
        current = self._access
        if current is not None and current.value == stored.access_token:
            return
        now = self._clock()
        offset = now - self._wall_clock()
        expires_at = stored.expires_at + offset
        if expires_at <= now:
            return
        self._generation += 1
        self._access = AccessToken(
            value=stored.access_token,
            header=f"Bearer {stored.access_token}",
            generation=self._generation,
            obtained_at=now,
            refresh_at=min(stored.refresh_at + offset, expires_at),
            expires_at=expires_at,
        )

    def forget(self) -> None:
        """Drop every token without telling the server (e.g. after a failed signout)."""
        self._access = None
        self._refresh_token = None
        self._last_failure = None

    # -- flows ---------------------------------------------------------------------------

    def acquire(
        self,
        *,
        rejected: AccessToken | None = None,
        force_login: bool = False,
        seen_epoch: int | None = None,
    ) -> Flow:
        """Return a token good to send, calling ``/oauth`` only if it must.

        Args:
            rejected: the token a 401 rejected. It is dropped only if it is still current;
                if another caller already replaced it, the replacement is returned.
            force_login: the retry after a refresh was rejected too: log in with the password.
            seen_epoch: :attr:`epoch` as the caller saw it before queueing for the lock. If an
                attempt failed meanwhile, the caller gets that failure instead of a new call.
        """
        now = self._clock()
        current = self._access
        if rejected is not None and current is not None:
            if current.generation == rejected.generation:
                self._access = current = None
                if force_login:
                    self._refresh_token = None
            elif now < current.expires_at:
                return current
        if current is not None and now < current.refresh_at:
            return current
        fallback = current if current is not None and now < current.expires_at else None
        if fallback is None:
            if seen_epoch is not None and seen_epoch != self.epoch and self._last_failure:
                raise _replay(self._last_failure)
            self._raise_if_cooling_down(now)
        elif now < self._cooldown_until:
            return fallback
        try:
            token = yield from self._obtain()
        except CallerDeadlineError:
            if fallback is None:
                raise  # the leader's own deadline: the queued callers try with theirs
            return fallback
        except MeetingBoosterError as exc:
            self.epoch += 1
            if fallback is None:
                self._last_failure = exc
                raise
            retry = min(self._policy.proactive_retry, (fallback.expires_at - now) / 2)
            logger.warning("proactive token refresh failed (%s); keeping the current token", exc)
            self._access = attrs.evolve(fallback, refresh_at=now + retry)
            return self._access
        self.epoch += 1
        self._last_failure = None
        return token

    def signout(self) -> Generator[httpx2.Request, httpx2.Response, None]:
        """Dispose of the tokens: forget them here, then ``grant_type=signout`` on the server.

        Nothing is sent when there is no refresh token or while a cooldown runs. A rejected
        refresh token (``invalid_grant``) counts as signed out.
        """
        refresh_token = self._refresh_token
        self.forget()
        self.epoch += 1
        if refresh_token is None:
            return
        if self.cooldown_remaining() > 0:
            logger.info("signout of %s not sent: /oauth is cooling down", self.username)
            return
        response = yield self._request("signout", refresh_token=refresh_token)
        if 200 <= response.status_code < 300:
            logger.info("signed out %s", self.username)
            return
        error = parse_oauth_error(response, grant_type="signout")
        if isinstance(error, InvalidGrantError):
            return
        if error is not None:
            self._start_cooldown(error, "signout")
            raise error
        raise OAuthResponseError(
            f"signout answered HTTP {response.status_code} without a JSOAuthError body",
            response=response,
        )

    # -- internals -----------------------------------------------------------------------

    def _obtain(self) -> Flow:
        if self._refresh_token is not None:
            try:
                return (yield from self._grant("refresh_token"))
            except InvalidGrantError as exc:
                # The refresh token is dead (rotated, signed out, server restarted): one fresh
                # login with the password, unless the server asked us to wait.
                self._refresh_token = None
                if exc.retry_in_seconds > 0:
                    raise
                logger.info("refresh token rejected for %s; logging in again", self.username)
            except (APIConnectionError, OAuthResponseError) as exc:
                if isinstance(exc, CallerDeadlineError) or not _maybe_processed(exc):
                    raise
                # The server may have rotated it and the answer got lost: sending it again
                # could look like token theft. Log in instead.
                self._refresh_token = None
                logger.info("refresh for %s failed (%s); logging in instead", self.username, exc)
        return (yield from self._grant("password"))

    def _request(
        self, grant_type: GrantType, *, refresh_token: str | None = None
    ) -> httpx2.Request:
        return build_grant_request(
            self._token_url,
            grant_type,
            credentials=self._credentials if grant_type == "password" else None,
            refresh_token=refresh_token,
            app_id=self._policy.app_id,
            timeout=self._timeout,
        )

    def _grant(self, grant_type: GrantType) -> Flow:
        sent_at = self._clock()
        request = self._request(grant_type, refresh_token=self._refresh_token)
        logger.debug("POST %s grant_type=%s for %s", self._token_url, grant_type, self.username)
        response = yield request
        try:
            grant = parse_token_response(response, grant_type=grant_type)
        except OAuthError as exc:
            self._start_cooldown(exc, grant_type)
            raise
        lifetime = grant.expires_in or self._policy.default_lifetime
        early = min(self._policy.refresh_margin, lifetime / 2)
        self._generation += 1
        token = AccessToken(
            value=grant.access_token,
            header=f"Bearer {grant.access_token}",
            generation=self._generation,
            obtained_at=sent_at,
            refresh_at=sent_at + lifetime - early,
            expires_at=sent_at + lifetime,
        )
        self._access = token
        if grant.refresh_token is not None:
            self._refresh_token = grant.refresh_token
        if grant_type == "password":
            self._last_login_at = sent_at
        logger.info(
            "%s for %s: token valid %.0fs",
            "logged in" if grant_type == "password" else "refreshed",
            self.username,
            lifetime,
        )
        return token

    def _start_cooldown(self, error: OAuthError, grant_type: GrantType) -> None:
        wait = error.retry_in_seconds
        if isinstance(error, LoginFailedError) or grant_type == "password":
            wait = max(wait, self._policy.login_failure_cooldown)
        logger.warning("%s grant refused for %s: %s", grant_type, self.username, error)
        if wait > 0:
            until = self._clock() + wait
            if until > self._cooldown_until:
                self._cooldown_until = until
                self._cooldown_error = error

    def _raise_if_cooling_down(self, now: float) -> None:
        if self._cooldown_error is not None and now < self._cooldown_until:
            raise self._cooldown_error.with_remaining(math.ceil(self._cooldown_until - now))
