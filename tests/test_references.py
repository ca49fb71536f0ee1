"""Every reference in the repository resolves inside it.

The code cites the API it relies on as ``docs/meetingbooster-api.md §1.8``: each cited section
must exist there. Documents outside the repository (a shared folder beside it, notes kept
elsewhere, a bare reference section mark) are not to be cited at all: say it in place, or in
``docs/``. The patterns are in ``OUTSIDE`` below, built from parts so this file passes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import meetingbooster_async

REPO = Path(meetingbooster_async.__file__).parent.parent
API_DOC = REPO / "docs" / "meetingbooster-api.md"
SKIP_DIRS = {".git", ".venv", "venv", "build", "dist", "__pycache__", ".mypy_cache", ".ruff_cache"}
SUFFIXES = {".py", ".md", ".toml", ".txt", ".cfg", ".ini", ".yml", ".yaml", ""}
#: Where a reference leaves the repository. Built from parts so this file does not match.
OUTSIDE = re.compile("|".join([r"\.\./" + "shared", "field" + r"[ -]notes", "reference" + " §"]))
CITATION = re.compile(r"docs/meetingbooster-api\.md((?:\s*(?:§\d+(?:\.\d+)?|to|and|,))+)")


def _skipped(part: str) -> bool:
    """Tool folders, virtualenvs (``.venv-httpx2``…) and the generated twin test suite."""
    return (
        part in SKIP_DIRS
        or part.endswith(".egg-info")
        or part.startswith(".venv")
        or part == "tests_httpx2"
    )


def _files() -> list[Path]:
    if not (REPO / "pyproject.toml").is_file():
        pytest.skip("not a source checkout (installed package)")
    found = []
    for path in sorted(REPO.rglob("*")):
        parts = path.relative_to(REPO).parts
        if any(_skipped(part) for part in parts):
            continue
        # This test names the patterns it forbids (so does its generated httpx2 twin).
        if path.is_file() and path.suffix in SUFFIXES and path.name != Path(__file__).name:
            found.append(path)
    return found


def _sections() -> set[str]:
    text = API_DOC.read_text(encoding="utf-8")
    return set(re.findall(r"^#{2,3} (\d+(?:\.\d+)?)[. ]", text, flags=re.MULTILINE))


def test_no_reference_leaves_the_repository() -> None:
    hits = []
    for path in _files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                hits.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert not hits, "\n".join(hits)


def test_every_cited_section_exists() -> None:
    sections = _sections()
    assert {"1.7", "1.8", "2.3", "2.4", "4", "6"} <= sections  # the reader finds the doc's own
    cited = []
    for path in _files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for match in CITATION.finditer(text):
            cited += [(path, section) for section in re.findall(r"§(\d+(?:\.\d+)?)", match[1])]
    assert cited, "the code cites the API document"
    missing = [f"{path.relative_to(REPO)}: §{s}" for path, s in cited if s not in sections]
    assert not missing, "\n".join(missing)
