"""Shared test configuration: every async test runs on asyncio and on trio."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from meetingbooster_async import _auth, _client
from meetingbooster_async._retry import RetryPolicy
from meetingbooster_async.testing import Emulator

from .emulated import Client, Wire, make_client, make_emulator
from .fakes import FakeClock

#: The default policies with millisecond backoffs: tests count retries, they do not wait.
FAST_RETRY = RetryPolicy(max_retries=2, backoff_initial=0.001, backoff_max=0.004)


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(autouse=True)
def _fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_auth, "DEFAULT_TOKEN_RETRY", FAST_RETRY)
    monkeypatch.setattr(_client, "DEFAULT_RETRY", FAST_RETRY)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# --- The emulator every behaviour test talks to (tests/emulated.py holds the helpers) --------


@pytest.fixture
def emulator(clock: FakeClock) -> Emulator:
    """Ann with 3 meetings, Bob with 2, in process; its tokens expire on ``clock``."""
    return make_emulator(clock=clock)


@pytest.fixture
def wire(emulator: Emulator) -> Wire:
    """``emulator``'s transport, keeping a copy of each request a client sends through it."""
    return Wire(emulator)


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[Client]:
    """Ann's client on ``emulator``, without retries (tests count requests)."""
    async with make_client(emulator, retry=RetryPolicy(max_retries=0)) as client:
        yield client
