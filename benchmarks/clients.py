"""The client configurations under test, each built the same way: same pool, same timeouts.

``build(spec)`` returns a :class:`Driver` whose ``one()`` sends the benchmark's GET. The raw
configurations send a static ``Authorization: Bearer`` header obtained once; the others
authenticate by themselves. ``ours:NAME`` is our client with the prototype ``NAME`` from
``benchmarks/patches.py`` applied (a before/after of a package change, without editing it).
The httpx2 configurations (:data:`HTTPX2_CONFIGS`) are built by ``clients_httpx2.py`` and need
httpx2 installed (:func:`httpx2_missing`).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
import urllib.parse
import urllib.request
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

try:
    from . import ladder
except ImportError:  # run as a script, as run.py does
    import ladder  # type: ignore[no-redef]

#: Raw httpx2 and our twin (meetingbooster_async_httpx2) on it, on httpcore2's pool, and the
#: same on aiohttp's pool (httpx-aiohttp's httpx2 adapter; the twin's fast=True).
HTTPX2_CONFIGS = ("httpx2-raw", "ours-httpx2", "httpx2-aiohttp-raw", "ours-httpx2-fast")
CONFIGS = (
    "aiohttp-raw",
    "httpx-raw",
    "httpx-aiohttp-raw",
    "authlib",
    "httpx-auth",
    "ours",
    "ours-fast",
    *HTTPX2_CONFIGS,
)
#: Configurations that authenticate by themselves (the others send a static header).
AUTH_CONFIGS = ("authlib", "httpx-auth", "ours", "ours-fast", "ours-httpx2", "ours-httpx2-fast")
#: Configurations that can run over an in-process httpx (or httpx2) transport (``overhead``).
IN_PROCESS_CONFIGS = ("httpx-raw", "authlib", "httpx-auth", "ours", "httpx2-raw", "ours-httpx2")
#: Per-phase timeout for every configuration: queueing for a pooled connection must not be cut
#: short by httpx's 5 s default (that would count as failures that are not the client's fault).
TIMEOUT = 60.0


def httpx2_missing() -> str | None:
    """Why the httpx2 configurations cannot run here, or ``None`` when they can."""
    if importlib.util.find_spec("httpx2") is None:
        return "httpx2 is not installed (pip install -e '.[httpx2]')"
    return None


@dataclass
class Driver:
    """A configured client: ``one()`` sends one GET and returns its status."""

    one: Callable[[], Awaitable[int]]
    close: Callable[[], Awaitable[None]]
    tokens: dict[str, float] = field(default_factory=dict)


# -- control API and tokens (plain urllib: no client under test is involved) ------------------


def control(base: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}/_emulator/{path}", data=data, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def password_login(base: str, username: str, password: str) -> str:
    """One password grant: the static token of the raw configurations."""
    form = {"grant_type": "password", "username": username, "password": password, "app_id": "Api"}
    data = urllib.parse.urlencode(form).encode()
    with urllib.request.urlopen(f"{base}/oauth", data=data, timeout=30) as response:
        return str(json.loads(response.read())["access_token"])


# -- the configurations ------------------------------------------------------------------------


def _limits(pool: int) -> httpx.Limits:
    return httpx.Limits(max_connections=pool, max_keepalive_connections=pool)


def _token_hook(
    tokens: dict[str, float], start: float
) -> Callable[[httpx.Request], Awaitable[None]]:
    """A request hook (runs after the auth flow) recording when each bearer token is first sent."""

    async def hook(request: httpx.Request) -> None:
        value = request.headers.get("authorization")
        if value and value not in tokens:
            tokens[value] = time.perf_counter() - start

    return hook


def _httpx_driver(client: httpx.AsyncClient, path: str, tokens: dict[str, float]) -> Driver:
    async def one() -> int:
        response = await client.get(path)
        return response.status_code

    return Driver(one, client.aclose, tokens)


async def build(spec: dict[str, Any]) -> Driver:
    """The client of ``spec["config"]``, with the same pool size and timeouts as the others."""
    # "ours:NAME" is ours with the prototype NAME from benchmarks/patches.py applied.
    name, _, patch = spec["config"].partition(":")
    if name in HTTPX2_CONFIGS:
        try:
            from . import clients_httpx2
        except ImportError:  # run as a script, as run.py does
            import clients_httpx2  # type: ignore[no-redef]

        return await clients_httpx2.build(spec)
    base, pool, path = spec["url"], spec["pool"], spec["path"]
    user, password = spec["username"], spec["password"]
    tokens: dict[str, float] = {}
    hooks = {"request": [_token_hook(tokens, time.perf_counter())]} if spec["track"] else {}
    common: dict[str, Any] = {
        "base_url": base,
        "limits": _limits(pool),
        "timeout": TIMEOUT,
        "event_hooks": hooks,
    }
    in_process = spec["kind"] == "overhead"
    token_client = None
    if in_process:
        # No server: the client's own CPU per request, the auth flow included, nothing else.
        common["transport"] = httpx.MockTransport(_mock_server)
        token_client = httpx.Client(transport=httpx.MockTransport(_mock_server))
        if name in ("aiohttp-raw", "httpx-aiohttp-raw", "ours-fast"):
            raise SystemExit(f"{name} does not run over an in-process httpx transport")

    def static_token() -> str:
        return MOCK_TOKEN if in_process else password_login(base, user, password)

    if name == "aiohttp-raw":
        import aiohttp

        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=pool),
            headers={"Authorization": f"Bearer {password_login(base, user, password)}"},
            timeout=aiohttp.ClientTimeout(total=TIMEOUT),
        )
        url = base + path

        async def one() -> int:
            async with session.get(url) as response:
                await response.read()
                return response.status

        return Driver(one, session.close, tokens)
    if name in ("httpx-raw", "httpx-aiohttp-raw"):
        if name == "httpx-aiohttp-raw":
            from httpx_aiohttp import AiohttpTransport

            common["transport"] = AiohttpTransport(limits=_limits(pool))
        header = {"Authorization": f"Bearer {static_token()}"}
        return _httpx_driver(httpx.AsyncClient(headers=header, **common), path, tokens)
    if name == "authlib":
        with warnings.catch_warnings():  # authlib warns that it fell back from httpx2 to httpx
            warnings.simplefilter("ignore")
            from authlib.integrations.httpx_client import AsyncOAuth2Client

        client = AsyncOAuth2Client(
            token_endpoint=f"{base}/oauth",
            token_endpoint_auth_method="none",
            # Renew 1 s early, as ours does with 2 s tokens (authlib's default is 60 s).
            leeway=1,
            **common,
        )

        def add_app_id(url: str, headers: dict[str, str], body: str) -> tuple[Any, ...]:
            return url, headers, f"{body}&app_id=Api"  # MeetingBooster wants it on every grant

        client.register_compliance_hook("refresh_token_request", add_app_id)
        # authlib has no lazy login: the caller fetches the first token (counted as the login).
        await client.fetch_token(username=user, password=password, app_id="Api")
        return _httpx_driver(client, path, tokens)
    if name == "httpx-auth":
        import httpx_auth

        auth = httpx_auth.OAuth2ResourceOwnerPasswordCredentials(
            f"{base}/oauth",
            username=user,
            password=password,
            app_id="Api",  # extra keyword arguments go into every grant's body
            early_expiry=1,  # as ours with 2 s tokens; its default is 30 s (0 also means 30)
            client=token_client,  # None: a new httpx.Client per token call (its default)
        )
        return _httpx_driver(httpx.AsyncClient(auth=auth, **common), path, tokens)
    if name.startswith("ladder-"):
        one, close = await ladder.build(name, spec, static_token(), common)
        return Driver(one, close, tokens)
    if name in ("ours", "ours-fast"):
        from meetingbooster_async import MeetingBoosterClient

        if patch:
            _apply_patch(patch)
        del common["base_url"]
        client = MeetingBoosterClient(
            base, username=user, password=password, fast=name == "ours-fast", **common
        )
        return _httpx_driver(client, path, tokens)
    raise SystemExit(f"unknown configuration {name!r}; expected one of {CONFIGS}")


MOCK_TOKEN = "m" * 43
#: A body like the emulator's answer to the benchmark's list request (one meeting).
MOCK_BODY = json.dumps(
    [
        {
            "Id": "3f2c1b9e-0a4d-5e6f-8a7b-1c2d3e4f5a6b",
            "Title": "Weekly planning 1",
            "Start": "2024-01-08T09:00:00Z",
            "End": "2024-01-08T10:00:00Z",
            "Location": "Room 1",
            "Host": {"Id": "u1", "Name": "Bench", "Email": "bench@example.com"},
            "Invitations": [],
            "Recurrence": None,
            "ClientSyncId": None,
            "Description": "Benchmark meeting " + "x" * 200,
        }
    ]
).encode()


def _mock_server(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/oauth":
        tokens = {"access_token": MOCK_TOKEN, "refresh_token": "r", "expires_in": "1200"}
        return httpx.Response(200, json=tokens)
    headers = {"content-type": "application/json; charset=utf-8"}
    return httpx.Response(200, content=MOCK_BODY, headers=headers)


def _apply_patch(name: str) -> None:
    """Prototype a package change by monkeypatching (see benchmarks/patches.py)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import patches

    patches.apply(name)
