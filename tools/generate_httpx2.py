#!/usr/bin/env python3
"""Generate the httpx2 twin of the SDK from its httpx source (like httpcore's ``unasync``).

``meetingbooster_async`` (on httpx/httpcore) is the one source of truth. This script rewrites it
into ``meetingbooster_async_httpx2`` (on httpx2/httpcore2), and ``tests/`` into ``tests_httpx2/``
(the same suite, run against the twin). Usage, from the repository root::

    python tools/generate_httpx2.py          # write meetingbooster_async_httpx2/ and tests_httpx2/
    python tools/generate_httpx2.py --check  # exit 1, with a diff summary, if the committed twin
                                             # is not what this script generates now
    python tools/generate_httpx2.py --tests  # tests_httpx2/ only (CI; it is not committed)

``rewrite_snippet(text)`` is the same rewrite for a piece of code without the header: the twin
suite runs every README/docs snippet rewritten by it (``tests/test_docs_snippets.py``).

What changes, token by token (``tokenize``, so code, strings and comments are told apart):

* names: ``httpx`` -> ``httpx2``, ``httpcore`` -> ``httpcore2``, ``meetingbooster_async`` ->
  ``meetingbooster_async_httpx2``, ``tests`` -> ``tests_httpx2``;
* imports of httpx-aiohttp (the tests compare our fast transport with its adapter) go to its
  httpx2 variant: ``from httpx_aiohttp[.x] import`` -> ``from httpx_aiohttp.httpx2[.x] import``,
  ``import httpx_aiohttp[.x] as y`` -> ``import httpx_aiohttp.httpx2[.x] as y``, and ``import
  httpx_aiohttp`` -> ``import httpx_aiohttp.httpx2 as httpx_aiohttp`` (so its uses need no
  change); ``import httpx_aiohttp.x`` without ``as`` is refused (its uses would still name the
  legacy modules);
* strings and comments: the same words where they stand alone (``"httpcore.http11"`` becomes
  ``"httpcore2.http11"``, the logger names the header-masking filter covers); ``httpx-aiohttp``,
  ``encode/httpx#…`` and the distribution name ``meetingbooster-async`` are left alone;
* tests only: ``import respx`` becomes this directory's small respx replacement
  (``tools/httpx2_twin/respx.py``: respx patches legacy httpcore only), and
  ``tools/httpx2_twin/tests/`` (the twin's own tests) is added as ``tests_httpx2/twin/``.

Every generated ``.py`` file starts with a header saying so; the output is ``ruff format``-ed,
so regenerating is byte-for-byte reproducible (files in sorted order, no timestamps).
"""

from __future__ import annotations

import argparse
import difflib
import filecmp
import io
import re
import shutil
import subprocess
import sys
import tempfile
import tokenize
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(__file__).resolve().parent / "httpx2_twin"
SOURCE, TWIN = "meetingbooster_async", "meetingbooster_async_httpx2"
TESTS, TWIN_TESTS = "tests", "tests_httpx2"

#: Whole-name rewrites of NAME tokens (imports, attribute chains, annotations).
NAMES = {"httpx": "httpx2", "httpcore": "httpcore2", SOURCE: TWIN}
#: Words rewritten inside strings and comments, where they stand alone.
PROSE = re.compile(r"(?<![\w.\-])(?<!encode/)(httpx|httpcore|meetingbooster_async)(?![\w\-])")
PROSE_MAP = {"httpx": "httpx2", "httpcore": "httpcore2", SOURCE: TWIN}
#: httpx-aiohttp, and where its httpx2 variant lives.
AIOHTTP, AIOHTTP_TWIN = "httpx_aiohttp", "httpx_aiohttp.httpx2"
RESPX_IMPORT = re.compile(r"^(\s*)import respx$", re.MULTILINE)
#: Appended to tests_httpx2/conftest.py: the twin's pytest fixtures, which, defined in a conftest,
#: take precedence over the legacy plugin's (loaded for every run by its entry point).
CONFTEST_EXTRA = f"""

# The twin's emulator fixtures (meetingbooster_client etc.) instead of the legacy plugin's.
from {TWIN}.testing._pytest_plugin import *  # noqa: E402, F403
"""

