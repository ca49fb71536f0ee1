"""Prototypes of package changes, applied by monkeypatching inside a benchmark worker.

``--only ours,ours:NAME`` runs our client as it is and with the prototype ``NAME`` side by side,
alternating round by round, without editing the package. Each prototype names the change it
stands for; once measured, the real change goes into the package and the prototype leaves.

History: ``cached-socket`` (a pool backend whose streams answer ``is_readable`` with one
``poll()`` on a cached socket) measured +31% / +49% / +93% req/s over raw httpx at 64 / 256 /
1,024 in flight and landed as ``meetingbooster_async/_transport.py``. Its ``no-cached-socket``
inverse below measures what the change still buys.

The fast path of issue 15 (``_aiohttp_transport.py``, ``_hotpath.py``) has three inverses:
``adapter-transport`` (fast mode on the ``httpx-aiohttp`` adapter again), ``no-hotpath``
(httpx's own ``build_request`` and ``_send_single_request``) and ``stock`` (both: the client as
it was before, but for the cookie property).
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


def _adapter_transport() -> None:
    """Fast mode on the httpx-aiohttp adapter (the lean transport undone)."""
    from httpx_aiohttp import AiohttpTransport

    from meetingbooster_async import _client

    def adapter(kwargs: dict[str, Any]) -> Any:
        options = {k: kwargs[k] for k in ("verify", "cert", "trust_env", "limits") if k in kwargs}
        return AiohttpTransport(**options)

    _client._fast_transport = adapter  # type: ignore[assignment]


def _no_hotpath() -> None:
    """httpx's own request builder and single send (the URL cache and the cycle undone)."""
    import httpx

    from meetingbooster_async import _hotpath

    _hotpath.PRIVATE_HOOKS = False  # type: ignore[misc]
    _hotpath.HotPathMixin.build_request = httpx.AsyncClient.build_request  # type: ignore[method-assign]


def _stock() -> None:
    _adapter_transport()
    _no_hotpath()


PATCHES: dict[str, Callable[[], None]] = {
    "no-cached-socket": _no_cached_socket,
    "adapter-transport": _adapter_transport,
    "no-hotpath": _no_hotpath,
    "stock": _stock,
}


def apply(name: str) -> None:
    """Apply the prototype ``name`` (see :data:`PATCHES`)."""
    try:
        PATCHES[name]()
    except KeyError:
        raise SystemExit(f"unknown patch {name!r}; expected one of {sorted(PATCHES)}") from None
