"""The package's layers, pinned: every module sits in one layer and imports only its own layer
or those below it, and no import circle exists, not even one of type-only imports.

The imports are read from the source with ``ast`` (nothing is executed): module level, inside
functions, under ``if TYPE_CHECKING:``, relative and absolute. An import of a module inside a
subpackage also counts as an import of that subpackage's ``__init__`` (Python runs it first).

The table below is the drawing; README's "Development" section shows the same table (a test
compares them). A module that is not in the table fails: decide its layer and add it here and
in the README. A generated twin (issue 14) follows the same table for its own modules, as a
package beside this one (``meetingbooster_async_httpx2/``) or inside it (``httpx2/``):
``httpx2/_client.py`` is in the layer of ``_client``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

import meetingbooster_async

#: The layers, lowest first. A module imports only from its own layer or a lower one.
#: ``resources`` is a subpackage: all of its modules are in its layer.
LAYERS: dict[str, tuple[str, ...]] = {
    "Leaves": (
        "_version", "_enums", "_models", "_errors", "_logging", "_api_error", "_retry_after",
    ),
    "Pure rules": (
        "_security", "_retry", "_oauth", "_token_policy", "_oauth_guard", "_futile", "_tokens",
        "_recovery", "_store", "_paging", "_wire", "_converter", "_body", "_aiohttp_errors",
        "_events", "_fleet_report",
    ),
    "I/O": (
        "_oauth_sender", "_transport", "_redis_store", "_exchange", "_auth", "_gate",
        "_hotpath", "_aiohttp_transport", "_asyncio_stream", "_checkpoints", "_credentials",
    ),
    "Surface": ("resources", "_client", "_users", "_syncjob", "_fleet"),
    "Apps": ("_cli", "_fleet_cli", "_demo", "_demo_fleet", "_progress", "__main__"),
}  # fmt: skip
#: The bundled emulator. It imports nothing from the SDK's internals: only its own modules and
#: the public package (``import meetingbooster_async``). Only the apps (the demo) import it.
TESTING = "testing"
#: A generated twin of the whole package on httpx2: its modules follow the same table.
TWIN = "httpx2"

PACKAGE = meetingbooster_async.__name__
ROOT = Path(meetingbooster_async.__file__).parent
#: This package and any generated twin beside it (issue 14: ``meetingbooster_async_httpx2``),
#: each held to the same table.
TREES = {
    path.name: path
    for path in sorted(ROOT.parent.glob(f"{PACKAGE}*"))
    if (path / "__init__.py").is_file()
}

Module = tuple[str, ...]  # path parts under the package; () is the package's own __init__


def dotted(module: Module, package: str = PACKAGE) -> str:
    return ".".join((package, *module))


@attrs.frozen
class Import:
    source: Module
    target: Module
    line: int
    type_only: bool
    package: str = PACKAGE

    def __str__(self) -> str:
        kind = " (type-only)" if self.type_only else ""
        source, target = dotted(self.source, self.package), dotted(self.target, self.package)
        return f"{source}:{self.line} -> {target}{kind}"


# Finding the modules and their imports


def modules(root: Path) -> dict[Module, Path]:
    """Every module under ``root``, keyed by its path parts (a package by its folder)."""
    found: dict[Module, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if "__pycache__" in parts:
            continue
        found[parts[:-1] if parts[-1] == "__init__" else parts] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(
    node: ast.AST, type_only: bool = False
) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node, type_only
    if isinstance(node, ast.If) and _is_type_checking(node.test):
        for child in node.body:
            yield from _import_nodes(child, True)
        for child in node.orelse:
            yield from _import_nodes(child, type_only)
        return
    for child in ast.iter_child_nodes(node):
        yield from _import_nodes(child, type_only)


def imports(root: Path, package: str = PACKAGE) -> list[Import]:
    """Every import of a module of the package by a module of the package."""
    known = modules(root)
    found: list[Import] = []
    for source, path in known.items():
        is_package = path.name == "__init__.py"
        here = source if is_package else source[:-1]  # the package a relative import starts at
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, type_only in _import_nodes(tree):
            targets: list[Module] = []
            if isinstance(node, ast.Import):
                for alias in node.names:
                    parts = tuple(alias.name.split("."))
                    if parts[0] == package:
                        targets.append(parts[1:])
            else:
                if node.level:
                    if node.level - 1 > len(here):
                        continue
                    base = here[: len(here) - (node.level - 1)]
                    base += tuple(node.module.split(".")) if node.module else ()
                else:
                    parts = tuple((node.module or "").split("."))
                    if parts[0] != package:
                        continue
                    base = parts[1:]
                for alias in node.names:
                    # `from pkg import name`: the submodule `name` if there is one, else pkg.
                    submodule = (*base, alias.name)
                    targets.append(submodule if submodule in known else base)
            for target in targets:
                # Importing a.b.c runs a/__init__ and a/b/__init__ first, unless the importer
                # is inside them already (the package root always is).
                chain = [target[:i] for i in range(1, len(target))] + [target]
                for module in chain:
                    if module != source and source[: len(module)] != module:
                        found.append(Import(source, module, node.lineno, type_only, package))
    return sorted(set(found), key=lambda imp: (imp.source, imp.line, imp.target))


# The rules


def split_twin(module: Module) -> tuple[Module, Module]:
    """(the twin's prefix or (), the module's place inside it)."""
    if module[:1] == (TWIN,):
        return module[:1], module[1:]
    return (), module


def layer_of(module: Module) -> str | None:
    """The layer's name, ``"public"`` for a package root, or None when the table lacks it."""
    _, inner = split_twin(module)
    if not inner:
        return "public"
    if inner[0] == TESTING:
        return TESTING
    for name, members in LAYERS.items():
        if inner[0] in members:
            return name
    return None


