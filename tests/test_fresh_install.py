"""The README's first command works on a fresh virtualenv: install, then run the demo."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def first_command() -> str:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```bash\n(.+?)\n```", readme, re.DOTALL)
    assert block is not None, "README has no bash block"
    return block.group(1).strip()


def test_readme_first_command_installs_and_runs_the_demo(tmp_path: Path) -> None:
    command = first_command()
    assert command == "pip install '.[demo]' && meetingbooster demo"
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    result = subprocess.run(
        ["bash", "-c", command.replace("pip install", "pip install --quiet", 1)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "result: PASS" in result.stdout
    assert ": 0 failed" in result.stdout