HEADER = (
    "# GENERATED FILE, DO NOT EDIT. Source: {source}\n"
    "# Edit the source (on httpx), then run: python tools/generate_httpx2.py\n"
)


def _offsets(text: str) -> list[int]:
    """Offset of the start of each line (1-based rows, as tokenize counts them)."""
    starts = [0, 0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _module_path(tokens: list[tokenize.TokenInfo], i: int) -> tuple[str, bool]:
    """The dotted module name that starts at ``tokens[i]`` in an ``import`` statement, and
    whether an ``as`` follows it (no comment or line break can sit inside one)."""
    parts = [tokens[i].string]
    while (
        i + 2 < len(tokens) and tokens[i + 1].string == "." and tokens[i + 2].type == tokenize.NAME
    ):
        parts.append(tokens[i + 2].string)
        i += 2
    return ".".join(parts), tokens[i + 1].string == "as"


def _httpx_aiohttp_import(tokens: list[tokenize.TokenInfo], i: int) -> str:
    """The replacement of the ``httpx_aiohttp`` that starts a module path of ``import``."""
    path, aliased = _module_path(tokens, i)
    if aliased:
        return AIOHTTP_TWIN
    if path == AIOHTTP:
        return f"{AIOHTTP_TWIN} as {AIOHTTP}"
    sub = path.rpartition(".")[2]
    raise ValueError(
        f"line {tokens[i].start[0]}: `import {path}` without `as` cannot be rewritten for the "
        f"twin (its uses name the legacy modules): write `import {path} as {sub}` or "
        f"`from {path.rpartition('.')[0]} import {sub}`"
    )


def _edits(text: str, *, tests: bool) -> Iterator[tuple[int, int, str]]:
    """(start, end, replacement) for every token that changes, in source order."""
    starts = _offsets(text)
    names = dict(NAMES)
    if tests:
        names[TESTS] = TWIN_TESTS
    previous = ""
    head = ""  # the first token of the current statement ("import", "from", ...)
    string_kinds = {tokenize.STRING, tokenize.COMMENT}
    string_kinds |= {getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}
    layout = {tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT}
    tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    for i, token in enumerate(tokens):
        start = starts[token.start[0]] + token.start[1]
        end = starts[token.end[0]] + token.end[1]
        if token.type == tokenize.NAME:
            if token.string == AIOHTTP and previous == "from":
                yield start, end, AIOHTTP_TWIN
            elif token.string == AIOHTTP and head == "import" and previous in ("import", ","):
                yield start, end, _httpx_aiohttp_import(tokens, i)
            elif token.string in names and previous != ".":
                yield start, end, names[token.string]
        elif token.type in string_kinds:
            rewritten = PROSE.sub(lambda m: PROSE_MAP[m.group(1)], token.string)
            if rewritten != token.string:
                yield start, end, rewritten
        if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER) or token.string == ";":
            head = previous = ""
        elif token.type not in layout:
            head = head or token.string
            previous = token.string


def rewrite_snippet(text: str, *, tests: bool = False) -> str:
    """The twin of a piece of code, without the generated-file header: what :func:`rewrite`
    does, line for line (no line is added or removed, so line numbers are kept)."""
    if tests:
        text = RESPX_IMPORT.sub(rf"\1from {TWIN_TESTS} import respx", text)
    pieces, cursor = [], 0
    for start, end, replacement in _edits(text, tests=tests):
        pieces += [text[cursor:start], replacement]
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def rewrite(text: str, *, source: str, tests: bool = False) -> str:
    """The twin of one module's source ``text`` (``source`` names it in the header)."""
    return HEADER.format(source=source) + rewrite_snippet(text, tests=tests)


