"""When ``/oauth`` may be called for one identity: pure bookkeeping on an injected clock.

Two things hold calls back. A **cooldown** is a verdict's: the server refused a grant and asked
for a wait (``retry_in_seconds``), or refused a password, which always waits at least
``login_failure_cooldown`` (a wrong password retried in a loop locks the account). A **backoff**
follows a failure that is not a verdict (timeout, 5xx, reset, garbage): 0.5 s doubling to 30 s
by default, reset by a success. Meanwhile callers get the recorded error at once, as a fresh copy
(:func:`._token_policy.replay`), never a new ``/oauth`` call.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

from ._errors import LoginFailedError, MeetingBoosterError, OAuthError
from ._logging import logger
from ._oauth import GrantType
from ._token_policy import TokenPolicy, replay

__all__ = ["OAuthGuard"]

#: "No wait": one shared float, not two per identity.
_NEVER: Final = -math.inf


class OAuthGuard:
    """One identity's cooldown, backoff and last failure (see the module docstring)."""

    __slots__ = (
        "_backoff",
        "_backoff_until",
        "_clock",
        "_cooldown_error",
        "_cooldown_until",
        "_policy",
        "_username",
        "last_failure",
    )

    def __init__(self, policy: TokenPolicy, clock: Callable[[], float], username: str) -> None:
        self._policy = policy
        self._clock = clock
        self._username = username
        #: The last exchange's failure, shared with the callers that queued behind it.
        self.last_failure: MeetingBoosterError | None = None
        self._cooldown_until = _NEVER
        self._cooldown_error: OAuthError | None = None
        self._backoff_until = _NEVER
        self._backoff = 0.0

    def cooldown_remaining(self) -> float:
        """Seconds until the cooldown ends (0 if none runs)."""
        return max(0.0, self._cooldown_until - self._clock())

    def blocked(self, now: float) -> bool:
        """True while a cooldown or a backoff runs."""
        return now < self._cooldown_until or now < self._backoff_until

    def raise_if_blocked(self, now: float) -> None:
        """Raise the cooldown's error (with the time left), or the backoff's last failure."""
        if self._cooldown_error is not None and now < self._cooldown_until:
            raise self._cooldown_error.with_remaining(math.ceil(self._cooldown_until - now))
        if self.last_failure is not None and now < self._backoff_until:
            raise replay(self.last_failure, self._backoff_until - now)

    def refused(self, error: OAuthError, grant_type: GrantType) -> None:
        """A verdict: start the cooldown it asks for (at least the login one for a password)."""
        wait = error.retry_in_seconds
        if isinstance(error, LoginFailedError) or grant_type == "password":
            wait = max(wait, self._policy.login_failure_cooldown)
        logger.warning("%s grant refused for %s: %s", grant_type, self._username, error)
        if wait > 0:
            until = self._clock() + wait
            if until > self._cooldown_until:
                self._cooldown_until = until
                self._cooldown_error = error

    def failed(self, exc: MeetingBoosterError) -> None:
        """An exchange failed: remember why; back off unless it was a verdict."""
        self.last_failure = exc
        if isinstance(exc, OAuthError):
            return  # a verdict: the cooldown it asked for (if any) already runs
        policy = self._policy
        self._backoff = min(policy.failure_backoff_max, self._backoff * 2 or policy.failure_backoff)
        self._backoff_until = self._clock() + self._backoff
        logger.warning(
            "token exchange for %s failed (%s); next attempt in %gs",
            self._username,
            exc,
            self._backoff,
        )

    def succeeded(self) -> None:
        """An exchange succeeded: the backoff and the last failure are over."""
        self.last_failure = None
        self._backoff = 0.0
        self._backoff_until = _NEVER
