"""Fixtures for the emulator's own tests: a fresh emulator and raw httpx clients for it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from meetingbooster_async.testing import Emulator, EmulatorSettings

from .helpers import ANN, BOB, PASSWORD, login


@pytest.fixture
def settings() -> EmulatorSettings:
    return EmulatorSettings()


@pytest.fixture
def emulator(settings: EmulatorSettings) -> Emulator:
    emulator = Emulator(settings, users={ANN: PASSWORD}, meetings_per_user=3)
    emulator.add_user(BOB, "bobs-password", meetings=2)
    return emulator


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=emulator.transport(), base_url="https://meetingbooster.test"
    ) as client:
        yield client


@pytest.fixture
async def token(client: httpx.AsyncClient) -> str:
    """An access token of ANN."""
    return str((await login(client))["access_token"])
