"""The httpx2 configurations: raw httpx2 and our twin (``meetingbooster_async_httpx2``) on it.

Built like the httpx ones in ``clients.py`` (same pool, timeouts, token hook, in-process mock
server for the ``overhead`` scenario), so their rows compare directly; ``clients.build`` hands
these names over (only then is httpx2 imported):

* ``httpx2-raw``: a plain ``httpx2.AsyncClient`` sending a static bearer token;
* ``httpx2-aiohttp-raw``: the same on httpx-aiohttp's httpx2 adapter (aiohttp's pool);
* ``ours-httpx2``: the twin's ``MeetingBoosterClient`` (default transport, cached-socket pool);
* ``ours-httpx2-fast``: the same with ``fast=True``.

The twin's targets (``targets.py``): ``ours-httpx2 >= 1.3x httpx2-raw`` at 64 and 256 in
flight (same run), and the storm, hidden-expiry and cold-start verdicts of ours.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx2

try:
    from .clients import (
        HTTPX2_CONFIGS,
        IN_PROCESS_CONFIGS,
        MOCK_BODY,
        MOCK_TOKEN,
        TIMEOUT,
        Driver,
        password_login,
    )
except ImportError:  # run as a script: python benchmarks/run.py
    from clients import (  # type: ignore[no-redef]
        HTTPX2_CONFIGS,
        IN_PROCESS_CONFIGS,
        MOCK_BODY,
        MOCK_TOKEN,
        TIMEOUT,
        Driver,
        password_login,
    )


def _limits(pool: int) -> httpx2.Limits:
    return httpx2.Limits(max_connections=pool, max_keepalive_connections=pool)


def _token_hook(
    tokens: dict[str, float], start: float
) -> Callable[[httpx2.Request], Awaitable[None]]:
    async def hook(request: httpx2.Request) -> None:
        value = request.headers.get("authorization")
        if value and value not in tokens:
            tokens[value] = time.perf_counter() - start

    return hook


def _mock_server(request: httpx2.Request) -> httpx2.Response:
    if request.url.path == "/oauth":
        body = {"access_token": MOCK_TOKEN, "refresh_token": "r", "expires_in": "1200"}
        return httpx2.Response(200, json=body)
    headers = {"content-type": "application/json; charset=utf-8"}
    return httpx2.Response(200, content=MOCK_BODY, headers=headers)


def _driver(client: httpx2.AsyncClient, path: str, tokens: dict[str, float]) -> Driver:
    async def one() -> int:
        response = await client.get(path)
        return response.status_code

    return Driver(one, client.aclose, tokens)


async def build(spec: dict[str, Any]) -> Driver:
    """The client of ``spec["config"]`` (one of ``clients.HTTPX2_CONFIGS``)."""
    name = spec["config"]
    base, pool, path = spec["url"], spec["pool"], spec["path"]
    user, password = spec["username"], spec["password"]
    tokens: dict[str, float] = {}
    hooks = {"request": [_token_hook(tokens, time.perf_counter())]} if spec["track"] else {}
    common: dict[str, Any] = {"limits": _limits(pool), "timeout": TIMEOUT, "event_hooks": hooks}
    in_process = spec["kind"] == "overhead"
    if in_process:
        if name not in IN_PROCESS_CONFIGS:
            raise SystemExit(f"{name} does not run over an in-process httpx2 transport")
        common["transport"] = httpx2.MockTransport(_mock_server)
    if name in ("httpx2-raw", "httpx2-aiohttp-raw"):
        if name == "httpx2-aiohttp-raw":
            from httpx_aiohttp.httpx2 import AiohttpTransport

            common["transport"] = AiohttpTransport(limits=_limits(pool))
        token = MOCK_TOKEN if in_process else password_login(base, user, password)
        client = httpx2.AsyncClient(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, **common
        )
        return _driver(client, path, tokens)
    if name in ("ours-httpx2", "ours-httpx2-fast"):
        from meetingbooster_async_httpx2 import MeetingBoosterClient

        ours = MeetingBoosterClient(
            base, username=user, password=password, fast=name.endswith("-fast"), **common
        )
        return _driver(ours, path, tokens)
    raise SystemExit(f"unknown configuration {name!r}; expected one of {HTTPX2_CONFIGS}")
