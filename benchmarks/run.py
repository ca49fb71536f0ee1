"""The benchmark harness: our client against raw httpx, raw aiohttp and its peers.

Run ``python benchmarks/run.py --quick`` (about 4 minutes) or ``python benchmarks/run.py``
(the full set, about 19 minutes). It starts the emulator as a real HTTP server in its own process
(uvicorn + uvloop + httptools on 127.0.0.1, pinned to one CPU), then runs every client
configuration in a process of its own (``benchmarks/worker.py``, pinned to the other CPU),
alternating the configurations round by round so that ratios come from the same run. Each run
is bounded in requests and wall-clock time; everything started is stopped on exit, Ctrl-C or
failure. Results go to ``benchmarks/results/`` (full mode) or ``benchmarks/results/tmp/``
(quick mode and ``--only`` runs): ``results.md``, ``results.json`` and ``throughput.png``.
The httpx2 rows (raw httpx2, our twin on it) are left out, with a note, if httpx2 is missing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

try:
    from . import chart, load, report, targets
    from .clients import CONFIGS, HTTPX2_CONFIGS, httpx2_missing
    from .plan import FULL, PASSWORD, QUICK, USER, Job, jobs
    from .procs import HERE, ROOT, Server, run_worker
except ImportError:  # run as a script: python benchmarks/run.py
    import chart  # type: ignore[no-redef]
    import load  # type: ignore[no-redef]
    import report  # type: ignore[no-redef]
    import targets  # type: ignore[no-redef]
    from clients import CONFIGS, HTTPX2_CONFIGS, httpx2_missing  # type: ignore[no-redef]
    from plan import FULL, PASSWORD, QUICK, USER, Job, jobs  # type: ignore[no-redef]
    from procs import HERE, ROOT, Server, run_worker  # type: ignore[no-redef]

#: A run during which other processes (or the host) took more CPU than this is disturbed.
DISTURBED = 0.15
#: Only these are repeated when disturbed: the others are long, and judged on counts.
REPEATABLE = ("overhead", "steady")


def measure(job: Job, spec: dict[str, Any], server: Server, *, retries: int) -> dict[str, Any]:
    """Run a job on a quiet machine; repeat a disturbed timing run, keep the least disturbed."""
    best: dict[str, Any] | None = None
    attempts = 1 + (retries if job.scenario in REPEATABLE else 0)
    for attempt in range(attempts):
        quiet_before = load.wait_quiet(server.proc.pid)
        server.prepare(job.scenario)
        probe = load.Probe(server.proc.pid).start()
        result = run_worker(spec, timeout=spec["time_limit"] + 60)
        others, steal = probe.foreign()
        if "error" not in result and job.scenario != "overhead":
            result["server"] = server.stats()
        run = asdict(job) | {"time_limit": spec["time_limit"]} | result
        run |= {
            "duration": spec.get("duration"),
            "others_cpu": round(others, 3),
            "steal_cpu": round(steal, 3),
            "load_before": round(quiet_before, 3),
            "attempt": attempt + 1,
        }
        if best is None or others + steal < best["others_cpu"] + best["steal_cpu"]:
            best = run
        if others + steal < DISTURBED or "error" in run:
            break
    assert best is not None
    return best


def _line(job: Job, run: dict[str, Any]) -> str:
    head = f"{job.scenario:<8} {job.concurrency:>6,} {job.config:<18}"
    noise = run["others_cpu"] + run["steal_cpu"]
    tail = f"  others {noise:.2f} CPU" + (f" (try {run['attempt']})" if run["attempt"] > 1 else "")
    if "error" in run:
        return f"{head} ERROR {run['error']}"
    if job.scenario in ("slowuser", "cancel"):
        return (
            f"{head} {run['requests']:>8,} requests  p50 {run['p50_ms']} ms  p99 {run['p99_ms']} ms"
            f"  max {run['max_ms']} ms{tail}"
        )
    if job.scenario == "memory":
        return (
            f"{head} {run['per_pending']:>7,} B per pending request ({job.method}), "
            f"queued in {run['queued_in_s']} s{tail}"
        )
    oauth = run.get("server", {}).get("oauth_calls", {})
    cut = " CUT SHORT" if run.get("cut_short") else ""
    p50 = f"{run['p50_ms']:.1f}" if run["p50_ms"] is not None else "-"
    return (
        f"{head} {run['rps']:>8,.0f} req/s  p50 {p50:>7} ms  "
        f"cpu {run['cpu_us'] or 0:>6,.0f} µs  failed {run['failed']:,}  "
        f"401 {run['status_401']:,}  oauth {dict(oauth)}  {run['seconds']:.1f} s{cut}{tail}"
    )


def _json(summary: dict[str, Any]) -> str:
    """Indented, except one line per run: small enough to commit, easy to diff."""
    head = {k: v for k, v in summary.items() if k != "runs"}
    text = json.dumps(head, indent=1)[:-2]
    runs = ",\n  ".join(json.dumps(run) for run in summary["runs"])
    return f'{text},\n "runs": [\n  {runs}\n ]\n}}\n'


#: The httpx2 twin's package (its rows measure it).
TWIN_PACKAGE = "meetingbooster_async_httpx2"


def _tree() -> str:
    """The commit measured, ``+dirty`` if the package differs from it (read-only git calls)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "meetingbooster_async", TWIN_PACKAGE],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head or 'unknown'}{'+dirty' if dirty else ''}"


