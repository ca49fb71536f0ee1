"""What a benchmark invocation runs: the plans (full, quick) and the jobs they expand to."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

try:
    from . import ladder
    from .clients import AUTH_CONFIGS, CONFIGS, IN_PROCESS_CONFIGS
except ImportError:  # run as a script: python benchmarks/run.py
    import ladder  # type: ignore[no-redef]
    from clients import AUTH_CONFIGS, CONFIGS, IN_PROCESS_CONFIGS  # type: ignore[no-redef]

USER, PASSWORD = "bench@example.com", "bench password"
#: The one request every configuration sends (a page of one meeting, ~620 bytes of JSON).
PATH = "/api/v1/mymeetings/list?maxResults=10"


@dataclass(frozen=True)
class Plan:
    """What one invocation runs: counts, durations and bounds."""

    mode: str
    rounds: int
    levels: tuple[int, ...] = (1, 64, 256, 1024)
    steady_seconds: float = 2.5
    steady_max: int = 40_000
    warmup: int = 200
    storm_sizes: tuple[int, ...] = (5_000, 10_000)
    storm_seconds: float = 8.0
    hidden_concurrency: int = 1_000
    hidden_seconds: float = 6.0
    hidden_every: float = 1.5
    cold_concurrency: int = 10_000
    #: Seconds a storm / hidden run may take past its duration (draining the queue), and a
    #: cold start in all; past that the run is cut and reported as such.
    drain_limit: float = 25.0
    #: Run the storm, hidden-expiry and cold-start scenarios for authlib and httpx-auth too.
    peers_everywhere: bool = True
    overhead_requests: int = 10_000
    memory_sizes: tuple[int, ...] = (1_000, 10_000)
    #: Configurations measured with 10,000 pending (None: all; the others only at 1,000). Of
    #: the ungated httpcore clients only httpx-raw: it shows they cannot queue 10,000 in time.
    memory_big: tuple[str, ...] | None = (
        "aiohttp-raw",
        "httpx-raw",
        "httpx-aiohttp-raw",
        "authlib",
        "ours",
        "ours-fast",
    )
    memory_methods: tuple[str, ...] = ("tracemalloc", "rss")
    #: One slow user among many: other users, their tasks, the slow login (s), its requests.
    slow_others: int = 50
    slow_concurrency: int = 64
    slow_login: float = 5.0
    slow_requests: int = 150
    #: Cancel storm: callers, the /oauth latency (SERVER_SETUP), when they are cancelled.
    cancel_callers: int = 1_000
    cancel_after: float = 0.5
    scenarios: tuple[str, ...] = (
        "overhead",
        "steady",
        "ladder",
        "storm",
        "hidden",
        "cold",
        "slowuser",
        "cancel",
        "memory",
    )
    #: The configurations to run unless --only says otherwise (None: all of them).
    configs: tuple[str, ...] | None = None


#: Every configuration but the twin's fast pair (``--only`` runs those): its fast mode is our
#: lean aiohttp transport again, measured on httpx by ``ours-fast``.
FULL = Plan(
    mode="full",
    rounds=3,
    configs=tuple(c for c in CONFIGS if c not in ("httpx2-aiohttp-raw", "ours-httpx2-fast")),
)
#: The targets only: the configurations they involve, fewer and shorter runs.
QUICK = Plan(
    mode="quick",
    rounds=2,
    levels=(1, 64, 256),
    steady_seconds=1.5,
    warmup=100,
    storm_sizes=(5_000,),
    storm_seconds=5.0,
    hidden_seconds=4.0,
    drain_limit=20.0,
    peers_everywhere=False,
    memory_sizes=(10_000,),
    memory_big=("ours", "ours-fast"),
    memory_methods=("tracemalloc",),
    scenarios=("overhead", "steady", "storm", "hidden", "cold", "memory"),
    configs=(
        "aiohttp-raw",
        "httpx-raw",
        "httpx-aiohttp-raw",
        "ours",
        "ours-fast",
        "httpx2-raw",
        "ours-httpx2",
    ),
)

#: Server settings per scenario: access-token lifetime (s) and /oauth latency (s).
SERVER_SETUP = {
    "overhead": (1200.0, 0.0),
    "steady": (1200.0, 0.0),
    "storm": (2.0, 0.05),
    "hidden": (1200.0, 0.05),
    "cold": (1200.0, 0.05),
    "memory": (1200.0, 0.0),
    "ladder": (1200.0, 0.0),
    "slowuser": (1200.0, 0.0),  # the worker makes /oauth slow once the others are logged in
    "cancel": (1200.0, 3.0),
}


@dataclass(frozen=True)
class Job:
    """One run: a scenario, a client configuration, a size and a round."""

    scenario: str
    config: str
    concurrency: int
    round: int = 0
    #: How the memory scenario measures: "tracemalloc" or "rss".
    method: str = ""

    def spec(self, plan: Plan, url: str, pool: int, loop: str, cpu: int | None) -> dict[str, Any]:
        """The worker's JSON argument for this job."""
        spec: dict[str, Any] = {
            "config": self.config,
            "kind": self.scenario,
            "url": url,
            "username": USER,
            "password": PASSWORD,
            "pool": pool,
            "path": PATH,
            "concurrency": self.concurrency,
            "loop": loop,
            "cpu": cpu,
            "track": self.scenario in ("storm", "hidden", "cold"),
        }
        if self.scenario == "overhead":
            spec |= {
                "concurrency": 1,
                "warmup": plan.overhead_requests // 10,
                "requests": plan.overhead_requests,
                "duration": 30.0,
                "time_limit": 60.0,
            }
        elif self.scenario == "slowuser":
            spec |= {
                "concurrency": plan.slow_concurrency,
                "others": plan.slow_others,
                "slow_login": plan.slow_login,
                "slow_requests": plan.slow_requests,
                "time_limit": plan.slow_login + plan.drain_limit,
            }
        elif self.scenario == "cancel":
            spec |= {
                "concurrency": plan.cancel_callers,
                "slow_login": SERVER_SETUP["cancel"][1],
                "cancel_after": plan.cancel_after,
                "time_limit": plan.drain_limit,
            }
        elif self.scenario in ("steady", "ladder"):
            spec |= {
                "warmup": plan.warmup,
                "requests": plan.steady_max,
                "duration": plan.steady_seconds,
                "time_limit": plan.steady_seconds + 30,
            }
        elif self.scenario == "storm":
            # The queue must drain after the storm: a slow client has 10,000 in flight.
            spec |= {
                "duration": plan.storm_seconds,
                "time_limit": plan.storm_seconds + plan.drain_limit,
            }
        elif self.scenario == "hidden":
            spec |= {
                "duration": plan.hidden_seconds,
                "time_limit": plan.hidden_seconds + plan.drain_limit,
                "expire_every": plan.hidden_every,
            }
        elif self.scenario == "memory":
            spec |= {"time_limit": 45, "settle_limit": 15, "method": self.method}
        else:
            spec |= {"time_limit": plan.drain_limit}
        return spec


