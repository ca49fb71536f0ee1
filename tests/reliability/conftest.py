"""One emulator served over real HTTP per test module, reset before every test."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from meetingbooster_async.testing import EmulatorServer, EmulatorSettings, serve

from .helpers import ReliabilityEmulator, new_emulator


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with serve(new_emulator()) as running:
        yield running


@pytest.fixture
def emulator(
    server: EmulatorServer, request: pytest.FixtureRequest
) -> Iterator[ReliabilityEmulator]:
    """The server's emulator with fresh settings, no tokens, lockouts, faults or counts."""
    emulator = server.emulator
    assert isinstance(emulator, ReliabilityEmulator)
    emulator.settings = EmulatorSettings()
    emulator.retry_after = None
    emulator.faults.clear()
    emulator.restart()
    emulator.clear_lockouts()
    emulator.reset_stats()
    yield emulator
    emulator.faults.clear()
    emulator.retry_after = None
    # On trio, collect this test's garbage now: anything left unclosed (see
    # test_cancel_hygiene.py) then fails this test, not whichever test the collector runs next.
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and callspec.params.get("anyio_backend") == "trio":
        gc.collect()
