"""One benchmark run in its own process: one client configuration, one scenario, one JSON line.

Run by ``benchmarks/run.py`` as ``python benchmarks/worker.py '<scenario JSON>'``; it prints a
single JSON object on its last stdout line. Scenarios (``kind``):

- ``overhead``: no server (an in-process ``httpx.MockTransport``): the client's own CPU per
  request, for the auth-flow target.
- ``steady``: after a warm-up (login, connections), ``concurrency`` tasks share at most
  ``requests`` GETs, starting none after ``duration`` seconds.
- ``storm`` / ``hidden``: ``concurrency`` tasks each loop GETs for ``duration`` seconds (the server
  has short tokens, or ``expire_every`` makes this worker kill every token over the control API).
- ``cold``: ``concurrency`` first requests at once on a fresh client (counts logins).
- ``memory``: ``concurrency`` requests pending (the server holds the route): the growth of the
  traced Python heap (``method: tracemalloc``) or of the RSS (``method: rss``) per pending
  request. The worker exits right after measuring (it does not wait for 10,000 cancellations).

CPU is ``time.process_time()`` of this process over the measured phase only.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import json
import os
import resource
import sys
import threading
import time
import tracemalloc
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

try:
    from . import adversity
    from .clients import TIMEOUT, Driver, _limits, build, control
except ImportError:  # run as a script, as run.py does
    import adversity  # type: ignore[no-redef]
    from clients import TIMEOUT, Driver, _limits, build, control  # type: ignore[no-redef]

#: Bytes per page for the RSS reading of /proc/self/statm.
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Tally:
    """Outcomes of a phase: statuses, exception types, latencies in seconds."""

    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(self.statuses.values()) + sum(self.errors.values())

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)

    async def call(self, one: Callable[[], Awaitable[int]]) -> None:
        started = time.perf_counter()
        try:
            status = await one()
        except Exception as exc:  # counted: a failed request, reported by type
            self.errors[type(exc).__name__] += 1
            return
        self.latencies.append(time.perf_counter() - started)
        self.statuses[status] += 1


# -- scenarios ---------------------------------------------------------------------------------


async def load_phase(
    one: Callable[[], Awaitable[int]],
    concurrency: int,
    total: int,
    seconds: float,
    tally: Tally | None = None,
) -> Tally:
    """``concurrency`` tasks share at most ``total`` calls, starting none after ``seconds``.

    A call started before the end completes and is counted (the phase lasts until it does).
    """
    tally = tally if tally is not None else Tally()
    tickets = iter(range(total))
    end = time.perf_counter() + seconds

    async def worker() -> None:
        for _ in tickets:
            if time.perf_counter() >= end:
                return
            await tally.call(one)

    async with asyncio.TaskGroup() as group:
        for _ in range(min(concurrency, total)):
            group.create_task(worker())
    return tally


async def count_phase(one: Callable[[], Awaitable[int]], concurrency: int, total: int) -> Tally:
    """``concurrency`` tasks share ``total`` calls."""
    return await load_phase(one, concurrency, total, float("inf"))


async def killer(spec: dict[str, Any], seconds: float, kills: list[float], start: float) -> None:
    """Hidden expiry: every ``expire_every`` s the server expires every access token."""
    every = spec["expire_every"]
    while True:
        await asyncio.sleep(every)
        if time.perf_counter() - start + 0.2 > seconds:
            return
        await asyncio.to_thread(control, spec["url"], "POST", "expire-tokens")
        kills.append(time.perf_counter() - start)


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


async def pending_bytes(driver: Driver, spec: dict[str, Any]) -> dict[str, Any]:
    """Bytes per pending request while ``concurrency`` requests wait on a held route.

    ``method`` ``tracemalloc`` counts the Python heap the pending requests hold (exact, and what
    the target is judged on); ``rss`` the growth of the resident set (what the OS sees, allocator
    slack included). A watchdog gives up, saying how far it got, if the requests are not all
    queued within ``settle_limit`` seconds: httpcore's pool does work proportional to its queue
    for every request it queues, so an ungated httpx client needs minutes to queue 10,000.
    """
    n, base, traced = spec["concurrency"], spec["url"], spec["method"] == "tracemalloc"
    await asyncio.to_thread(control, base, "POST", "faults/hold", {"route": "list"})
    gc.collect()
    if traced:
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
    else:
        before = rss_bytes()
    started: list[float] = []
    tally = Tally()

    async def call() -> None:
        started.append(time.perf_counter())
        await tally.call(driver.one)

    def give_up() -> None:
        reason = f"only {len(started):,} of {n:,} requests queued in {spec['settle_limit']} s"
        print(json.dumps({"error": reason}), flush=True)
        os._exit(0)

    watchdog = threading.Timer(spec["settle_limit"], give_up)
    watchdog.daemon = True
    watchdog.start()
    begin = time.perf_counter()
    tasks = [asyncio.create_task(call()) for _ in range(n)]
    held = min(n, spec["pool"])
    await asyncio.to_thread(control, base, "GET", f"faults/held?route=list&count={held}&timeout=30")
    for _ in range(10):  # let every task reach its first real wait
        await asyncio.sleep(0.02)
    queued_in = time.perf_counter() - begin
    grown = (tracemalloc.get_traced_memory()[0] if traced else rss_bytes()) - before
    watchdog.cancel()
    pending = sum(1 for task in tasks if not task.done())
    if pending != n:
        raise RuntimeError(f"only {pending} of {n} requests were pending")
    return {
        "method": spec["method"],
        "per_pending": round(grown / n),
        "queued_in_s": round(queued_in, 2),
    }


def summary(tally: Tally, seconds: float, cpu: float) -> dict[str, Any]:
    latencies = sorted(tally.latencies)

    def pct(p: float) -> float | None:
        if not latencies:
            return None
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    done = tally.done
    return {
        "requests": done,
        "ok": tally.ok,
        "failed": done - tally.ok,
        "status_401": tally.statuses.get(401, 0),
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "errors": dict(tally.errors),
        "seconds": round(seconds, 3),
        "rps": round(tally.ok / seconds, 1) if seconds else 0.0,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "cpu_us": round(cpu / done * 1e6, 1) if done else None,
    }


async def bounded(
    spec: dict[str, Any], one: Callable[[], Awaitable[int]], total: int, seconds: float
) -> tuple[Tally, float, float, bool]:
    """A measured load phase cut at ``time_limit``: (tally, wall s, CPU s, cut short)."""
    tally = Tally()
    cpu, started = time.process_time(), time.perf_counter()
    cut = False
    try:
        async with asyncio.timeout(spec["time_limit"]):
            await load_phase(one, spec["concurrency"], total, seconds, tally)
    except TimeoutError:
        cut = True  # a hang, or a client this slow: reported, with what had completed
    return tally, time.perf_counter() - started, time.process_time() - cpu, cut


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    kind = spec["kind"]
    if kind in ("slowuser", "cancel"):
        common = {"limits": _limits(spec["pool"]), "timeout": TIMEOUT}
        scenario = adversity.slow_user if kind == "slowuser" else adversity.cancel_storm
        result = await scenario(spec, common)
        result["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return result
    driver = await build(spec)
    result: dict[str, Any] = {}
    cut = False
    try:
        if kind in ("steady", "overhead", "ladder"):
            await count_phase(driver.one, spec["concurrency"], spec["warmup"])
            gc.collect()
            tally, wall, cpu, cut = await bounded(
                spec, driver.one, spec["requests"], spec["duration"]
            )
            result = summary(tally, wall, cpu)
        elif kind in ("storm", "hidden"):
            await count_phase(driver.one, 1, 1)  # the one login
            kills: list[float] = []
            background = None
            if kind == "hidden":
                start = time.perf_counter()
                background = asyncio.create_task(killer(spec, spec["duration"], kills, start))
            tally, wall, cpu, cut = await bounded(spec, driver.one, sys.maxsize, spec["duration"])
            if background is not None:
                background.cancel()
                await asyncio.gather(background, return_exceptions=True)
            result = summary(tally, wall, cpu)
            result["kills"] = len(kills)
        elif kind == "cold":
            n = spec["concurrency"]
            tally, wall, cpu, cut = await bounded(spec, driver.one, n, float("inf"))
            result = summary(tally, wall, cpu)
        elif kind == "memory":
            await count_phase(driver.one, spec["pool"], spec["pool"] * 4)
            result = await pending_bytes(driver, spec)
            result["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            # Leave at once: cancelling 10,000 queued httpcore requests takes minutes, and the
            # harness releases the held route for the next run anyway.
            print(json.dumps(result), flush=True)
            os._exit(0)
        else:
            raise SystemExit(f"unknown scenario kind {kind!r}")
        result["cut_short"] = cut
        first_use = sorted(driver.tokens.values())
        gaps = [b - a for a, b in itertools.pairwise(first_use)]
        result["tokens_used"] = len(first_use)
        # The closest two tokens came into use: a duplicate refresh shows as a tiny gap.
        result["token_min_gap_s"] = round(min(gaps), 3) if gaps else None
    finally:
        await driver.close()
    result["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return result


def _watchdog(seconds: float) -> None:
    """Report and exit if the event loop is still busy long after the run's bound.

    ``asyncio.timeout`` cannot fire while synchronous code holds the loop (e.g. httpcore's pool
    queueing thousands of requests, or a blocking token call), so a thread keeps the bound.
    """

    def give_up() -> None:
        print(json.dumps({"error": f"no result after {seconds:.0f} s (event loop busy)"}))
        sys.stdout.flush()
        os._exit(0)

    timer = threading.Timer(seconds, give_up)
    timer.daemon = True
    timer.start()


def main() -> None:
    spec = json.loads(sys.argv[1])
    _watchdog(spec["time_limit"] + 15)
    if spec.get("cpu") is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {spec["cpu"]})
    if spec.get("loop") == "uvloop":
        import uvloop

        result = uvloop.run(run(spec))
    else:
        result = asyncio.run(run(spec))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