def rank(layer: str) -> int:
    order = list(LAYERS)
    if layer == "public":
        return len(order) + 1
    if layer == TESTING:  # beside the apps: only they (and the public root) may import it
        return order.index("Apps")
    return order.index(layer)


def violation(imp: Import) -> str | None:
    """Why this import breaks the layers, or None when it keeps them."""
    source_twin, _ = split_twin(imp.source)
    target_twin, target_inner = split_twin(imp.target)
    source_layer, target_layer = layer_of(imp.source), layer_of(imp.target)
    if source_layer is None or target_layer is None:
        return None  # reported by test_every_module_has_a_layer
    if source_layer == "public":
        return None  # the public surface re-exports anything
    if target_twin and not source_twin:
        return "imports the generated httpx2 twin (the twin is made from this code, not under it)"
    if source_layer == TESTING:
        if target_twin == source_twin and (target_layer == TESTING or not target_inner):
            return None
        return "testing/ imports SDK internals (only its own modules and the public package)"
    if target_layer == "public":
        return "imports the public package root (it imports every layer)"
    if rank(target_layer) > rank(source_layer):
        return f"imports upward ({source_layer} -> {target_layer})"
    return None


def violations(found: list[Import]) -> list[str]:
    return [f"{imp}: {why}" for imp in found if (why := violation(imp)) is not None]


def circles(found: list[Import]) -> list[list[Module]]:
    """Every import circle (type-only imports count), one per strongly connected group."""
    graph: dict[Module, set[Module]] = {}
    for imp in found:
        graph.setdefault(imp.source, set()).add(imp.target)
        graph.setdefault(imp.target, set())
    index: dict[Module, int] = {}
    low: dict[Module, int] = {}
    stack: list[Module] = []
    groups: list[list[Module]] = []

    def visit(node: Module) -> None:  # Tarjan's algorithm; the graph is small
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group: list[Module] = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def describe(group: list[Module], found: list[Import]) -> str:
    """The group's shortest circle, import by import."""
    members = set(group)
    edges: dict[Module, list[Import]] = {}
    for imp in found:
        if imp.source in members and imp.target in members:
            edges.setdefault(imp.source, []).append(imp)
    best: list[Import] = []
    for start in group:  # breadth first from each member: the first way back is the shortest
        came: dict[Module, Import] = {}
        queue = [start]
        while queue and start not in came:
            node = queue.pop(0)
            for imp in edges.get(node, []):
                if imp.target not in came:
                    came[imp.target] = imp
                    queue.append(imp.target)
        path = [came[start]]
        while path[0].source != start:
            path.insert(0, came[path[0].source])
        if not best or len(path) < len(best):
            best = path
    return f"circle through {len(group)} modules:\n    " + "\n    ".join(map(str, best))


def unplaced(root: Path, package: str = PACKAGE) -> list[str]:
    return [dotted(m, package) for m in modules(root) if layer_of(m) is None]


# The package as it is


@pytest.mark.parametrize("package", list(TREES))
def test_every_module_has_a_layer(package: str) -> None:
    assert unplaced(TREES[package], package) == [], "put it in LAYERS (and README's table)"


