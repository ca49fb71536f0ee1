"""Every Python snippet in README.md and docs/ runs, against the bundled emulator.

Each snippet is a whole program that talks to ``https://mb.example.com`` as ``ann@example.com``
(password ``secret``; ``bob@example.com`` / ``bobs password`` too). Here that host is routed to
an emulator served over real HTTP on 127.0.0.1: the httpx transports rewrite the URL of a
request for it just before they send it, so the client, its auth flow and its pool run as they
would against a real server. A snippet that defines ``test_*`` functions is a user's test module
and runs under pytest, with the fixtures this package installs.

Sybil finds the snippets: it reads Markdown code fences (also indented ones, in lists) and
compiles each with its document's file name and line numbers, so a failing snippet's traceback
points into the Markdown file.

In the httpx2 twin's suite (``tests_httpx2/``, generated from this file by
``tools/generate_httpx2.py``) every snippet runs as that generator rewrites it for the twin
(``rewrite_snippet``: ``meetingbooster_async`` -> ``meetingbooster_async_httpx2``, ``httpx`` ->
``httpx2``, line for line), compiled with the document's name and line numbers too; there the
twin's own quick start (README, "httpx or httpx2?") runs as well, and a test-module snippet runs
with the twin's pytest plugin named in a ``conftest.py``, as that section says.

The same snippets are type-checked with ``mypy --strict`` in CI, as a step of its own:
``python -m tests.test_docs_snippets`` writes them to a temporary folder,
line numbers kept, and runs mypy on them.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from sybil import Example, Sybil
from sybil.parsers.markdown import PythonCodeBlockParser

from meetingbooster_async.testing import Emulator, EmulatorServer, _pytest_plugin, serve

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
HOST = "mb.example.com"
USERS = {
    "ann@example.com": "secret",
    "bob@example.com": "bobs password",
    "admin@example.com": "admin secret",
}
PYTHON_FENCE = re.compile(r"^[ \t]*```[ \t]*(py|python|python3|py3)[ \t]*$", re.MULTILINE)
#: True in the generated twin suite, where ``httpx`` is httpx2 (the generator leaves the string
#: "httpx2" alone): there every snippet runs rewritten for the twin.
TWIN = httpx.__name__ == "httpx2"


@functools.cache
def _generator() -> ModuleType:
    """tools/generate_httpx2.py, loaded from its file (tools/ is not a package)."""
    path = ROOT / "tools" / "generate_httpx2.py"
    spec = importlib.util.spec_from_file_location("generate_httpx2", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Snippet:
    path: Path
    example: Example

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.first_line}"

    @property
    def first_line(self) -> int:
        """The Markdown line of the snippet's first line of code (the line after the fence)."""
        return int(self.example.line) + 1

    @property
    def source(self) -> str:
        return str(self.example.parsed)

    @property
    def code(self) -> str:
        """What this suite runs: the source, rewritten for the twin in the twin's suite."""
        return str(_generator().rewrite_snippet(self.source)) if TWIN else self.source

    @property
    def is_twin(self) -> bool:
        """The httpx2 twin's quick start: the twin suite runs it, and .ci/twin.sh again in a
        venv without legacy httpx (httpx2 is not in the test extra)."""
        return "meetingbooster_async_httpx2" in self.source

    @property
    def is_test_module(self) -> bool:
        return re.search(r"^(async )?def test_", self.source, re.MULTILINE) is not None


def snippets() -> list[Snippet]:
    sybil = Sybil(parsers=[PythonCodeBlockParser()])
    found: list[Snippet] = []
    for path in DOCUMENTS:
        found += [Snippet(path, example) for example in sybil.parse(path)]
    return found


SNIPPETS = snippets()


def test_every_python_fence_is_collected() -> None:
    # A fence Sybil does not see would never run: count them independently.
    for path in DOCUMENTS:
        fences = len(PYTHON_FENCE.findall(path.read_text()))
        collected = sum(1 for snippet in SNIPPETS if snippet.path == path)
        assert collected == fences, f"{path.relative_to(ROOT)}: {collected} of {fences} collected"
    # README is the short version: its quick start and the twin's (which .ci/twin.sh runs); the
    # guide's examples live in docs/.
    assert sum(1 for s in SNIPPETS if s.path.name == "README.md") >= 2
    assert len(SNIPPETS) >= 20


@pytest.fixture(scope="module")
def emulator_server() -> Iterator[EmulatorServer]:
    with serve(Emulator(users=USERS, meetings_per_user=5)) as server:
        yield server


