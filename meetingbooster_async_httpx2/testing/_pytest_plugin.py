# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/testing/_pytest_plugin.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""Pytest fixtures that give a test a running MeetingBooster emulator (loaded automatically).

Override ``meetingbooster_settings`` or ``meetingbooster_credentials`` in a ``conftest.py`` to
change the emulator every fixture builds. Emulator classes are imported inside the fixtures,
so loading this plugin costs nothing for test runs that do not use them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from . import Emulator, EmulatorServer, EmulatorSettings

#: The base URL the in-process client uses (no network: any https URL works).
IN_PROCESS_URL = "https://meetingbooster.test"


@pytest.fixture
def meetingbooster_settings() -> EmulatorSettings:
    """The emulator's settings (override this fixture to change them)."""
    from . import EmulatorSettings

    return EmulatorSettings()


@pytest.fixture
def meetingbooster_credentials() -> tuple[str, str]:
    """``(email, password)`` of the user the emulator fixtures create."""
    return "user@example.com", "password"


@pytest.fixture
def meetingbooster_emulator(
    meetingbooster_settings: EmulatorSettings, meetingbooster_credentials: tuple[str, str]
) -> Emulator:
    """A fresh emulator with one user (``meetingbooster_credentials``) and 3 meetings.

    Use it in process with ``httpx2.ASGITransport(app=meetingbooster_emulator)``; script
    faults with ``meetingbooster_emulator.faults``; read counters with ``.stats()``.
    """
    from . import Emulator

    email, password = meetingbooster_credentials
    return Emulator(meetingbooster_settings, users={email: password}, meetings_per_user=3)


@pytest.fixture
def meetingbooster_server(meetingbooster_emulator: Emulator) -> Iterator[EmulatorServer]:
    """``meetingbooster_emulator`` served over real HTTP on 127.0.0.1 (``.url``); needs uvicorn."""
    from . import serve

    with serve(meetingbooster_emulator) as server:
        yield server


@pytest.fixture
async def meetingbooster_client(
    meetingbooster_emulator: Emulator,
    meetingbooster_credentials: tuple[str, str],
    anyio_backend: Any,
) -> AsyncIterator[Any]:
    """A ``MeetingBoosterClient`` for the fixture user, talking to the emulator in process.

    It logs in on its first request. Mark the test ``@pytest.mark.anyio``.
    """
    from meetingbooster_async_httpx2 import MeetingBoosterClient  # type: ignore[attr-defined,unused-ignore]

    email, password = meetingbooster_credentials
    async with MeetingBoosterClient(
        IN_PROCESS_URL,
        username=email,
        password=password,
        transport=meetingbooster_emulator.transport(),
    ) as client:
        yield client