def jobs(plan: Plan, configs: tuple[str, ...]) -> Iterator[Job]:
    """Every run of the plan, configurations rotated each round (no fixed order bias)."""
    auth = tuple(c for c in configs if c.split(":")[0] in AUTH_CONFIGS)
    if not plan.peers_everywhere:
        auth = tuple(c for c in auth if c.startswith("ours"))
    in_process = tuple(c for c in configs if c.split(":")[0] in IN_PROCESS_CONFIGS)
    if "overhead" in plan.scenarios:
        for round_ in range(plan.rounds):
            shift = round_ % len(in_process)
            for config in in_process[shift:] + in_process[:shift]:
                yield Job("overhead", config, 1, round_)
    if "steady" in plan.scenarios:
        for round_ in range(plan.rounds):
            shift = round_ % len(configs)
            order = configs[shift:] + configs[:shift]
            for level in plan.levels:
                for config in order:
                    yield Job("steady", config, level, round_)
    if "ladder" in plan.scenarios:
        steps = tuple(name for name, _ in ladder.STEPS)
        for round_ in range(plan.rounds):
            shift = round_ % len(steps)
            for config in steps[shift:] + steps[:shift]:
                yield Job("ladder", config, ladder.LEVEL, round_)
    if "storm" in plan.scenarios:
        for size in plan.storm_sizes:
            for config in auth:
                yield Job("storm", config, size)
    if "hidden" in plan.scenarios:
        for config in auth:
            yield Job("hidden", config, plan.hidden_concurrency)
    if "cold" in plan.scenarios:
        for config in auth:
            yield Job("cold", config, plan.cold_concurrency)
    ours = tuple(c for c in configs if c in ("ours", "ours-fast"))
    for scenario in ("slowuser", "cancel"):
        if scenario in plan.scenarios:
            for config in ours:
                size = plan.cancel_callers if scenario == "cancel" else plan.slow_concurrency
                yield Job(scenario, config, size)
    if "memory" in plan.scenarios:
        for size in plan.memory_sizes:
            for config in configs:
                big = plan.memory_big is None or config.split(":")[0] in plan.memory_big
                if size < 10_000 or big:
                    for method in plan.memory_methods:
                        yield Job("memory", config, size, method=method)
