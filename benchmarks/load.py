"""How busy the machine is with work that is not ours: a benchmark run's noise, measured.

Other processes (another test suite, the host stealing time from this VM) slow a run down
without the client being any slower. Each run therefore records the CPU used by everything but
the benchmark's own processes, and the harness waits for a quiet machine before a run and
repeats a run that was disturbed.
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _machine() -> tuple[float, float]:
    """(busy CPU seconds, stolen CPU seconds) of the whole machine since boot; Linux only."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except OSError:
        return 0.0, 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq) / TICK, steal / TICK


def _process(pid: int) -> float:
    """CPU seconds used so far by process ``pid`` (0 when unknown)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def _ours() -> float:
    """CPU seconds of this process and of its children that have been waited for."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


@dataclass
class Probe:
    """Started before a run, read after it: the CPUs' load by others during the run."""

    server_pid: int
    started: float = 0.0
    busy: float = 0.0
    steal: float = 0.0
    ours: float = 0.0
    server: float = 0.0

    def start(self) -> Probe:
        self.started = time.monotonic()
        self.busy, self.steal = _machine()
        self.ours, self.server = _ours(), _process(self.server_pid)
        return self

    def foreign(self) -> tuple[float, float]:
        """(CPUs used by other processes, CPUs stolen by the host), averaged over the run."""
        wall = max(time.monotonic() - self.started, 1e-9)
        busy, steal = _machine()
        mine = (_ours() - self.ours) + (_process(self.server_pid) - self.server)
        others = max(0.0, (busy - self.busy) - mine)
        return others / wall, (steal - self.steal) / wall


def wait_quiet(server_pid: int, *, limit: float = 0.1, patience: float = 20.0) -> float:
    """Wait (up to ``patience`` s) until others use under ``limit`` CPUs; returns their load."""
    deadline = time.monotonic() + patience
    while True:
        probe = Probe(server_pid).start()
        time.sleep(0.25)
        others, steal = probe.foreign()
        if others + steal < limit or time.monotonic() > deadline:
            return others + steal