@pytest.fixture
def routed_to_emulator(
    emulator_server: EmulatorServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Send requests for ``mb.example.com`` to the emulator; run in an empty folder."""
    target = httpx.URL(emulator_server.url)

    def reroute(request: httpx.Request) -> None:
        if request.url.host == HOST:
            request.url = request.url.copy_with(
                scheme=target.scheme, host=target.host, port=target.port
            )

    async_send = httpx.AsyncHTTPTransport.handle_async_request
    sync_send = httpx.HTTPTransport.handle_request

    async def handle_async_request(
        self: httpx.AsyncHTTPTransport, request: httpx.Request
    ) -> httpx.Response:
        reroute(request)
        return await async_send(self, request)

    def handle_request(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        reroute(request)
        return sync_send(self, request)

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", handle_async_request)
    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle_request)
    monkeypatch.chdir(tmp_path)  # a snippet may write files (the sync job's token file)


@pytest.fixture
def redis_url(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A throwaway redis-server for the snippets that read ``REDIS_URL``."""
    snippet: Snippet = request.node.callspec.params["snippet"]
    if "REDIS_URL" not in snippet.source:
        yield
        return
    from .redis_server import redis_server

    with redis_server() as url:
        monkeypatch.setenv("REDIS_URL", url)
        yield


def run_snippet(snippet: Snippet) -> None:
    """Run ``snippet`` as a whole program; a traceback names its Markdown file and line."""
    namespace: dict[str, Any] = snippet.example.namespace
    namespace.clear()  # every snippet is a whole program: nothing carries over
    namespace["__name__"] = "__main__"
    if not TWIN:
        snippet.example.evaluate()  # Sybil compiles it with the document's name and lines
        return
    padded = "\n" * (snippet.first_line - 1) + snippet.code
    exec(compile(padded, str(snippet.path), "exec", dont_inherit=True), namespace)


@pytest.mark.parametrize(
    "snippet",
    [s for s in SNIPPETS if not s.is_test_module and (TWIN or not s.is_twin)],
    ids=lambda s: s.name,
)
@pytest.mark.usefixtures("routed_to_emulator", "redis_url")
def test_snippet_runs(snippet: Snippet, capsys: pytest.CaptureFixture[str]) -> None:
    run_snippet(snippet)
    assert capsys.readouterr().out, "a snippet shows its result: it printed nothing"


def test_a_failing_snippets_traceback_points_at_its_document_and_line(tmp_path: Path) -> None:
    legacy = "http" + "x"  # spelt in two pieces: the generator would make the word httpx2
    document = tmp_path / "guide.md"
    code = f"import {legacy}\n\nraise LookupError({legacy}.__name__)\n"
    document.write_text(f"# Guide\n\nSome prose.\n\n```python\n{code}```\n")
    [example] = Sybil(parsers=[PythonCodeBlockParser()]).parse(document)
    with pytest.raises(LookupError) as raised:
        run_snippet(Snippet(document, example))
    last = traceback.extract_tb(raised.tb)[-1]
    assert (last.filename, last.lineno) == (str(document), 8)
    assert last.line == f"raise LookupError({legacy}.__name__)"  # the document's own line
    # The twin's suite ran it rewritten: there the snippet's httpx was httpx2.
    assert str(raised.value) == httpx.__name__


@pytest.mark.parametrize("snippet", [s for s in SNIPPETS if s.is_test_module], ids=lambda s: s.name)
def test_snippet_test_module_passes_under_pytest(snippet: Snippet, tmp_path: Path) -> None:
    module = tmp_path / "test_snippet.py"
    module.write_text(snippet.code)
    if TWIN:  # the twin's fixtures, loaded as its README section says
        (tmp_path / "conftest.py").write_text(f"pytest_plugins = [{_pytest_plugin.__name__!r}]\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(module)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\b[1-9]\d* passed\b", result.stdout), result.stdout


def write_snippets(folder: Path) -> dict[str, Snippet]:
    """Write each snippet as a module of its own, padded so its line numbers are the document's."""
    written: dict[str, Snippet] = {}
    for snippet in SNIPPETS:
        slug = re.sub(r"\W", "_", str(snippet.path.relative_to(ROOT)))
        name = f"snippet_{slug}_L{snippet.first_line}.py"
        (folder / name).write_text("\n" * (snippet.first_line - 1) + snippet.source)
        written[name] = snippet
    return written


def main() -> int:
    """Type-check every snippet with ``mypy --strict``; errors name the Markdown file and line."""
    from mypy import api

    with tempfile.TemporaryDirectory() as folder:
        written = write_snippets(Path(folder))
        out, err, status = api.run(
            ["--strict", "--no-incremental", "--config-file", str(ROOT / "pyproject.toml")]
            + [str(Path(folder) / name) for name in sorted(written)]
        )
    for name, snippet in written.items():
        out = out.replace(f"{folder}/{name}", str(snippet.path.relative_to(ROOT)))
        out = out.replace(name, str(snippet.path.relative_to(ROOT)))
    print(out, end="")
    print(err, end="", file=sys.stderr)
    print(f"{len(written)} snippets from {len(DOCUMENTS)} documents type-checked")
    return status


if __name__ == "__main__":
    sys.exit(main())
