"""The chart: throughput and CPU per request by concurrency, one line per client."""

from __future__ import annotations

from pathlib import Path

try:
    from .report import Run, steady_summary
except ImportError:  # run as a script: python benchmarks/run.py
    from report import Run, steady_summary  # type: ignore[no-redef]


def draw(runs: list[Run], path: Path, title: str) -> str | None:
    """Throughput (and CPU per request) by concurrency per client; ``None`` when drawn."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    except ImportError:
        return "matplotlib is not installed (pip install -r benchmarks/requirements.txt)"
    table = steady_summary(runs)
    if not table:
        return "no steady-state runs"
    levels = list(table)
    configs = list(dict.fromkeys(c for rows in table.values() for c in rows))
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(9, 8), sharex=True)
    positions = range(len(levels))

    def pick(config: str, at: int, key: str) -> float | None:
        value = table[at].get(config, {}).get(key)
        return float(value) if value is not None else None

    for config in configs:
        ours = config.startswith("ours")
        style = {"linestyle": "-" if ours else "--", "linewidth": 2.5 if ours else 1.2}
        top.plot(
            positions, [pick(config, at, "rps") for at in levels], marker="o", label=config, **style
        )
        bottom.plot(positions, [pick(config, at, "cpu_us") for at in levels], marker="o", **style)
    top.set_ylabel("requests per second (median)")
    top.set_yscale("log")
    top.set_title(title)
    top.grid(alpha=0.3)
    top.legend(fontsize="small", ncol=2)
    bottom.set_ylabel("client CPU µs per request (median)")
    bottom.set_yscale("log")
    bottom.grid(alpha=0.3)
    for axis in (top, bottom):  # plain numbers at 1, 2 and 5 per decade, not 10^x
        axis.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        axis.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
        axis.yaxis.set_minor_formatter(NullFormatter())
    bottom.set_xticks(list(positions), [f"{at:,}" for at in levels])
    bottom.set_xlabel("requests in flight")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return None
