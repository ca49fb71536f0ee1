# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_demo.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""``meetingbooster demo``: a realistic job against the embedded emulator, with a report.

Starts the emulator on 127.0.0.1 (an ephemeral port, real HTTP), then: log in, sync, page
through the meetings, N concurrent tasks making requests across two token expiries, a failed
login that shows the cooldown, and signout. Passes only if the report shows what the SDK
promises: no failed request, one login, one refresh per expiry, nothing sent in a cooldown.
"""

from __future__ import annotations

import time
from collections import Counter

import anyio

from ._client import MeetingBoosterClient
from ._errors import LoginFailedError, MeetingBoosterError
from ._progress import Progress

__all__ = ["run_demo"]

USER, PASSWORD = "ann@example.com", "demo password"
MEETINGS = 25
ROUNDS = 3  # requests per task, one token lifetime apart: two expiries in between


def _line(step: str, text: str) -> None:
    print(f"  {step:<13} {text}")


async def run_demo(*, tasks: int = 1000, lifetime: float = 2.0) -> bool:
    """Run the demo and print its report; True if every promise held."""
    from .testing import Emulator, EmulatorSettings, aserve

    emulator = Emulator(
        EmulatorSettings(token_lifetime=lifetime, rotate_refresh_tokens=True),
        users={USER: PASSWORD},
        meetings_per_user=MEETINGS,
    )
    async with aserve(emulator) as server:
        print(f"MeetingBooster demo: emulator at {server.url} (token lifetime {lifetime:g} s)")
        async with MeetingBoosterClient(server.url, username=USER, password=PASSWORD) as client:
            await client.login()
            _line("login", f"{USER}, token valid {client.mb_auth.token_lifetime:g} s")
            sync = await client.my_meetings.sync()
            token = (sync.sync_token or "")[:16]
            _line("sync", f"{len(sync.meetings)} meetings, sync token {token}…")
            pages = listed = 0
            async for page in client.my_meetings.list(page_size=10).pages():
                pages += 1
                listed += len(page.items)
            _line("list", f"{listed} meetings in {pages} pages of 10")
            outcomes, seconds = await _load(client, tasks, lifetime)
        failed = sum(n for key, n in outcomes.items() if key != 200)
        _line(
            "load",
            f"{tasks * ROUNDS:,} requests from {tasks:,} concurrent tasks over "
            f"{seconds / lifetime:.1f} token lifetimes: {failed} failed, "
            f"{tasks * ROUNDS / seconds:,.0f} req/s",
        )
        if failed:
            what = ", ".join(f"{key}: {n}" for key, n in sorted(outcomes.items(), key=str))
            _line("", f"outcomes: {what}")
        _line("signout", "on leaving `async with` (the client logged in itself)")
        cooldown_ok = await _failed_login(server.url, emulator)
        stats = emulator.stats()
    calls = dict(stats.oauth_calls)
    refreshes = calls.get("refresh_token", 0)
    # Refreshes are proactive, at half the lifetime: at most one per half-lifetime of load.
    most = int(seconds / (lifetime / 2)) + 1
    print("/oauth calls: " + ", ".join(f"{grant} {n}" for grant, n in sorted(calls.items())))
    print(
        f"  {refreshes} refreshes for {seconds:.1f} s of load with {lifetime:g} s tokens "
        f"(at most {most}: one per half-lifetime), every one answered "
        f"{'ok' if stats.oauth_outcomes.get('refresh_token') == {'ok': refreshes} else 'NOT ok'}"
    )
    ok = (
        failed == 0
        and listed == len(sync.meetings) == MEETINGS
        and 2 <= refreshes <= most
        and stats.oauth_outcomes.get("refresh_token") == {"ok": refreshes}
        and calls.get("password") == 2  # the demo's login and the one refused on purpose
        and calls.get("signout") == 1
        and cooldown_ok
    )
    print(f"result: {'PASS' if ok else 'FAIL'}")
    return ok


async def _load(
    client: MeetingBoosterClient, tasks: int, lifetime: float
) -> tuple[Counter[object], float]:
    outcomes: Counter[object] = Counter()
    progress = Progress("requests", tasks * ROUNDS)

    async def task() -> None:
        for round_ in range(ROUNDS):
            if round_:
                await anyio.sleep(lifetime * 1.05)  # the token expires meanwhile
            try:
                response = await client.get("/api/v1/mymeetings/list", params={"maxResults": 1})
                outcomes[response.status_code] += 1
            except MeetingBoosterError as exc:
                outcomes[type(exc).__name__] += 1
            progress.advance()

    started = time.perf_counter()
    with progress:
        async with anyio.create_task_group() as tg:
            for _ in range(tasks):
                tg.start_soon(task)
    return outcomes, time.perf_counter() - started


async def _failed_login(url: str, emulator: object) -> bool:
    """A wrong password: refused once, then nothing sent to /oauth in the cooldown."""
    from .testing import Emulator

    assert isinstance(emulator, Emulator)
    before = emulator.stats().oauth_calls.get("password", 0)
    async with MeetingBoosterClient(url, username=USER, password="wrong password") as client:
        try:
            await client.login()
        except LoginFailedError as exc:
            _line(
                "failed login",
                f"refused ({exc.error_state}); the server asks to wait {exc.retry_in_seconds:g} s",
            )
        else:
            return False
        remaining = 0.0
        for _ in range(5):
            try:
                await client.get("/api/v1/mymeetings/list")
            except LoginFailedError as exc:
                remaining = exc.retry_in_seconds
        sent = emulator.stats().oauth_calls.get("password", 0) - before
        _line(
            "cooldown",
            f"5 more requests: {sent - 1} sent to /oauth; next login allowed in {remaining:g} s "
            "(the SDK waits at least 60 s after a refused password)",
        )
    return sent == 1
