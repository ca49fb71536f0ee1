# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/testing/_stats.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""Request counters, and the frozen snapshot ``Emulator.stats()`` returns."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

__all__ = ["EmulatorStats", "StatsRecorder"]

#: Status recorded for a request that got no answer (dropped, or the client gave up).
NO_ANSWER = 0


def _frozen(mapping: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(dict(sorted(mapping.items())))


@attrs.frozen(kw_only=True)
class EmulatorStats:
    """What the emulator has seen since it started (or since ``reset_stats()``).

    Attributes:
        oauth_calls: ``/oauth`` calls by grant type (``password``, ``refresh_token``,
            ``signout``, ``other``), counted when they arrive (held ones included).
        oauth_outcomes: ``/oauth`` answers by grant type, then outcome: ``ok``, the
            ``JSOAuthError`` error (``unauthorized_client``, ``invalid_grant``), ``fault``
            (a forced answer), ``dropped``, ``error`` (500) or ``abandoned`` (client left).
        requests: Answers by route, then HTTP status (``0``: no answer was sent).
        data_statuses: Answers of the data routes (all but ``oauth``) by HTTP status.
        held: Requests held right now, by route.
        sessions: Live refresh tokens (one per signed-in login).
        access_tokens: Unexpired access tokens.
    """

    oauth_calls: Mapping[str, int]
    oauth_outcomes: Mapping[str, Mapping[str, int]]
    requests: Mapping[str, Mapping[int, int]]
    data_statuses: Mapping[int, int]
    held: Mapping[str, int]
    sessions: int
    access_tokens: int

    @property
    def oauth_total(self) -> int:
        """All ``/oauth`` calls."""
        return sum(self.oauth_calls.values())

    def answered(self, route: str, status: int | None = None) -> int:
        """Answers of ``route`` (with ``status`` only, when given)."""
        by_status = self.requests.get(route, {})
        return sum(n for s, n in by_status.items() if status is None or s == status)

    def to_json(self) -> dict[str, Any]:
        """The snapshot as JSON-ready data (status codes become string keys)."""
        return {
            "oauth_calls": dict(self.oauth_calls),
            "oauth_outcomes": {grant: dict(v) for grant, v in self.oauth_outcomes.items()},
            "requests": {
                route: {str(status): n for status, n in v.items()}
                for route, v in self.requests.items()
            },
            "data_statuses": {str(status): n for status, n in self.data_statuses.items()},
            "held": dict(self.held),
            "sessions": self.sessions,
            "access_tokens": self.access_tokens,
        }


class StatsRecorder:
    """Thread-safe counters behind :class:`EmulatorStats`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._oauth_calls: Counter[str] = Counter()
        self._outcomes: dict[str, Counter[str]] = {}
        self._requests: dict[str, Counter[int]] = {}

    def arrived(self, grant: str) -> None:
        """Count an ``/oauth`` call for ``grant`` as it arrives."""
        with self._lock:
            self._oauth_calls[grant] += 1

    def answered(self, route: str, status: int, *, grant: str | None, outcome: str) -> None:
        """Count the answer (``status`` 0: none) of a request to ``route``."""
        with self._lock:
            self._requests.setdefault(route, Counter())[status] += 1
            if grant is not None:
                self._outcomes.setdefault(grant, Counter())[outcome] += 1

    def reset(self) -> None:
        """Zero every counter."""
        with self._lock:
            self._oauth_calls.clear()
            self._outcomes.clear()
            self._requests.clear()

    def snapshot(
        self, *, held: Mapping[str, int], sessions: int, access_tokens: int
    ) -> EmulatorStats:
        """A frozen copy of the counters."""
        with self._lock:
            data: Counter[int] = Counter()
            for route, by_status in self._requests.items():
                if route not in ("oauth", "unknown"):
                    data.update(by_status)
            return EmulatorStats(
                oauth_calls=_frozen(self._oauth_calls),
                oauth_outcomes=_frozen({g: _frozen(c) for g, c in self._outcomes.items()}),
                requests=_frozen({r: _frozen(c) for r, c in self._requests.items()}),
                data_statuses=_frozen(data),
                held=_frozen(held),
                sessions=sessions,
                access_tokens=access_tokens,
            )
