"""Prototypes of package changes, applied by monkeypatching inside a benchmark worker.

``--only ours,ours:NAME`` runs our client as it is and with the prototype ``NAME`` side by side,
alternating round by round, without editing the package. Each prototype names the change it
stands for; once measured, the real change goes into the package and the prototype leaves.

History: ``cached-socket`` (a pool backend whose streams answer ``is_readable`` with one
``poll()`` on a cached socket) measured +31% / +49% / +93% req/s over raw httpx at 64 / 256 /
1,024 in flight and landed as ``meetingbooster_async/_transport.py``. Its ``no-cached-socket``
inverse below measures what the change still buys.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["PATCHES", "apply"]


def _no_cached_socket() -> None:
    """Our client with httpcore's stock idle-connection check (the change undone)."""
    from meetingbooster_async import _client

    def leave_pool_alone(transport: Any) -> bool:
        return False

    _client.speed_up_pool = leave_pool_alone  # type: ignore[assignment]


PATCHES: dict[str, Callable[[], None]] = {"no-cached-socket": _no_cached_socket}


def apply(name: str) -> None:
    """Apply the prototype ``name`` (see :data:`PATCHES`)."""
    try:
        PATCHES[name]()
    except KeyError:
        raise SystemExit(f"unknown patch {name!r}; expected one of {sorted(PATCHES)}") from None
