"""The token rules' vocabulary: the token, the policy knobs, and how outcomes are classified.

What the next caller does after each ``/oauth`` outcome (the rules this module keeps):

================================  ===========================================================
outcome                           next caller
================================  ===========================================================
token granted                     uses it; backoff reset
JSOAuthError with a wait          nothing sent to /oauth until it passed (cooldown)
password refused (JSOAuthError,   login cooldown >= ``login_failure_cooldown``, even for HTML
or 400/401/403/2xx page without)  or an empty 400/401/403 (a gateway refusing the password)
timeout, 5xx, reset, garbage      gets the same error at once during a growing backoff
                                  (0.5 s doubling to 30 s), then one new exchange
refresh failed, token valid       keeps the valid token; retries after ``proactive_retry``
refresh grant sent                its refresh token is spent: never sent again, even if the
                                  answer was lost (rotation would call it token theft)
``expires_in`` unusable           token kept, ``default_lifetime`` assumed, warned once
401 after a fresh refresh         that endpoint is marked futile for ``futile_401_interval``:
                                  its 401s are returned as they are, no /oauth call
401 to a replay whose token was   replayed again with the next token, up to ``MAX_REPLAYS``
already due when answered         in all (an overloaded process: tokens age in transit)
================================  ===========================================================
"""

from __future__ import annotations

import copy
from typing import Final

import attrs

from ._errors import APIConnectionError, MeetingBoosterError, OAuthError, OAuthResponseError
from ._oauth import DEFAULT_APP_ID

#: The most time before its expiry that a token stops being sent (see AccessToken.send_by).
SEND_GUARD: Final = 10.0
#: Replays of one request after 401s. The first is always made; each further one only when the
#: token it carried was already due for refresh when its 401 came back, so the 401 may be an
#: expiry in transit (a process so loaded that requests take a good part of a token's life to
#: reach the server). A 401 to a token that was surely fresh ends the replays at once.
MAX_REPLAYS: Final = 4

__all__ = [
    "MAX_REPLAYS",
    "SEND_GUARD",
    "AccessToken",
    "TokenPolicy",
    "is_refusal",
    "maybe_processed",
    "replay",
]


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

    @property
    def send_by(self) -> float:
        """The last moment to send it: a request takes time to reach the server, so a token
        this close to its expiry (a quarter of its lifetime, at most :data:`SEND_GUARD`) is
        not sent; its request waits for the refresh that has been running since
        ``refresh_at``."""
        return self.expires_at - min(SEND_GUARD, (self.expires_at - self.obtained_at) / 4)


@attrs.frozen(kw_only=True)
class TokenPolicy:
    """The knobs of token handling (all times in seconds).

    Attributes:
        refresh_margin: refresh this long before expiry, but never earlier than half-way
            through the lifetime (a 60 s token is refreshed at 30 s, not "expired on arrival").
        default_lifetime: lifetime assumed when the server sends no usable ``expires_in``
            (the documented server default is 20 minutes).
        min_lifetime: the least lifetime believed: a tiny ``expires_in`` (``1e-06``) would
            otherwise cost a refresh per request; clamped, it costs one per half-lifetime.
        login_failure_cooldown: the least time a refused password login blocks further logins
            of this identity, even when the server asks for less (a wrong password must never
            be retried in a loop: account lockout).
        proactive_retry: after a failed proactive refresh (the old token still valid), wait
            this long, or half the remaining lifetime if shorter, before trying again.
        failure_backoff: after an exchange failed for a reason that is not a verdict
            (timeout, 5xx, reset, garbage), no new exchange for this long; it doubles with
            each failure in a row up to ``failure_backoff_max``, and a success resets it.
        failure_backoff_max: the longest that backoff grows to.
        futile_401_interval: after a 401 survived a fresh refresh, that endpoint's 401s are
            not recovered for this long (a licence the user lacks is not cured by tokens).
        app_id: sent on every grant; the docs say it is always ``Api``.
    """

    refresh_margin: float = 60.0
    default_lifetime: float = 1200.0
    min_lifetime: float = 1.0
    login_failure_cooldown: float = 60.0
    proactive_retry: float = 5.0
    failure_backoff: float = 0.5
    failure_backoff_max: float = 30.0
    futile_401_interval: float = 60.0
    app_id: str = DEFAULT_APP_ID


def replay(exc: MeetingBoosterError, remaining: float | None = None) -> MeetingBoosterError:
    """A fresh copy of a recorded failure for another caller (never re-raise one instance).

    With ``remaining``, the copy is marked as raised inside a backoff: ``in_cooldown`` true and
    ``retry_in_seconds`` the time left, like a cooldown's :class:`OAuthError`.
    """
    replica: MeetingBoosterError
    if remaining is not None and isinstance(exc, OAuthError):
        replica = exc.with_remaining(remaining)
    else:
        replica = copy.copy(exc)  # errors pickle (and so copy) with their attributes
        if remaining is not None:
            replica.in_cooldown = True
            replica.retry_in_seconds = remaining
    replica.__cause__ = exc.__cause__
    return replica


#: Statuses with which a gateway refuses a password (a 404 means a wrong URL, not a refusal).
_REFUSALS: Final = frozenset({400, 401, 403})


def is_refusal(exc: OAuthResponseError) -> bool:
    """A password answered 400/401/403, or a 2xx sign-in page: a refusal, not a glitch."""
    status = exc.status_code or 0
    if status in _REFUSALS:
        return True
    body = exc.response.content.lstrip()[:1] if exc.response is not None else b""
    return 200 <= status < 300 and body == b"<"


def maybe_processed(exc: MeetingBoosterError) -> bool:
    """False only when the grant surely never reached the server (nothing was written).

    The sender records that on the error it raises (:class:`APIConnectionError`'s
    ``may_have_reached_server``, from the transport's record); any other error came with, or
    after, an answer.
    """
    return not isinstance(exc, APIConnectionError) or exc.may_have_reached_server
