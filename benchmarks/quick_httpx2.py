"""A quick stand-alone run of the httpx2 rows until they are wired into ``run.py``.

    python benchmarks/quick_httpx2.py [--rounds 2] [--seconds 2] [--levels 1,64,256,1024]
                                      [--storm 5000] [--configs httpx-raw,ours,...]

Uses the harness's own server (``procs.Server``) and worker (``worker.run``, one process per
run), with ``clients.build`` extended by ``clients_httpx2.build``. Rounds interleave the
configurations at each level, and each ratio is the median of per-round ratios (both runs of a
pair minutes apart at most), as ``report.steady_summary`` does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import clients  # noqa: E402
import clients_httpx2  # noqa: E402
import plan  # noqa: E402
import procs  # noqa: E402

DEFAULT = "httpx-raw,ours,httpx2-raw,ours-httpx2"


def _job(spec: dict[str, Any]) -> None:
    """In the worker process: run one spec with the httpx2 configurations known."""
    import worker

    httpx_build = worker.build

    async def build(spec: dict[str, Any]) -> clients.Driver:
        if spec["config"] in clients_httpx2.CONFIGS:
            return await clients_httpx2.build(spec)
        return await httpx_build(spec)

    worker.build = build
    print(json.dumps(asyncio.run(worker.run(spec))), flush=True)


def _run(spec: dict[str, Any]) -> dict[str, Any]:
    args = [sys.executable, str(Path(__file__)), "--job", json.dumps(spec)]
    out = subprocess.run(
        args, capture_output=True, text=True, timeout=300, env=procs._env(), check=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _spec(config: str, kind: str, url: str, level: int, seconds: float) -> dict[str, Any]:
    return {
        "config": config,
        "kind": kind,
        "url": url,
        "username": plan.USER,
        "password": plan.PASSWORD,
        "pool": 100,
        "path": plan.PATH,
        "concurrency": level,
        "loop": "asyncio",
        "cpu": None,
        "track": kind == "storm",
        "warmup": 200,
        "requests": 10**9,
        "duration": seconds,
        "time_limit": seconds + 60,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--job")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--levels", default="1,64,256,1024")
    parser.add_argument("--configs", default=DEFAULT)
    parser.add_argument("--storm", type=int, default=0, help="storm size (0: no storms)")
    args = parser.parse_args()
    if args.job:
        _job(json.loads(args.job))
        return
    configs = args.configs.split(",")
    levels = [int(x) for x in args.levels.split(",")]
    server = procs.Server(f"{plan.USER}:{plan.PASSWORD}", None)
    rps: dict[tuple[int, str], list[float]] = {}
    try:
        for round_ in range(args.rounds):
            for level in levels:
                for config in configs if round_ % 2 == 0 else reversed(configs):
                    server.prepare("steady")
                    result = _run(_spec(config, "steady", server.url, level, args.seconds))
                    rps.setdefault((level, config), []).append(result["rps"])
                    print(
                        f"r{round_} @{level} {config}: {result['rps']} req/s "
                        f"failed={result['failed']}",
                        flush=True,
                    )
        for config in (
            [c for c in configs if c in clients_httpx2.AUTH_CONFIGS] if args.storm else []
        ):
            server.prepare("storm")
            result = _run(_spec(config, "storm", server.url, args.storm, 8.0))
            stats = server.stats()
            print(
                f"storm @{args.storm} {config}: ok={result['ok']} failed={result['failed']} "
                f"oauth={stats['oauth_calls']} seconds={result['seconds']}",
                flush=True,
            )
    finally:
        server.stop()
    print("\n| in flight | " + " | ".join(configs) + " | ours-httpx2/httpx2-raw | ours/httpx-raw |")
    for level in levels:
        row = [statistics.median(rps[(level, c)]) for c in configs]

        def ratio(a: str, b: str, level: int = level) -> str:
            if (level, a) not in rps or (level, b) not in rps:
                return "-"
            pairs = zip(rps[(level, a)], rps[(level, b)], strict=True)
            return f"{statistics.median(x / y for x, y in pairs):.2f}x"

        cells = " | ".join(f"{v:,.0f}" for v in row)
        print(
            f"| {level} | {cells} | {ratio('ours-httpx2', 'httpx2-raw')} "
            f"| {ratio('ours', 'httpx-raw')} |"
        )


if __name__ == "__main__":
    main()
