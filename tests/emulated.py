"""The in-process emulator and client the typed-API tests share (fixtures in conftest.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from meetingbooster_async import Meeting, MeetingBoosterClient
from meetingbooster_async.testing import Emulator, EmulatorSettings

URL = "https://meetingbooster.test"  # in process: no network, any https URL works
ANN, BOB, PASSWORD = "ann@example.com", "bob@example.com", "secret"

Client = MeetingBoosterClient


def make_emulator(settings: EmulatorSettings | None = None) -> Emulator:
    """Ann with 3 meetings, Bob with 2."""
    emulator = Emulator(settings, users={ANN: PASSWORD}, meetings_per_user=3)
    emulator.add_user(BOB, PASSWORD, meetings=2)
    return emulator


def make_client(emulator: Emulator, user: str = ANN, **kwargs: Any) -> Client:
    """A client for ``user`` talking to ``emulator`` in process."""
    return Client(URL, username=user, password=PASSWORD, transport=emulator.transport(), **kwargs)


def new_meeting(title: str) -> Meeting:
    """A meeting with a fresh GUID id, on 6 May 2024, 9:00 to 10:00 UTC."""
    start = datetime(2024, 5, 6, 9, tzinfo=UTC)
    return Meeting(id=str(uuid.uuid4()), title=title, start=start, end=start.replace(hour=10))
