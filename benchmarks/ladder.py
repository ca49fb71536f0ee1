"""The client CPU ladder: from raw aiohttp up to our fast client, one layer added per step.

Each step is a client configuration run like ``steady`` (64 in flight, static bearer header
except ``ours-fast``), so the CPU µs per request of consecutive steps shows what each layer
costs: aiohttp as we call it, the httpx ``Response`` objects our transport builds, httpx's
``send``, ``build_request``, and last our auth flow, in-flight gate and retry wrapper.
"""

from __future__ import annotations

from typing import Any

try:
    from .report import Run, fmt, median, ok_runs, select
except ImportError:  # run as a script
    from report import Run, fmt, median, ok_runs, select  # type: ignore[no-redef]

#: (configuration, what it adds to the step before it), bottom to top.
STEPS: tuple[tuple[str, str], ...] = (
    ("aiohttp-raw", "raw aiohttp: `session.get(url)`, `await response.read()`"),
    (
        "ladder-call",
        "aiohttp as our transport calls it (parsed URL, header list, timeout object, "
        "no redirects or decompression)",
    ),
    (
        "ladder-transport",
        "+ response objects: `AiohttpTransport.handle_async_request(request)` and "
        "`aread()` (one prebuilt `httpx.Request`)",
    ),
    ("ladder-send", "+ `send`: httpx's `AsyncClient.send(request)` with our hot path"),
    ("ladder-build", "+ `build_request`: `client.get(path)`, no auth"),
    ("ours-fast", "ours: `MeetingBoosterClient(fast=True)`: auth flow, in-flight gate, retries"),
)
CONFIGS = tuple(name for name, _ in STEPS if name.startswith("ladder-"))
LEVEL = 64


async def build(name: str, spec: dict[str, Any], token: str, common: dict[str, Any]) -> Any:
    """The driver pieces of a ladder step: ``(one, close)``."""
    import aiohttp
    import httpx
    from yarl import URL

    from meetingbooster_async._aiohttp_transport import AiohttpTransport
    from meetingbooster_async._hotpath import HotPathMixin

    url = spec["url"] + spec["path"]
    headers = {"Authorization": f"Bearer {token}"}
    if name == "ladder-call":
        request = httpx.Request("GET", url, headers=headers)
        pairs = request.headers.multi_items()
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=spec["pool"], ssl=httpx.create_ssl_context())
        )
        target = URL(url, encoded=True)
        timeout = aiohttp.ClientTimeout(sock_connect=60, sock_read=60, connect=60)

        async def call() -> int:
            response = await session.request(
                "GET",
                target,
                headers=pairs,
                data=None,
                allow_redirects=False,
                auto_decompress=False,
                compress=False,
                timeout=timeout,
                server_hostname=None,
            )
            await response.read()
            return response.status

        return call, session.close
    transport = AiohttpTransport(limits=common["limits"])
    if name == "ladder-transport":
        timeouts = httpx.Timeout(60.0).as_dict()
        request = httpx.Request("GET", url, headers=headers, extensions={"timeout": timeouts})

        async def handle() -> int:
            response = await transport.handle_async_request(request)
            await response.aread()
            return response.status_code

        return handle, transport.aclose
    client = HotPathMixin(
        base_url=spec["url"],
        transport=transport,
        timeout=common["timeout"],
        headers=headers,
        keep_cookies=False,
    )
    if name == "ladder-send":
        prebuilt = client.build_request("GET", spec["path"])

        async def send() -> int:
            response = await client.send(prebuilt)
            return response.status_code

        return send, client.aclose

    async def get() -> int:
        response = await client.get(spec["path"])
        return response.status_code

    return get, client.aclose


def markdown(runs: list[Run]) -> list[str]:
    """The ladder table: CPU µs per request of each step (median over rounds) and its delta."""
    ladder = ok_runs(select(runs, "ladder"))
    if not ladder:
        return []
    lines = [
        f"Each step at {LEVEL} in flight, medians over rounds; the delta is what the step adds.",
        "",
        "| step | configuration | CPU µs/request | + µs | req/s |",
        "|---|---|---:|---:|---:|",
    ]
    previous = None
    for config, what in STEPS:
        found = select(ladder, "ladder", config=config)
        cpu = median(run["cpu_us"] for run in found)
        rps = median(run["rps"] for run in found)
        delta = cpu - previous if cpu is not None and previous is not None else None
        shown = f"{delta:+.0f}" if delta is not None else ""
        lines.append(f"| {what} | `{config}` | {fmt(cpu)} | {shown} | {fmt(rps)} |")
        previous = cpu if cpu is not None else previous
    return lines
