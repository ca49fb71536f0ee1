"""The sync fleet at scale: 10,000 users against the emulator, our runner vs its baseline.

    python -m benchmarks.fleet [--users 10000] [--rounds 3] [--concurrency 64]

The emulator runs in its own process (``benchmarks/server.py``, pinned to CPU 0 where there
are two); this process (CPU 1) runs, round after round and interleaved:

* ``fleet``: :class:`SyncFleet` with the SQLite checkpoint store and the built-in mirror;
* ``baseline``: the same client and transport, looping Sync + SyncCommit per user and resource
  with the users' tokens already held and no checkpoints (the floor of what a fleet must do);
* ``aiohttp-raw``: a bare aiohttp loop doing the same two requests with static tokens.

Reported per configuration: user rounds (one user, one resource) per second, client CPU per
user round, and for the fleet its first (login) round, ``/oauth`` calls per user, store calls
per user round, peak RSS and memory per idle user (tracemalloc, over a sample of sessions).
The target: after its login round, the fleet reaches >= 0.8x the baseline's rounds per second
(median of the per-round ratios). Exit status 1 if it does not.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import httpx

from meetingbooster_async import MeetingBoosterClient, SQLiteCheckpointStore, SyncFleet

from .procs import ROOT, SERVER, stop_group

RESOURCES = ("meetings", "tasks")
TARGET = 0.8
SYNC = {"meetings": "/api/v1/mymeetings/sync", "tasks": "/api/v1/mytasks/sync"}
COMMIT = {"meetings": "/api/v1/mymeetings/synccommit", "tasks": "/api/v1/mytasks/synccommit"}


def _users(n: int) -> dict[str, str]:
    return {f"user{i}@fleet.test": f"pw-{i}" for i in range(n)}


def _start_server(users: int) -> tuple[subprocess.Popen[str], str]:
    args = [sys.executable, str(SERVER), "--generated-users", str(users), "--cpu", "0"]
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, text=True, cwd=ROOT, start_new_session=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    return proc, f"http://127.0.0.1:{json.loads(line)['port']}"


class CountingStore:
    """The SQLite store, counting its calls (database operations per user round)."""

    def __init__(self, store: SQLiteCheckpointStore) -> None:
        self._store = store
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._store, name)

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return await method(*args, **kwargs)

        return counted


def _client(url: str, concurrency: int) -> MeetingBoosterClient:
    return MeetingBoosterClient(
        url,
        username="fleet",
        password="",
        signout_on_close=False,
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        timeout=httpx.Timeout(60.0),
    )


async def _timed(work: Any) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    await work
    return time.perf_counter() - wall, time.process_time() - cpu


async def _baseline_round(
    sessions: list[Any], tokens: dict[tuple[str, str], str | None], limit: int
) -> None:
    semaphore = asyncio.Semaphore(limit)

    async def one(session: Any, name: str) -> None:
        async with semaphore:
            api = session.my_meetings if name == "meetings" else session.my_tasks
            sync = await api.sync(sync_token=tokens.get((session.username, name)))
            answer = await api.sync_commit(sync)
            tokens[(session.username, name)] = (
                answer.sync_token if answer else None
            ) or sync.sync_token

    await asyncio.gather(*(one(s, r) for s in sessions for r in RESOURCES))


async def _raw_round(
    http: aiohttp.ClientSession,
    url: str,
    bearer: dict[str, str],
    tokens: dict[tuple[str, str], str | None],
    limit: int,
) -> None:
    semaphore = asyncio.Semaphore(limit)

    async def one(user: str, name: str) -> None:
        headers = {"Authorization": bearer[user]}
        token = tokens.get((user, name))
        params = {"synctoken": token} if token else {}
        async with semaphore:
            async with http.get(url + SYNC[name], headers=headers, params=params) as response:
                body = await response.json()
            async with http.post(url + COMMIT[name], headers=headers, json=body) as response:
                answer = await response.json()
        tokens[(user, name)] = answer.get("SyncToken") or body.get("SyncToken")

    await asyncio.gather(*(one(u, r) for u in bearer for r in RESOURCES))


async def _bearers(
    http: aiohttp.ClientSession, url: str, users: dict[str, str], limit: int
) -> dict[str, str]:
    semaphore = asyncio.Semaphore(limit)
    out: dict[str, str] = {}

    async def one(user: str, password: str) -> None:
        form = {"grant_type": "password", "username": user, "password": password, "app_id": "Api"}
        async with semaphore, http.post(url + "/oauth", data=form) as response:
            out[user] = "Bearer " + (await response.json())["access_token"]

    await asyncio.gather(*(one(u, p) for u, p in users.items()))
    return out


def _stats(url: str) -> dict[str, Any]:
    import urllib.request

    with urllib.request.urlopen(f"{url}/_emulator/stats", timeout=30) as response:
        return json.loads(response.read())


async def main_async(args: argparse.Namespace) -> int:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {1})
    users = _users(args.users)
    proc, url = _start_server(args.users)
    try:
        with tempfile.TemporaryDirectory() as folder:
            async with (
                SQLiteCheckpointStore(Path(folder) / "fleet.db") as sqlite,
                _client(url, args.concurrency) as client,
            ):
                store = CountingStore(sqlite)

                async def passwords(user: str) -> str:
                    return users[user]

                fleet = SyncFleet(
                    client,
                    list(users),
                    credentials=passwords,
                    store=store,
                    concurrency=args.concurrency,
                )  # type: ignore[arg-type]
                login_wall, login_cpu = await _timed(fleet.run_round())
                oauth_after_login = _stats(url)["oauth_calls"]
                user_rounds = args.users * len(RESOURCES)
                store.calls.clear()
                # the baseline's sessions: the same client, tokens already held
                sessions = [client.as_user(u, p) for u, p in users.items()]
                await asyncio.gather(*(s.login() for s in sessions))
                base_tokens: dict[tuple[str, str], str | None] = {}
                await _baseline_round(
                    sessions, base_tokens, args.concurrency
                )  # its first: full syncs
                async with aiohttp.ClientSession(
                    connector=aiohttp.TCPConnector(limit=args.concurrency)
                ) as http:
                    bearer = await _bearers(http, url, users, args.concurrency)
                    raw_tokens: dict[tuple[str, str], str | None] = {}
                    await _raw_round(http, url, bearer, raw_tokens, args.concurrency)
                    results: dict[str, list[tuple[float, float]]] = {
                        "fleet": [],
                        "baseline": [],
                        "aiohttp-raw": [],
                    }
                    for _ in range(args.rounds):
                        results["fleet"].append(await _timed(fleet.run_round()))
                        results["baseline"].append(
                            await _timed(_baseline_round(sessions, base_tokens, args.concurrency))
                        )
                        results["aiohttp-raw"].append(
                            await _timed(
                                _raw_round(http, url, bearer, raw_tokens, args.concurrency)
                            )
                        )
                store_calls = sum(store.calls.values()) / (user_rounds * args.rounds)
                oauth = oauth_after_login
        # memory per idle user: sessions logged in under tracemalloc, after a warm-up that
        # fills the pool (its connections are not per user)
        names = list(users.items())
        warm, sample = names[:100], names[100 : 100 + min(500, max(1, args.users - 100))]
        async with _client(url, args.concurrency) as client:
            kept = [client.as_user(u, p) for u, p in warm]
            await asyncio.gather(*(s.login() for s in kept))
            tracemalloc.start()
            before = tracemalloc.take_snapshot()
            more = [client.as_user(u, p) for u, p in sample]
            await asyncio.gather(*(s.login() for s in more))
            for s in more:
                s.forget_password()
            after = tracemalloc.take_snapshot()
            tracemalloc.stop()
            grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
            per_user = grown / len(more)
    finally:
        stop_group(proc, grace=5)
    rps = {name: [user_rounds / wall for wall, _ in runs] for name, runs in results.items()}
    cpu = {name: [1e6 * c / user_rounds for _, c in runs] for name, runs in results.items()}
    ratios = [f / b for f, b in zip(rps["fleet"], rps["baseline"], strict=True)]
    ratio = statistics.median(ratios)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    per_oauth = sum(oauth.values()) / args.users
    out = [
        f"fleet benchmark: {args.users} users x {len(RESOURCES)} resources, "
        f"concurrency {args.concurrency}, {args.rounds} rounds",
        f"  login round: {user_rounds / login_wall:.0f} user rounds/s, "
        f"{1e6 * login_cpu / user_rounds:.0f} µs CPU each; /oauth {oauth} ({per_oauth:.2f}/user)",
    ]
    for name in results:
        out.append(
            f"  {name:<12} {statistics.median(rps[name]):7.0f} user rounds/s  "
            f"{statistics.median(cpu[name]):6.0f} µs CPU per user round"
        )
    out.append(
        f"  store calls per user round: {store_calls:.2f}; peak RSS {peak:.0f} MiB; "
        f"memory per idle user {per_user:.0f} B"
    )
    verdict = ratio >= TARGET
    each = ", ".join(f"{r:.2f}" for r in ratios)
    out.append(
        f"  {'PASS' if verdict else 'FAIL'} fleet >= {TARGET}x baseline rounds/s: "
        f"{ratio:.2f}x (rounds: {each})"
    )
    print("\n".join(out))
    return 0 if verdict else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=64)
    sys.exit(asyncio.run(main_async(parser.parse_args())))


if __name__ == "__main__":
    main()
