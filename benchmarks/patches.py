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

``no-gate`` (``max_in_flight=None``) measures what the in-flight gate costs. One run at
45b4b5e (3 rounds, medians): fast mode 1,638 vs 2,222 req/s at 64 in flight and 1,795 vs 1,901
at 256 with and without the gate; the default transport 430 vs 418 at 64 and 463 vs 317 at 256
(there the gate saves httpcore's pool its queue). Rounds spread widely on this machine: read
it as "the gate's wait costs fast mode something at 64", not as a figure. The gate has since
waited on a future and a timer instead (``_gate.py``).

``no-native-stream`` puts httpcore's own anyio streams back under the default transport (the
asyncio-native connections of ``_asyncio_stream.py`` undone).

``prev-fast-transport`` (issue 19) runs fast mode on the lean transport as it was before it kept
a record per attempt (the write watch, the error table by phase, the refused resend): the module
is read from git at the commit ``MB_BENCH_BEFORE`` names (default ``079c37b``, the last commit
without the record), so ``--only aiohttp-raw,ours-fast,ours-fast:prev-fast-transport`` gives the
bookkeeping's cost as a same-run ratio of client CPU per request.
"""

from __future__ import annotations

import os
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path
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


def _no_gate() -> None:
    """Our client without the in-flight gate (``max_in_flight=None``): what the gate costs."""
    from meetingbooster_async import _client

    init = _client.MeetingBoosterClient.__init__

    def ungated(self: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_in_flight", None)
        init(self, *args, **kwargs)

    _client.MeetingBoosterClient.__init__ = ungated  # type: ignore[method-assign]


def _no_native_stream() -> None:
    """httpcore's own anyio streams on asyncio (the asyncio-native stream undone)."""
    from meetingbooster_async import _transport

    init = _transport.CachedSocketBackend.__init__

    def anyio_streams(self: Any, backend: Any, *, native: bool = True) -> None:
        init(self, backend, native=False)

    _transport.CachedSocketBackend.__init__ = anyio_streams  # type: ignore[method-assign]


def _prev_fast_transport() -> None:
    """Fast mode on the lean transport of an earlier commit (read from git, not copied)."""
    import meetingbooster_async
    from meetingbooster_async import _client

    commit = os.environ.get("MB_BENCH_BEFORE", "079c37b")
    root = Path(meetingbooster_async.__file__).resolve().parent.parent
    source = subprocess.run(
        ["git", "show", f"{commit}:meetingbooster_async/_aiohttp_transport.py"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    name = "meetingbooster_async._prev_aiohttp_transport"
    module = types.ModuleType(name)
    module.__package__ = "meetingbooster_async"
    sys.modules[name] = module
    exec(compile(source, f"{commit}:_aiohttp_transport.py", "exec"), module.__dict__)

    def previous(kwargs: dict[str, Any]) -> Any:
        options = {k: kwargs[k] for k in ("verify", "cert", "trust_env", "limits") if k in kwargs}
        return module.AiohttpTransport(**options)

    _client._fast_transport = previous  # type: ignore[assignment]


PATCHES: dict[str, Callable[[], None]] = {
    "prev-fast-transport": _prev_fast_transport,
    "no-native-stream": _no_native_stream,
    "no-gate": _no_gate,
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