def _versions() -> dict[str, str]:
    names = ["httpx", "httpcore", "httpx2", "httpcore2", "aiohttp", "httpx-aiohttp", "authlib"]
    names += ["httpx-auth", "anyio"]
    found = {}
    for name in names:
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[name] = metadata.version(name)
    return found


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/run.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--quick", action="store_true", help="the targets only, about 4 minutes (2 rounds)"
    )
    parser.add_argument("--rounds", type=int, help="steady-state rounds (full: 3, quick: 2)")
    parser.add_argument(
        "--only", help="comma-separated configurations (also ours:PATCH, see patches.py)"
    )
    parser.add_argument(
        "--scenarios",
        help="subset of overhead,steady,ladder,storm,hidden,cold,slowuser,cancel,memory "
        "(comma-separated)",
    )
    parser.add_argument("--levels", help="steady-state concurrencies, e.g. 1,64")
    parser.add_argument("--seconds", type=float, help="steady-state seconds per run")
    parser.add_argument("--pool", type=int, default=16, help="connections per client (16)")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("--out", type=Path, help="results folder")
    parser.add_argument(
        "--retries", type=int, default=2, help="repeats of a disturbed timing run (2)"
    )
    parser.add_argument(
        "--rebuild", type=Path, metavar="DIR", help="re-render DIR from its results.json only"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.rebuild:
        return rebuild(args.rebuild)
    plan = QUICK if args.quick else FULL
    if args.rounds:
        plan = replace(plan, rounds=args.rounds)
    if args.scenarios:
        plan = replace(plan, scenarios=tuple(args.scenarios.split(",")))
    if args.levels:
        plan = replace(plan, levels=tuple(int(x) for x in args.levels.split(",")))
    if args.seconds:
        plan = replace(plan, steady_seconds=args.seconds)
    configs = tuple(args.only.split(",")) if args.only else (plan.configs or CONFIGS)
    unknown = [c for c in configs if c.split(":")[0] not in CONFIGS]
    if unknown:
        raise SystemExit(f"unknown configuration(s) {unknown}; expected some of {CONFIGS}")
    custom = bool(args.only or args.scenarios or args.levels or args.rounds or args.seconds)
    #: Configurations left out, and why (the report and the SKIP verdicts say so).
    skipped: dict[str, str] = {}
    missing = httpx2_missing()
    if missing:
        skipped = {c: missing for c in configs if c.split(":")[0] in HTTPX2_CONFIGS}
        configs = tuple(c for c in configs if c not in skipped)
        if skipped:
            print(f"note: not measured: {', '.join(skipped)}: {missing}", flush=True)
        if not configs:
            raise SystemExit("nothing left to run")
    out = args.out or (HERE / "results" / ("tmp" if args.quick or custom else ""))
    out.mkdir(parents=True, exist_ok=True)
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    server_cpu, client_cpu = (cpus[0], cpus[1]) if len(cpus) >= 2 else (None, None)
    if server_cpu is not None:
        os.sched_setaffinity(0, {server_cpu})  # this process idles during runs
    todo = list(jobs(plan, configs))
    tree = _tree()
    started = time.monotonic()
    print(f"{plan.mode} mode: {len(todo)} runs; results in {out}", flush=True)
    runs: list[dict[str, Any]] = []
    server = Server(f"{USER}:{PASSWORD}", server_cpu)
    try:
        for index, job in enumerate(todo, 1):
            spec = job.spec(plan, server.url, args.pool, args.loop, client_cpu)
            run = measure(job, spec, server, retries=args.retries)
            runs.append(run)
            print(f"[{index:>3}/{len(todo)}] {_line(job, run)}", flush=True)
    except KeyboardInterrupt:
        print("interrupted: writing what was measured", flush=True)
    finally:
        server.stop()
    elapsed = time.monotonic() - started
    if _tree() != tree:
        print(f"warning: the package changed during the run ({tree} -> {_tree()})", flush=True)
        tree = f"{tree} -> {_tree()}"
    meta = {
        "commit": tree,
        "mode": plan.mode if not custom else f"{plan.mode} (custom)",
        "rounds": plan.rounds,
        "pool": args.pool,
        "loop": args.loop,
        "duration_s": elapsed,
        "finished": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "versions": _versions(),
        "cpus": len(cpus) or os.cpu_count(),
        "plan": asdict(plan),
        "skipped": skipped,
    }
    return write(out, runs, meta)


def write(out: Path, runs: list[dict[str, Any]], meta: dict[str, Any]) -> int:
    """Judge the runs, write results.md / results.json / throughput.png; 1 if a target failed."""
    verdicts = targets.judge(runs, skipped=meta.get("skipped", {}))
    text = report.markdown(runs, meta, verdicts)
    (out / "results.md").write_text(text)
    summary = {
        "meta": meta,
        "targets": [asdict(v) for v in verdicts],
        "steady": report.steady_summary(runs),
        "runs": runs,
    }
    (out / "results.json").write_text(_json(summary))
    title = f"meetingbooster-async vs httpx / aiohttp ({meta['mode']}, pool {meta['pool']})"
    problem = chart.draw(runs, out / "throughput.png", title)
    print()
    print(text)
    print(f"chart: {problem or out / 'throughput.png'}")
    print(f"took {meta['duration_s'] / 60:.1f} min")
    failed = [v for v in verdicts if v.status == "FAIL"]
    return 1 if failed else 0


def rebuild(out: Path) -> int:
    """Re-render a results folder from its results.json (after a change to the report code)."""
    summary = json.loads((out / "results.json").read_text())
    return write(out, summary["runs"], summary["meta"])


if __name__ == "__main__":
    sys.exit(main())
