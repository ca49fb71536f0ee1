"""Print `name==lowest` for every runtime dependency in pyproject.toml (and the given extras).

CI installs these pins in a second venv and runs the suite there, so each `>=` lower bound in
pyproject.toml is one the tests have proven, not a guess. A dependency without a `>=` bound is
an error: every runtime dependency must state the oldest version it supports.

    python .ci/lowest_pins.py emulator fast redis   # -> httpx==0.27.0 anyio==4.5.0 ...
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9._-]+)\s*(?:\[[^\]]*\])?\s*(.*)$")


def lowest_pins(extras: list[str]) -> list[str]:
    project = tomllib.loads(Path("pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    optional = project.get("optional-dependencies", {})
    for extra in extras:
        requirements += [r for r in optional[extra] if not r.startswith(project["name"])]
    pins: dict[str, str] = {}
    for requirement in requirements:
        match = REQUIREMENT.match(requirement.split(";")[0])
        if match is None:
            sys.exit(f"cannot read the requirement {requirement!r}")
        name, spec = match.groups()
        lower = re.search(r">=\s*([^,\s]+)", spec)
        if lower is None:
            sys.exit(f"{requirement!r} has no '>=' lower bound")
        pins[name.lower()] = f"{name}=={lower.group(1)}"
    return sorted(pins.values())


if __name__ == "__main__":
    print(" ".join(lowest_pins(sys.argv[1:])))
