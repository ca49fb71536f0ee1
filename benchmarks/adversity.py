"""Two adversity scenarios: one slow user among many, and a cancel storm with a slow /oauth.

- ``slowuser``: ``others`` users, each logged in, share one client (``client.as_user``) and
  loop GETs with ``concurrency`` tasks in all; meanwhile one more user's login takes
  ``slow_login`` seconds (the emulator's /oauth latency, set once the others hold their tokens)
  and ``slow_requests`` of their requests wait for it. Reported: p50 / p99 / max latency of
  the other users' requests while that login runs, and when the slow user's requests ended.
- ``cancel``: ``concurrency`` first requests on a fresh client wait for a login that takes
  ``slow_login`` s; after ``cancel_after`` s every caller is cancelled. Reported: how long the
  cancelled callers took to return (p50 / p99 / max, from the moment of the cancel).
"""

from __future__ import annotations

import asyncio
import time
import urllib.error
from typing import Any

try:
    from .clients import control
except ImportError:  # run as a script
    from clients import control  # type: ignore[no-redef]


def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)


def _client(spec: dict[str, Any], common: dict[str, Any]) -> Any:
    from meetingbooster_async import MeetingBoosterClient

    return MeetingBoosterClient(
        spec["url"],
        username=spec["username"],
        password=spec["password"],
        fast=spec["config"] == "ours-fast",
        signout_on_close=False,  # /oauth is slow on purpose: no sign-out on the way out
        **common,
    )


def _add_user(base: str, email: str, password: str) -> None:
    try:
        control(base, "POST", "users", {"email": email, "password": password, "meetings": 1})
    except urllib.error.HTTPError as exc:
        if exc.code != 400:  # 400: there already, from an earlier run
            raise


async def slow_user(spec: dict[str, Any], common: dict[str, Any]) -> dict[str, Any]:
    base, path = spec["url"], spec["path"]
    others = [(f"fast{i}@example.com", f"password {i}") for i in range(spec["others"])]
    for email, password in [*others, ("slow@example.com", "slow password")]:
        await asyncio.to_thread(_add_user, base, email, password)
    client = _client(spec, common)
    try:
        views = [client.as_user(email, password) for email, password in others]
        await asyncio.gather(*(view.login() for view in views))
        await asyncio.to_thread(
            control,
            base,
            "POST",
            "faults/latency",
            {"route": "oauth", "seconds": spec["slow_login"]},
        )
        slow = client.as_user("slow@example.com", "slow password")
        start = time.perf_counter()
        slow_done: list[float] = []

        async def slow_one() -> None:
            try:
                await slow.get(path)
            finally:
                slow_done.append(time.perf_counter() - start)

        slow_tasks = [asyncio.create_task(slow_one()) for _ in range(spec["slow_requests"])]
        await asyncio.sleep(0.05)  # the slow user's requests are all waiting now
        latencies: list[float] = []
        failed = 0
        end = start + spec["slow_login"]
        tickets = iter(range(10**9))

        async def other(index: int) -> None:
            nonlocal failed
            for ticket in tickets:
                if time.perf_counter() >= end:
                    return
                began = time.perf_counter()
                try:
                    response = await views[(index + ticket) % len(views)].get(path)
                    response.raise_for_status()
                except Exception:
                    failed += 1
                latencies.append(time.perf_counter() - began)

        async with asyncio.timeout(spec["time_limit"]):
            await asyncio.gather(*(other(i) for i in range(spec["concurrency"])))
            results = await asyncio.gather(*slow_tasks, return_exceptions=True)
        slow_failed = sum(1 for r in results if isinstance(r, BaseException))
    finally:
        await asyncio.to_thread(control, base, "POST", "faults/clear")
        await client.aclose()
    return {
        "requests": len(latencies),
        "failed": failed,
        "p50_ms": _pct(latencies, 0.50),
        "p99_ms": _pct(latencies, 0.99),
        "max_ms": _pct(latencies, 1.0),
        "slow_requests": len(slow_done),
        "slow_failed": slow_failed,
        "slow_last_s": round(max(slow_done), 2) if slow_done else None,
    }


async def cancel_storm(spec: dict[str, Any], common: dict[str, Any]) -> dict[str, Any]:
    client = _client(spec, common)
    returned: list[float] = []
    cancelled_at = 0.0

    async def one() -> None:
        try:
            await client.get(spec["path"])
        finally:
            returned.append(time.perf_counter())

    try:
        tasks = [asyncio.create_task(one()) for _ in range(spec["concurrency"])]
        await asyncio.sleep(spec["cancel_after"])
        cancelled_at = time.perf_counter()
        for task in tasks:
            task.cancel()
        async with asyncio.timeout(spec["time_limit"]):
            results = await asyncio.gather(*tasks, return_exceptions=True)
        took = [t - cancelled_at for t in returned]
    finally:
        await client.aclose()
    return {
        "requests": len(tasks),
        "cancelled": sum(1 for r in results if isinstance(r, asyncio.CancelledError)),
        "p50_ms": _pct(took, 0.50),
        "p99_ms": _pct(took, 0.99),
        "max_ms": _pct(took, 1.0),
    }


def markdown(runs: list[dict[str, Any]]) -> list[str]:
    """Both scenarios' tables (empty if neither ran)."""
    lines: list[str] = []
    slow = [run for run in runs if run["scenario"] == "slowuser"]
    if slow:
        lines += [
            "",
            "## One slow user among many",
            "",
            "Other users' requests (`as_user`, one client) while one user's login takes "
            f"{slow[0].get('slow_login', 5):g} s and {slow[0].get('slow_requests', 150)} of "
            "their requests wait for it.",
            "",
            "| client | others' requests | failed | p50 ms | p99 ms | max ms "
            "| slow user's requests done at s |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for run in slow:
            if "error" in run:
                lines.append(f"| {run['config']} | error: {run['error'][:80]} | | | | | |")
                continue
            lines.append(
                f"| **{run['config']}** | {run['requests']:,} | {run['failed']} "
                f"| {run['p50_ms']} | {run['p99_ms']} | {run['max_ms']} | {run['slow_last_s']} |"
            )
    cancel = [run for run in runs if run["scenario"] == "cancel"]
    if cancel:
        lines += [
            "",
            "## Cancel storm with a slow /oauth",
            "",
            "First requests on a fresh client wait for a login that takes "
            f"{cancel[0].get('slow_login', 3):g} s; every caller is cancelled "
            f"{cancel[0].get('cancel_after', 0.5):g} s in. Time for them to return after "
            "the cancel.",
            "",
            "| client | callers | cancelled | p50 ms | p99 ms | max ms |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for run in cancel:
            if "error" in run:
                lines.append(f"| {run['config']} | error: {run['error'][:80]} | | | | |")
                continue
            lines.append(
                f"| **{run['config']}** | {run['requests']:,} | {run['cancelled']:,} "
                f"| {run['p50_ms']} | {run['p99_ms']} | {run['max_ms']} |"
            )
    return lines
