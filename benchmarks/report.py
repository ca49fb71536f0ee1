"""Turn benchmark runs into summaries and Markdown tables (verdicts: targets.py)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from typing import Any

Run = dict[str, Any]

CEILINGS = ("httpx-raw", "httpx-aiohttp-raw", "aiohttp-raw", "httpx2-raw")


def raw_of(config: str) -> str:
    """The raw client a configuration adds to: httpx2-raw for the httpx2 ones, else httpx-raw."""
    return "httpx2-raw" if "httpx2" in config else "httpx-raw"


def median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def fmt(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def select(runs: list[Run], scenario: str, **match: Any) -> list[Run]:
    return [
        run
        for run in runs
        if run["scenario"] == scenario and all(run.get(k) == v for k, v in match.items())
    ]


def ok_runs(runs: list[Run]) -> list[Run]:
    return [run for run in runs if "error" not in run]


def _oauth(run: Run, grant: str) -> int:
    return int(run.get("server", {}).get("oauth_calls", {}).get(grant, 0))


def _outcome(run: Run, grant: str) -> dict[str, int]:
    outcomes = run.get("server", {}).get("oauth_outcomes", {}).get(grant, {})
    return {str(k): int(v) for k, v in outcomes.items()}


# -- steady state ------------------------------------------------------------------------------


def steady_summary(runs: list[Run]) -> dict[int, dict[str, dict[str, Any]]]:
    """Per concurrency and configuration: medians over rounds, and ratios to each ceiling.

    ``x_<ceiling>`` is the median of the per-round ratios: both runs of a pair are made minutes
    apart at most, so a slow spell of the machine mostly hits both. ``x_best_<ceiling>`` compares
    the best rounds instead (noise only ever slows a run down), for a second opinion.
    """
    steady = select(runs, "steady")
    table: dict[int, dict[str, dict[str, Any]]] = {}
    for concurrency in sorted({run["concurrency"] for run in steady}):
        at = ok_runs(select(steady, "steady", concurrency=concurrency))
        rows: dict[str, dict[str, Any]] = {}
        for config in dict.fromkeys(run["config"] for run in at):
            good = select(at, "steady", config=config)
            rows[config] = {
                "runs": len(good),
                "rps": median(run["rps"] for run in good),
                "rps_best": max(run["rps"] for run in good),
                "p50_ms": median(run["p50_ms"] for run in good),
                "p99_ms": median(run["p99_ms"] for run in good),
                "cpu_us": median(run["cpu_us"] for run in good),
                "failed": sum(run["failed"] for run in good),
                "status_401": sum(run["status_401"] for run in good),
                "requests": sum(run["requests"] for run in good),
                "peak_rss_kb": max(run["peak_rss_kb"] for run in good),
            }
        for config, row in rows.items():
            for ceiling in CEILINGS:
                if ceiling not in rows:
                    row[f"x_{ceiling}"] = row[f"x_best_{ceiling}"] = None
                    continue
                row[f"x_best_{ceiling}"] = row["rps_best"] / rows[ceiling]["rps_best"]
                row[f"x_{ceiling}"] = median(
                    run["rps"] / pair[0]["rps"]
                    for run in select(at, "steady", config=config)
                    if (pair := select(at, "steady", config=ceiling, round=run["round"]))
                    and pair[0]["rps"]
                )
                # The same for client CPU per request: what a request costs us against them.
                cpu_ratios = [
                    run["cpu_us"] / pair[0]["cpu_us"]
                    for run in select(at, "steady", config=config)
                    if run["cpu_us"]
                    and (pair := select(at, "steady", config=ceiling, round=run["round"]))
                    and pair[0]["cpu_us"]
                ]
                row[f"cpu_x_{ceiling}"] = median(cpu_ratios) if cpu_ratios else None
        table[concurrency] = rows
    return table


def steady_markdown(table: dict[int, dict[str, dict[str, Any]]]) -> list[str]:
    lines = [
        "| in flight | client | req/s | best round | x httpx-raw | x httpx-aiohttp-raw "
        "| x aiohttp-raw | x httpx2-raw | p50 ms | p99 ms | CPU µs/req | failed "
        "| 401s to caller | peak RSS MB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for concurrency, rows in table.items():
        for config, row in rows.items():
            rss = row["peak_rss_kb"] / 1024
            name = f"**{config}**" if config.startswith("ours") else config
            lines.append(
                f"| {concurrency:,} | {name} | {fmt(row['rps'])} | {fmt(row['rps_best'])} "
                f"| {fmt(row['x_httpx-raw'], 2)} | {fmt(row['x_httpx-aiohttp-raw'], 2)} "
                f"| {fmt(row['x_aiohttp-raw'], 2)} | {fmt(row['x_httpx2-raw'], 2)} "
                f"| {fmt(row['p50_ms'], 1)} "
                f"| {fmt(row['p99_ms'], 1)} | {fmt(row['cpu_us'])} | {row['failed']} "
                f"| {row['status_401']} | {fmt(rss)} |"
            )
    return lines


# -- client CPU per request without a server ---------------------------------------------------


def overhead_summary(runs: list[Run]) -> dict[str, dict[str, Any]]:
    """Per configuration: median CPU µs per request in process, and the median of per-round
    differences to its raw client (:func:`raw_of`: what the configuration adds to it).
    """
    overhead = ok_runs(select(runs, "overhead"))
    rows: dict[str, dict[str, Any]] = {}
    for config in dict.fromkeys(run["config"] for run in overhead):
        mine = select(overhead, "overhead", config=config)
        rows[config] = {
            "cpu_us": median(run["cpu_us"] for run in mine),
            "cpu_us_least": min(run["cpu_us"] for run in mine),
            "rounds": len(mine),
            "failed": sum(run["failed"] for run in mine),
            "added_us": median(
                run["cpu_us"] - raw[0]["cpu_us"]
                for run in mine
                if (raw := select(overhead, "overhead", config=raw_of(config), round=run["round"]))
            ),
        }
    return rows


def overhead_markdown(rows: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| client | CPU µs/request (median) | (least) | added to its raw client µs | failed |",
        "|---|---:|---:|---:|---:|",
    ]
    for config, row in rows.items():
        lines.append(
            f"| {config} | {fmt(row['cpu_us'], 1)} | {fmt(row['cpu_us_least'], 1)} "
            f"| {fmt(row['added_us'], 1)} | {row['failed']} |"
        )
    return lines


# -- expiry storm, hidden expiry, cold start ---------------------------------------------------


def auth_row(run: Run) -> dict[str, Any]:
    """The figures of one storm / hidden / cold run."""
    if "error" in run:
        return {"config": run["config"], "error": run["error"]}
    refresh = _outcome(run, "refresh_token")
    tokens = run.get("tokens_used", 0)
    return {
        "config": run["config"],
        "concurrency": run["concurrency"],
        "requests": run["requests"],
        "ok": run["ok"],
        "failed": run["failed"],
        "status_401": run["status_401"],
        "errors": run["errors"],
        "rps": run["rps"],
        "seconds": run["seconds"],
        "duration": run.get("duration"),
        "cpu_us": run["cpu_us"],
        "p99_ms": run["p99_ms"],
        "password": _oauth(run, "password"),
        "refresh": _oauth(run, "refresh_token"),
        "refresh_ok": refresh.get("ok", 0),
        "refresh_rejected": sum(n for k, n in refresh.items() if k != "ok"),
        # Each token the client replaced is one expiry it went through.
        "expiries": max(tokens - 1, 0),
        "min_gap_s": run.get("token_min_gap_s"),
        "kills": run.get("kills"),
        "server_401": int(run.get("server", {}).get("list_statuses", {}).get("401", 0)),
        "peak_rss_kb": run["peak_rss_kb"],
    }


def auth_markdown(rows: list[dict[str, Any]], *, kind: str) -> list[str]:
    extra = {"storm": "expiries", "hidden": "kills", "cold": None}[kind]
    head = "| in flight | client | requests | failed | 401s to caller | 401s on the wire "
    head += "| logins | refreshes (ok / rejected) |"
    head += f" {extra} |" if extra else ""
    head += " wall s | req/s | CPU µs/req |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for row in rows:
        if "error" in row:
            lines.append(f"| | {row['config']} | error: {row['error'][:80]} |")
            continue
        line = (
            f"| {row['concurrency']:,} | {row['config']} | {row['requests']:,} | {row['failed']:,} "
            f"| {row['status_401']:,} | {row['server_401']:,} | {row['password']} "
            f"| {row['refresh']:,} ({row['refresh_ok']:,} / {row['refresh_rejected']:,}) |"
        )
        if extra:
            line += f" {row[extra]} |"
        line += f" {row['seconds']:.1f} | {fmt(row['rps'])} | {fmt(row['cpu_us'])} |"
        lines.append(line)
    return lines


def memory_rows(runs: list[Run]) -> list[dict[str, Any]]:
    """One row per configuration and size: bytes per pending request (or why not) by method."""
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    for run in select(runs, "memory"):
        key = (run["config"], run["concurrency"])
        row = rows.setdefault(key, {"config": key[0], "concurrency": key[1]})
        method = run["method"]
        if "error" in run:
            row[f"{method}_error"] = run["error"]
            continue
        row[method] = run["per_pending"]
        row["queued_in_s"] = max(row.get("queued_in_s", 0.0), run["queued_in_s"])
    return list(rows.values())


def memory_markdown(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| pending | client | bytes per pending request (tracemalloc) | (RSS) | queued in s |",
        "|---:|---|---:|---:|---:|",
    ]

    def cell(row: dict[str, Any], method: str) -> str:
        if method in row:
            return fmt(row[method])
        return str(row.get(f"{method}_error", "-"))

    for row in rows:
        lines.append(
            f"| {row['concurrency']:,} | {row['config']} | {cell(row, 'tracemalloc')} "
            f"| {cell(row, 'rss')} | {row.get('queued_in_s', '-')} |"
        )
    return lines


# -- targets -----------------------------------------------------------------------------------


def markdown(runs: list[Run], meta: dict[str, Any], verdicts: Iterable[Any]) -> str:
    """The whole report: how it was run, the verdicts, then every table."""
    lines = [
        "# Benchmark results",
        "",
        f"Commit {meta.get('commit', 'unknown')}, {meta['mode']} mode, {meta['rounds']} round(s), "
        f"pool {meta['pool']} connections for "
        f"every client, client loop {meta['loop']}, {meta['duration_s']:.0f} s in all "
        f"(finished {meta['finished']}). Python {meta['python']}, "
        f"httpx {meta['versions'].get('httpx')}, httpx2 {meta['versions'].get('httpx2', '-')}, "
        f"aiohttp {meta['versions'].get('aiohttp')}, "
        f"{meta['cpus']} CPUs (server and client "
        "pinned to one each).",
        "",
        _noise(runs),
        "",
        *_skipped(meta.get("skipped", {})),
        "## Targets",
        "",
        "| target | verdict | figures |",
        "|---|---|---|",
    ]
    lines += [f"| {v.name} | **{v.status}** | {v.detail} |" for v in verdicts]
    overhead = overhead_summary(runs)
    if overhead:
        lines += ["", "## Client CPU per request, in process", ""]
        lines += [
            "Sequential GETs over an `httpx.MockTransport` (`httpx2.MockTransport` for the httpx2 "
            "rows, whose raw client is httpx2-raw): no server, no sockets.",
            "",
        ]
        lines += overhead_markdown(overhead)
    steady = steady_summary(runs)
    if steady:
        lines += ["", "## Steady state", ""]
        lines += [
            "Medians over rounds; a ratio is the median of per-round ratios (both runs of a "
            "pair made minutes apart at most).",
            "",
        ]
        lines += steady_markdown(steady)
    sections: list[tuple[str, str, str]] = [
        ("storm", "Expiry storm", "2 s tokens, 50 ms /oauth latency, single-use refresh tokens"),
        ("hidden", "Hidden expiry", "The server expires every token early; only a 401 tells"),
        ("cold", "Cold start", "First requests at once on a fresh client, 50 ms /oauth latency"),
    ]
    for kind, title, what in sections:
        rows = [auth_row(run) for run in select(runs, kind)]
        if rows:
            lines += ["", f"## {title}", "", what + ".", ""]
            lines += auth_markdown(rows, kind=kind)
    try:  # imported here: both import this module
        from . import adversity, ladder
    except ImportError:  # run as a script
        import adversity  # type: ignore[no-redef]
        import ladder  # type: ignore[no-redef]
    steps = ladder.markdown(runs)
    if steps:
        lines += ["", "## Client CPU ladder", "", *steps]
    lines += adversity.markdown(runs)
    memory = memory_rows(runs)
    if memory:
        lines += ["", "## Memory per pending request", ""]
        lines += memory_markdown(memory)
    return "\n".join(lines) + "\n"


def _skipped(skipped: dict[str, str]) -> list[str]:
    """A line per reason configurations were left out of the run (none: no lines)."""
    reasons: dict[str, list[str]] = {}
    for config, why in skipped.items():
        reasons.setdefault(why, []).append(config)
    return [f"Not measured: {', '.join(names)}: {why}.\n" for why, names in reasons.items()]


def _noise(runs: list[Run]) -> str:
    loads = [run.get("others_cpu", 0.0) + run.get("steal_cpu", 0.0) for run in runs]
    if not loads:
        return "No runs."
    disturbed = sum(1 for x in loads if x >= 0.15)
    return (
        f"Machine noise: other processes and the host took {statistics.mean(loads):.2f} CPU on "
        f"average during a run (at most {max(loads):.2f}); {disturbed} of {len(loads)} runs "
        "were disturbed (>= 0.15 CPU) after retries."
    )
