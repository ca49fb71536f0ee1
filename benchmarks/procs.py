"""The processes a benchmark starts: the emulator server and one worker per run.

Each is started in a session of its own, so stopping one stops its whole process group and
nothing else; every stop happens in a ``finally``, so Ctrl-C or a failure leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

try:
    from .plan import SERVER_SETUP
except ImportError:  # run as a script: python benchmarks/run.py
    from plan import SERVER_SETUP  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORKER = HERE / "worker.py"
SERVER = HERE / "server.py"


class Server:
    """The emulator server process and its control API."""

    def __init__(self, user: str, cpu: int | None) -> None:
        args = [sys.executable, str(SERVER), "--user", user]
        if cpu is not None:
            args += ["--cpu", str(cpu)]
        self.proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=_env(), start_new_session=True
        )
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            self.stop()
            raise RuntimeError("the benchmark server did not start")
        self.url = f"http://127.0.0.1:{json.loads(line)['port']}"
        deadline = time.monotonic() + 30
        while True:
            try:
                self.control("GET", "stats")
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise
                time.sleep(0.1)

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        url = f"{self.url}/_emulator/{path}"
        request = urllib.request.Request(url, data=data, method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def prepare(self, scenario: str) -> None:
        """A clean server for one run: no tokens, faults or lockouts; zeroed counters."""
        lifetime, latency = SERVER_SETUP[scenario]
        self.control("POST", "restart")
        self.control("POST", "faults/clear")
        self.control("POST", "clear-lockouts")
        self.control("POST", "settings", {"token_lifetime": lifetime})
        if latency:
            self.control("POST", "faults/latency", {"route": "oauth", "seconds": latency})
        self.control("POST", "stats/reset")

    def stats(self) -> dict[str, Any]:
        stats = self.control("GET", "stats")
        return {
            "oauth_calls": stats["oauth_calls"],
            "oauth_outcomes": stats["oauth_outcomes"],
            "list_statuses": stats["requests"].get("list", {}),
        }

    def stop(self) -> None:
        stop_group(self.proc, grace=5)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # Measure this working tree, whatever is installed.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def stop_group(proc: subprocess.Popen[str], grace: float) -> None:
    """Stop a process we started (own session, so its group id is its pid) and its children."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def run_worker(spec: dict[str, Any], timeout: float) -> dict[str, Any]:
    """One worker process; its last stdout line is the result (or we report why not)."""
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), json.dumps(spec)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=_env(),
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop_group(proc, grace=0)
        proc.communicate()
        return {"error": f"worker killed after {timeout:.0f} s"}
    finally:
        stop_group(proc, grace=2)
    lines = out.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = " | ".join(err.strip().splitlines()[-3:])
        return {"error": f"worker exit {proc.returncode}: {tail}"}
    result: dict[str, Any] = json.loads(lines[-1])
    return result
