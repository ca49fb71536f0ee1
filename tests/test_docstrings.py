"""Every public name, method and property has a docstring of its own.

The API reference (docs/reference/) is generated from these docstrings. A method's *own*
docstring counts, not one inherited through ``inspect.getdoc``: ``MeetingBoosterClient.aclose``
would otherwise borrow httpx's "Close transport and proxies." while it also signs out.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

import meetingbooster_async
import meetingbooster_async.testing

PUBLIC_MODULES = (meetingbooster_async, meetingbooster_async.testing)


def _ours(obj: Any) -> bool:
    return str(getattr(obj, "__module__", "")).startswith("meetingbooster_async")


def _function(value: Any) -> Any:
    """The function behind a class attribute, or None if it is not a method or property."""
    if isinstance(value, staticmethod | classmethod):
        value = value.__func__
    if isinstance(value, property):
        return value.fget
    return value if inspect.isfunction(value) else None


def public_callables(module: ModuleType) -> Iterator[tuple[str, Any]]:
    """(name, object) for every public function, class, method and property of ``module``."""
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.isclass(obj):
            yield f"{module.__name__}.{name}", obj
            seen: set[str] = set()
            for klass in obj.__mro__:
                if not _ours(klass):
                    continue  # httpx's and the standard library's own methods are theirs
                for attribute, value in vars(klass).items():
                    function = _function(value)
                    if attribute.startswith("_") or attribute in seen or function is None:
                        continue
                    if issubclass(obj, enum.Enum) and attribute in {"name", "value"}:
                        continue
                    seen.add(attribute)
                    yield f"{module.__name__}.{name}.{attribute}", function
        elif callable(obj) and _ours(obj):
            yield f"{module.__name__}.{name}", obj


def test_the_walk_sees_the_public_api() -> None:
    names = {name for module in PUBLIC_MODULES for name, _ in public_callables(module)}
    assert "meetingbooster_async.MeetingBoosterClient.aclose" in names
    assert "meetingbooster_async.TokenStore.compare_and_set" in names
    assert "meetingbooster_async.UserSession.get" in names
    assert "meetingbooster_async.testing.Emulator.advance" in names
    assert len(names) > 150


@pytest.mark.parametrize("module", PUBLIC_MODULES, ids=lambda m: m.__name__)
def test_every_public_callable_has_a_docstring(module: ModuleType) -> None:
    missing = sorted(
        name for name, obj in public_callables(module) if not (obj.__doc__ or "").strip()
    )
    assert missing == [], f"{len(missing)} without a docstring: {', '.join(missing)}"
