# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_events.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""What the client tells its listeners: one :class:`AuthEvent` per ``/oauth`` grant.

An auth and every sibling made from it (``as_user``) share one :class:`EventHooks`, so a
listener added to a client hears each of its users. A listener is a synchronous callable; if it
raises, the error is logged and the grant goes on. Events carry no secret: a username, the
grant, its outcome, and the server's wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

import attrs

from ._logging import logger
from ._oauth import GrantType

__all__ = ["AuthEvent", "EventHooks", "GrantOutcome"]

#: ``ok``; ``refused`` (a ``JSOAuthError`` or a refused password); ``failed`` (no verdict: a
#: transport error, a 5xx, a body that is not a token answer).
GrantOutcome = Literal["ok", "refused", "failed"]


@attrs.frozen(kw_only=True)
class AuthEvent:
    """One ``/oauth`` grant as it ended (its attempts, if the retry policy repeated it, are
    one grant). Secret-free.

    Attributes:
        grant: ``password``, ``refresh_token`` or ``signout``.
        outcome: ``ok``, ``refused`` or ``failed``.
        username: whose grant it was.
        retry_in_seconds: the server's wait on a refusal (0: none said).
        at: wall-clock seconds.
    """

    grant: GrantType
    outcome: GrantOutcome
    username: str
    retry_in_seconds: float = 0
    at: float = attrs.field(factory=time.time)


Listener = Callable[[AuthEvent], object]


class EventHooks:
    """The listeners of one auth family (an auth and its ``as_user`` siblings)."""

    __slots__ = ("_listeners",)

    def __init__(self) -> None:
        self._listeners: tuple[Listener, ...] = ()

    def add(self, listener: Listener) -> None:
        """Give ``listener`` every event from now on."""
        self._listeners = (*self._listeners, listener)

    def remove(self, listener: Listener) -> None:
        """Stop giving events to ``listener`` (nothing if it was not added)."""
        # By equality: a bound method is a new object each time it is looked up.
        self._listeners = tuple(x for x in self._listeners if x != listener)

    def __bool__(self) -> bool:
        return bool(self._listeners)

    def emit(self, event: AuthEvent) -> None:
        """Give ``event`` to every listener; one that raises is logged, never spread."""
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:
                logger.exception("an on_event listener failed on a %s event", event.grant)
