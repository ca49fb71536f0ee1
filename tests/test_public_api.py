"""The public surface: one flat, sorted __all__, and nothing private leaks into it."""

from __future__ import annotations

import meetingbooster_async


def test_all_is_sorted_and_complete() -> None:
    names = meetingbooster_async.__all__
    assert names == sorted(names)
    for name in names:
        assert hasattr(meetingbooster_async, name), name
    public = {n for n in vars(meetingbooster_async) if not n.startswith(("_", "@"))}
    assert public <= set(names) | {"testing", "resources"}


def test_every_error_derives_from_the_root() -> None:
    for name in meetingbooster_async.__all__:
        obj = getattr(meetingbooster_async, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, meetingbooster_async.MeetingBoosterError), name


def test_the_package_is_typed() -> None:
    from importlib.resources import files

    assert files("meetingbooster_async").joinpath("py.typed").is_file()
