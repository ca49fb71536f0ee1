"""Token state and every decision about it, as pure code driven by the auth flows.

:class:`TokenManager` owns one identity's tokens, its cooldown, its failure backoff and its
memory of endpoints where a refresh does not help. Deciding is pure (:meth:`~TokenManager.check`);
exchanging is a generator (:meth:`~TokenManager.exchange`) that yields the ``/oauth`` requests
it needs and is sent the read responses back (or thrown the transport error). The async and
the sync auth flows drive the same code, so both have exactly the same rules, and the rules are
tested here without an event loop, on an injected clock.

What the next caller does after each ``/oauth`` outcome is the table in
:mod:`._token_policy`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from typing import Final

import attrs
import httpx

from ._errors import (
    APIConnectionError,
    CallerDeadlineError,
    ConfigurationError,
    InvalidGrantError,
    LoginFailedError,
    MeetingBoosterError,
    OAuthError,
    OAuthResponseError,
    PasswordRequiredError,
)
from ._events import AuthEvent, EventHooks, GrantOutcome
from ._futile import FutileEndpoints
from ._logging import logger
from ._oauth import (
    Credentials,
    GrantType,
    build_grant_request,
    parse_oauth_error,
    parse_token_response,
    redacted_response,
)
from ._oauth_guard import OAuthGuard
from ._security import safe_url
from ._store import StoredToken, password_verifier, token_key
from ._token_policy import AccessToken, TokenPolicy, is_refusal, maybe_processed, replay

__all__ = ["AccessToken", "GrantFlow", "TokenManager", "TokenPolicy"]

#: A grant exchange: yields /oauth requests, receives their read responses, returns its result.
GrantFlow = Generator[httpx.Request, httpx.Response, "AccessToken"]

#: How many spent refresh tokens are remembered (a store may still hold one of them).
_SPENT_MEMORY: Final = 8


class TokenManager:
    """One identity's token state. Not thread-safe by itself: drive it under a lock.

    Slotted: a fleet keeps one per user (memory per idle user is a benchmark target).
    """

    __slots__ = (
        "_access",
        "_clock",
        "_credentials",
        "_dead",
        "_futile",
        "_generation",
        "_guard",
        "_hooks",
        "_password_forgotten",
        "_policy",
        "_refresh_token",
        "_spent",
        "_token_url",
        "_wall_clock",
        "_warned_lifetime",
        "epoch",
        "timeout",
    )

    def __init__(
        self,
        credentials: Credentials,
        token_url: httpx.URL,
        *,
        policy: TokenPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        timeout: httpx.Timeout | None = None,
        hooks: EventHooks | None = None,
    ) -> None:
        self._credentials = credentials
        self._hooks = hooks
        self._password_forgotten = False
        self._wall_clock = wall_clock
        self._token_url = token_url
        self._policy = policy or TokenPolicy()
        self._clock = clock
        self.timeout = timeout
        self._access: AccessToken | None = None
        self._refresh_token: str | None = None
        #: The refresh tokens sent already, newest last (a tuple: most users have none).
        self._spent: tuple[str, ...] = ()
        #: The value of the last token a 401 rejected: never adopted back from a store.
        self._dead: str | None = None
        self._generation = 0
        #: Bumped when an attempt ends; a waiter that saw another epoch shares its outcome.
        self.epoch = 0
        self._guard = OAuthGuard(self._policy, clock, credentials.username)
        self._futile = FutileEndpoints(self._policy, clock, credentials.username)
        self._warned_lifetime = False

    def __repr__(self) -> str:
        state = "token" if self._access is not None else "no token"
        return (
            f"<TokenManager {self._credentials.username!r} at {safe_url(self._token_url)}: {state}>"
        )

    @property
    def username(self) -> str:
        return self._credentials.username

    @property
    def policy(self) -> TokenPolicy:
        return self._policy

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

    def valid(self) -> AccessToken | None:
        """The current token if it has not expired (it may be due for a refresh)."""
        token = self._access
        if token is not None and self._clock() < token.send_by:
            return token
        return None

    def cooldown_remaining(self) -> float:
        """Seconds until ``/oauth`` may be called again for this identity (0 if it may)."""
        return self._guard.cooldown_remaining()

    def for_credentials(self, credentials: Credentials) -> TokenManager:
        """A fresh manager for another identity with this one's settings (no state shared)."""
        return TokenManager(
            credentials,
            self._token_url,
            policy=self._policy,
            clock=self._clock,
            wall_clock=self._wall_clock,
            timeout=self.timeout,
            hooks=self._hooks,
        )

    def store_key(self, base: str, secret: bytes | None = None) -> str:
        """This identity's key in a shared token store: with the deployment ``secret`` an
        HMAC (no password needed), else a slow hash of the password (call it off the loop)."""
        if secret is not None:
            return token_key(base, self._credentials.username, None, secret=secret)
        if self._password_forgotten:
            raise ConfigurationError(
                "a token store without key_secret needs the password: it keys the tokens"
            )
        return token_key(base, self._credentials.username, self._credentials.password)

    def password_verifier(self, key: str) -> str | None:
        """The verifier of this identity's password for HMAC-keyed tokens (a slow hash: off
        the loop); ``None`` once the password is forgotten (nothing to prove then)."""
        if self._password_forgotten:
            return None
        return password_verifier(key, self._credentials.password)

    def forget_password(self) -> None:
        """Keep no password from now on: a login then raises :class:`PasswordRequiredError`
        (refreshes still work, with the refresh token)."""
        self._credentials = attrs.evolve(self._credentials, password="")
        self._password_forgotten = True

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

    def is_spent(self, refresh_token: str | None) -> bool:
        """True if this refresh token was sent already (it must never be sent again)."""
        return refresh_token is not None and refresh_token in self._spent

    def adopt(self, stored: StoredToken | None) -> None:
        """Take tokens another client put in the shared store, if they are newer than ours.

        The stored refresh token wins (with rotation, it is the only live one) unless this
        manager already spent it, or a lock holder marked it in use (it may have reached the
        server: it is spent for us too, and the next exchange logs in); the access token is
        taken if it differs from ours and has not expired.
        """
        if stored is None:
            return
        spent = stored.refresh_token
        if spent is not None and stored.refresh_in_use:
            if not self.is_spent(spent):
                self._spend(spent)
            if self._refresh_token == spent:
                self._refresh_token = None
        elif spent is not None and not self.is_spent(spent):
            self._refresh_token = spent
        current = self._access
        if current is not None and current.value == stored.access_token:
            return
        if stored.access_token == self._dead:
            return  # a 401 already told us this one is dead
        now = self._clock()
        offset = now - self._wall_clock()
        expires_at = stored.expires_at + offset
        if expires_at <= now:
            return
        self._generation += 1
        token = AccessToken(
            value=stored.access_token,
            header=f"Bearer {stored.access_token}",
            generation=self._generation,
            obtained_at=now,
            refresh_at=stored.refresh_at + offset,
            expires_at=expires_at,
        )
        # Due no later than it stops being sent: a token usable but not sendable would have
        # the send loop ask for it again and again without ever waiting.
        self._access = attrs.evolve(token, refresh_at=min(token.refresh_at, token.send_by))

    def forget(self) -> None:
        """Drop every token without telling the server (e.g. after a failed signout)."""
        self._access = None
        self._refresh_token = None
        self._guard.last_failure = None

    # -- 401s ----------------------------------------------------------------------------

    def is_futile(self, endpoint: str) -> bool:
        """True if a refresh recently did not cure a 401 from ``endpoint`` (method and path)."""
        return endpoint in self._futile

    def mark_futile(self, endpoint: str, token: AccessToken) -> bool:
        """A fresh ``token`` got a 401 from ``endpoint`` too; see :class:`FutileEndpoints`."""
        return self._futile.mark(endpoint, token)

    # -- deciding ------------------------------------------------------------------------

    def check(
        self, *, rejected: AccessToken | None = None, seen_epoch: int | None = None
    ) -> tuple[AccessToken | None, bool]:
        """Decide without I/O: ``(token to send now or None, whether to start an exchange)``.

        ``(token, True)`` means the token is still valid but due for a refresh: send it, and
        let one exchange refresh in the background. ``(None, True)``: wait for an exchange.
        Raises the cooldown's or the backoff's error when ``/oauth`` may not be called yet.

        Args:
            rejected: the token a 401 rejected. It is dropped only if it is still current;
                if another caller already replaced it, the replacement is returned.
            seen_epoch: :attr:`epoch` as a queued caller saw it. If an attempt failed
                meanwhile, the caller gets that failure instead of a new call.
        """
        now = self._clock()
        current = self._access
        if (
            rejected is not None
            and current is not None
            and current.generation == rejected.generation
        ):
            self._dead = current.value
            self._access = current = None
        if current is not None and now < current.send_by:
            if now < current.refresh_at:
                return current, False
            return current, not self._guard.blocked(now)
        failure = self._guard.last_failure
        if seen_epoch is not None and seen_epoch != self.epoch and failure is not None:
            raise replay(failure)
        self._guard.raise_if_blocked(now)
        return None, True

    def acquire(
        self, *, rejected: AccessToken | None = None, seen_epoch: int | None = None
    ) -> GrantFlow:
        """Return a token good to send, calling ``/oauth`` only if it must (the sync flow)."""
        token, start = self.check(rejected=rejected, seen_epoch=seen_epoch)
        if not start:
            assert token is not None
            return token
        return (yield from self.exchange(fallback=token))

    # -- exchanging ----------------------------------------------------------------------

    def exchange(self, *, fallback: AccessToken | None = None) -> GrantFlow:
        """Refresh (or log in) once, and record the outcome for the next caller.

        ``fallback`` is the still-valid token of a proactive refresh: a failure then keeps it.
        If a fresh token arrived since the decision (adopted from a shared store), it is
        returned without a call.
        """
        now = self._clock()
        current = self._access
        if current is not None and now < current.refresh_at:
            return current
        try:
            token = yield from self._obtain()
        except CallerDeadlineError:
            if fallback is None:
                raise  # the leader's own deadline: the queued callers try with theirs
            return fallback
        except MeetingBoosterError as exc:
            self.epoch += 1
            if fallback is None:
                if not isinstance(exc, PasswordRequiredError):  # nothing was sent: no backoff
                    self._guard.failed(exc)
                raise
            now = self._clock()  # when it failed: a slow failure must still space the retry
            retry = min(self._policy.proactive_retry, (fallback.expires_at - now) / 2)
            logger.warning("proactive token refresh failed (%s); keeping the current token", exc)
            # Due again no later than it stops being sent (see ``adopt``).
            refresh_at = min(now + retry, fallback.send_by)
            self._access = attrs.evolve(fallback, refresh_at=refresh_at)
            return self._access
        self.epoch += 1
        self._guard.succeeded()
        return token

    def signout(self) -> Generator[httpx.Request, httpx.Response, None]:
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
        self._spend(refresh_token)
        try:
            response = yield self._request("signout", refresh_token=refresh_token)
        except MeetingBoosterError:
            self._tell("signout", "failed")
            raise
        if 200 <= response.status_code < 300:
            logger.info("signed out %s", self.username)
            self._tell("signout", "ok")
            return
        error = parse_oauth_error(response, grant_type="signout")
        if isinstance(error, InvalidGrantError):
            self._tell("signout", "refused")
            return
        if error is not None:
            self._guard.refused(error, "signout")
            self._tell("signout", "refused", error.retry_in_seconds)
            raise error
        self._tell("signout", "failed")
        raise OAuthResponseError(
            f"signout answered HTTP {response.status_code} without a JSOAuthError body",
            response=redacted_response(response),
        )

    # -- internals -----------------------------------------------------------------------

    def _spend(self, refresh_token: str) -> None:
        self._spent = (*self._spent, refresh_token)[-_SPENT_MEMORY:]

    def _unspend(self, refresh_token: str) -> None:
        """It never left, or the server kept it alive: it may be sent again."""
        self._spent = tuple(t for t in self._spent if t != refresh_token)

    def _obtain(self) -> GrantFlow:
        refresh_token = self._refresh_token
        if refresh_token is not None:
            # Spent from the moment it may reach the server, whatever happens next.
            self._refresh_token = None
            self._spend(refresh_token)
            try:
                return (yield from self._grant("refresh_token", refresh_token))
            except InvalidGrantError as exc:
                # The refresh token is dead (rotated, signed out, server restarted): one fresh
                # login with the password, unless the server asked us to wait.
                if exc.retry_in_seconds > 0:
                    raise
                logger.info("refresh token rejected for %s; logging in again", self.username)
            except (APIConnectionError, OAuthResponseError) as exc:
                if not isinstance(exc, CallerDeadlineError) and not maybe_processed(exc):
                    self._refresh_token = refresh_token  # it never left: still good
                    self._unspend(refresh_token)
                    raise
                if isinstance(exc, CallerDeadlineError):
                    raise
                # The server may have rotated it and the answer got lost: sending it again
                # could look like token theft. Log in instead.
                logger.info("refresh for %s failed (%s); logging in instead", self.username, exc)
        if self._password_forgotten:
            raise PasswordRequiredError(
                f"a login is needed for {self.username} and its password was forgotten"
            )
        return (yield from self._grant("password", None))

    def _request(self, grant_type: GrantType, *, refresh_token: str | None = None) -> httpx.Request:
        return build_grant_request(
            self._token_url,
            grant_type,
            credentials=self._credentials if grant_type == "password" else None,
            refresh_token=refresh_token,
            app_id=self._policy.app_id,
            timeout=self.timeout,
        )

    def _grant(self, grant_type: GrantType, refresh_token: str | None) -> GrantFlow:
        sent_at = self._clock()
        request = self._request(grant_type, refresh_token=refresh_token)
        logger.debug(
            "POST %s grant_type=%s for %s", safe_url(self._token_url), grant_type, self.username
        )
        try:
            response = yield request
        except MeetingBoosterError:  # no answer (the sender's retries included)
            self._tell(grant_type, "failed")
            raise
        try:
            grant = parse_token_response(response, grant_type=grant_type)
        except OAuthError as exc:
            self._guard.refused(exc, grant_type)
            self._tell(grant_type, "refused", exc.retry_in_seconds)
            raise
        except OAuthResponseError as exc:
            if grant_type == "password" and is_refusal(exc):
                # A gateway refusing the password with HTML or an empty 4xx, or answering a
                # sign-in page: a refusal all the same. Retried in a loop, it locks the account.
                refusal = LoginFailedError(
                    error="login_refused",
                    error_description=f"the password grant was refused without a "
                    f"JSOAuthError body ({exc})",
                    status_code=exc.status_code,
                    response=exc.response,
                )
                self._guard.refused(refusal, grant_type)
                self._tell(grant_type, "refused")
                raise refusal from exc
            self._tell(grant_type, "failed")
            raise
        lifetime = self._lifetime(grant.expires_in, grant.expires_in_valid)
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
        elif refresh_token is not None:
            # No rotation: the server accepted it and sent no new one, so it lives on.
            self._refresh_token = refresh_token
            self._unspend(refresh_token)
        logger.info(
            "%s for %s: token valid %.0fs",
            "logged in" if grant_type == "password" else "refreshed",
            self.username,
            lifetime,
        )
        self._tell(grant_type, "ok")
        return token

    def _tell(self, grant: GrantType, outcome: GrantOutcome, wait: float = 0) -> None:
        hooks = self._hooks
        if hooks:
            hooks.emit(
                AuthEvent(
                    grant=grant, outcome=outcome, username=self.username, retry_in_seconds=wait
                )
            )

    def _lifetime(self, expires_in: float | None, valid: bool) -> float:
        policy = self._policy
        if not valid and not self._warned_lifetime:
            self._warned_lifetime = True
            logger.warning(
                "/oauth sent an unusable expires_in for %s; assuming %gs (a 401 still "
                "reveals expiry)",
                self.username,
                policy.default_lifetime,
            )
        if expires_in is None:
            return policy.default_lifetime
        return max(expires_in, policy.min_lifetime)