def _python_files(top: Path) -> list[Path]:
    return sorted(p for p in top.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _copy_tree(src: Path, dst: Path, *, tests: bool) -> list[Path]:
    written = []
    for path in _python_files(src):
        if path.suffix == ".pyc":
            continue
        target = dst / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".py":
            source = path.relative_to(ROOT).as_posix()
            text = rewrite(path.read_text(), source=source, tests=tests)
            if tests and target == dst / "conftest.py":
                text += CONFTEST_EXTRA
            target.write_text(text)
            written.append(target)
        else:
            shutil.copyfile(path, target)
    return written


def _extras(dst: Path) -> list[Path]:
    """The twin-only test files: the respx replacement and the twin's own tests."""
    written = []
    extras = [(TOOLS / "respx.py", dst / "respx.py")]
    extras += [(p, dst / "twin" / p.name) for p in sorted((TOOLS / "tests").glob("*.py"))]
    for src, target in extras:
        target.parent.mkdir(parents=True, exist_ok=True)
        source = src.relative_to(ROOT).as_posix()
        target.write_text(HEADER.format(source=source) + src.read_text())
        written.append(target)
    return written


def _format(files: list[Path]) -> None:
    """``ruff format`` with the project's settings: longer names may need a line re-wrapped."""
    ruff = [sys.executable, "-m", "ruff"]
    config = ["--config", str(ROOT / "pyproject.toml")]
    for chunk in range(0, len(files), 200):
        names = [str(f) for f in files[chunk : chunk + 200]]
        subprocess.run([*ruff, "format", "--quiet", *config, *names], check=True)  # noqa: S603


def generate(out: Path, *, package: bool = True, tests: bool = True) -> None:
    """Write the twin package and/or the twin test suite under ``out``."""
    written: list[Path] = []
    if package:
        shutil.rmtree(out / TWIN, ignore_errors=True)
        written += _copy_tree(ROOT / SOURCE, out / TWIN, tests=False)
    if tests:
        shutil.rmtree(out / TWIN_TESTS, ignore_errors=True)
        written += _copy_tree(ROOT / TESTS, out / TWIN_TESTS, tests=True)
        written += _extras(out / TWIN_TESTS)
    _format(written)


def _differences(fresh: Path, committed: Path) -> list[str]:
    lines: list[str] = []
    fresh_files = {p.relative_to(fresh) for p in _python_files(fresh)}
    committed_files = {p.relative_to(committed) for p in _python_files(committed)}
    for rel in sorted(fresh_files | committed_files):
        a, b = committed / rel, fresh / rel
        if not a.exists():
            lines.append(f"missing (generate it): {TWIN}/{rel}")
        elif not b.exists():
            lines.append(f"not generated by the script (delete it): {TWIN}/{rel}")
        elif not filecmp.cmp(a, b, shallow=False):
            diff = difflib.unified_diff(
                a.read_text().splitlines(), b.read_text().splitlines(), lineterm="", n=0
            )
            changed = [d for d in diff if d[:1] in "+-" and d[:3] not in ("+++", "---")]
            lines.append(f"stale: {TWIN}/{rel} ({len(changed)} changed lines)")
            lines += [f"    {d}" for d in changed[:6]]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed twin is stale")
    parser.add_argument("--tests", action="store_true", help="generate tests_httpx2/ only")
    args = parser.parse_args(argv)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            generate(Path(tmp), tests=False)
            problems = _differences(Path(tmp) / TWIN, ROOT / TWIN)
        if problems:
            print(f"{TWIN}/ is stale: run `python tools/generate_httpx2.py`", file=sys.stderr)
            print("\n".join(problems), file=sys.stderr)
            return 1
        print(f"{TWIN}/ is up to date with {SOURCE}/")
        return 0
    generate(ROOT, package=not args.tests)
    return 0


if __name__ == "__main__":
    sys.exit(main())