def test_the_table_names_only_modules_that_exist() -> None:
    present = {m[0] for m in modules(ROOT) if m}
    listed = {name for members in LAYERS.values() for name in members}
    assert listed - present == set()
    assert len(listed) == sum(len(members) for members in LAYERS.values()), "listed twice"


@pytest.mark.parametrize("package", list(TREES))
def test_no_module_imports_upward(package: str) -> None:
    found = violations(imports(TREES[package], package))
    assert not found, "\n".join(found)


@pytest.mark.parametrize("package", list(TREES))
def test_no_import_circles(package: str) -> None:
    found = imports(TREES[package], package)
    described = [describe(group, found) for group in circles(found)]
    assert not described, "\n".join(described)


def test_readme_shows_the_same_table() -> None:
    readme = (ROOT.parent / "README.md").read_text(encoding="utf-8")
    development = readme.split("\n## Development", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in development.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.lstrip().startswith("|") and len(cells) >= 2 and cells[0].strip("*") in LAYERS:
            rows[cells[0].strip("*")] = tuple(re.findall(r"`([\w/]+?)/?`", cells[1]))
    assert rows == LAYERS


# The checker itself: it must see what it is meant to catch


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / PACKAGE
    for name, text in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_an_upward_import_inside_a_function_is_caught(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "_errors.py": "def f():\n    from .resources import api_error_of\n",
            "resources/__init__.py": "from ._send import api_error_of\n",
            "resources/_send.py": "from .._errors import f\n",
        },
    )
    found = imports(root)
    assert violations(found) == [
        f"{PACKAGE}._errors:2 -> {PACKAGE}.resources: imports upward (Leaves -> Surface)"
    ]
    assert circles(found) == [[("_errors",), ("resources",), ("resources", "_send")]]


def test_a_type_only_circle_and_absolute_imports_are_caught(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "_client.py": f"from {PACKAGE}._users import UserSession\n",
            "_users.py": (
                "from typing import TYPE_CHECKING\n"
                f"if TYPE_CHECKING:\n    import {PACKAGE}._client\n"
            ),
        },
    )
    found = imports(root)
    assert [str(imp) for imp in found] == [
        f"{PACKAGE}._client:1 -> {PACKAGE}._users",
        f"{PACKAGE}._users:3 -> {PACKAGE}._client (type-only)",
    ]
    assert violations(found) == []  # the same layer...
    assert circles(found) == [[("_client",), ("_users",)]]  # ...but a circle


def test_testing_may_use_only_itself_and_the_public_package(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "_models.py": "",
            "testing/__init__.py": "from ._emulator import Emulator\n",
            "testing/_emulator.py": (
                f"import {PACKAGE}\nfrom .. import _models\nfrom . import _http\n"
            ),
            "testing/_http.py": "",
        },
    )
    assert violations(imports(root)) == [
        f"{PACKAGE}.testing._emulator:2 -> {PACKAGE}._models: "
        "testing/ imports SDK internals (only its own modules and the public package)"
    ]


def test_the_twin_follows_the_same_table(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "_tokens.py": "",
            "_client.py": "from .httpx2 import _client\n",
            "httpx2/__init__.py": "from ._client import Client\n",
            "httpx2/_client.py": "from ._auth import Auth\nfrom .._tokens import TokenManager\n",
            "httpx2/_auth.py": "from ._client import Client\n",
            "httpx2/_extra.py": "",
        },
    )
    found = imports(root)
    assert violations(found) == [
        f"{PACKAGE}._client:1 -> {PACKAGE}.httpx2: "
        "imports the generated httpx2 twin (the twin is made from this code, not under it)",
        f"{PACKAGE}._client:1 -> {PACKAGE}.httpx2._client: "
        "imports the generated httpx2 twin (the twin is made from this code, not under it)",
        f"{PACKAGE}.httpx2._auth:1 -> {PACKAGE}.httpx2._client: imports upward (I/O -> Surface)",
    ]
    assert circles(found) == [[("httpx2", "_auth"), ("httpx2", "_client")]]
    assert unplaced(root) == [f"{PACKAGE}.httpx2._extra"]


@pytest.mark.parametrize("module", ["_version", "_tokens", "_auth", "_client", "_demo"])
def test_every_layer_may_import_the_leaves(module: str) -> None:
    assert violation(Import((module,), ("_errors",), 1, False)) is None
