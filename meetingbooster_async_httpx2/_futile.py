# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_futile.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""Endpoints where a new token does not cure a 401: pure, bounded memory on an injected clock.

An endpoint that answers 401 even to a freshly refreshed token (a licence the user lacks) would
otherwise cost a refresh per request. Once marked, its 401s are returned as they are for
``futile_401_interval``; other endpoints still recover a hidden expiry with one refresh.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Final

from ._logging import logger
from ._token_policy import AccessToken, TokenPolicy

__all__ = ["FutileEndpoints"]

#: How many endpoints the memory keeps (oldest forgotten first).
FUTILE_MEMORY: Final = 256


class FutileEndpoints:
    """One identity's memory of futile endpoints (``"GET /api/v1/x"``: method and path).

    Slotted, with its table made on the first mark: one is kept per user of a fleet.
    """

    __slots__ = ("_clock", "_policy", "_until", "_username")

    def __init__(self, policy: TokenPolicy, clock: Callable[[], float], username: str) -> None:
        self._policy = policy
        self._clock = clock
        self._username = username
        self._until: OrderedDict[str, float] | None = None

    def __contains__(self, endpoint: str) -> bool:
        """True if a refresh recently did not cure a 401 from ``endpoint``."""
        if self._until is None:
            return False
        until = self._until.get(endpoint)
        if until is None:
            return False
        if self._clock() < until:
            return True
        del self._until[endpoint]
        return False

    def mark(self, endpoint: str, token: AccessToken) -> bool:
        """A fresh ``token`` got a 401 from ``endpoint`` too: stop refreshing for its 401s.

        Only while ``token`` is surely fresh (before its refresh is due): a replay that queued
        or travelled past that may have met a real expiry, and proves nothing about the
        endpoint. Returns whether it marked the endpoint.
        """
        now = self._clock()
        if now >= token.refresh_at:
            return False
        logger.warning(
            "%s answered 401 to a freshly refreshed token of %s: its 401s are returned as "
            "they are for %gs",
            endpoint,
            self._username,
            self._policy.futile_401_interval,
        )
        table = self._until
        if table is None:
            table = self._until = OrderedDict()
        table[endpoint] = now + self._policy.futile_401_interval
        table.move_to_end(endpoint)
        while len(table) > FUTILE_MEMORY:
            table.popitem(last=False)
        return True
