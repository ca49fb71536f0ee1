# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/testing/__init__.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""An emulator of the MeetingBooster REST API for tests, demos and benchmarks.

Three ways to run it:

1. in process: ``httpx2.ASGITransport(app=Emulator(...))`` (or ``emulator.transport()``);
2. as a real HTTP server: ``with serve(emulator) as server:`` / ``async with aserve(...)``;
3. from a shell: ``python -m meetingbooster_async_httpx2.testing --port 8000 --user EMAIL:PASSWORD``.

The pytest plugin (loaded automatically) adds the ``meetingbooster_emulator``,
``meetingbooster_server`` and ``meetingbooster_client`` fixtures.
"""

from ._emulator import Emulator
from ._faults import BODY_PRESETS, DROP_MODES, Faults
from ._routes import ROUTES
from ._server import EmulatorServer, aserve, serve
from ._settings import EmulatorSettings
from ._stats import EmulatorStats

__all__ = [
    "BODY_PRESETS",
    "DROP_MODES",
    "ROUTES",
    "Emulator",
    "EmulatorServer",
    "EmulatorSettings",
    "EmulatorStats",
    "Faults",
    "aserve",
    "serve",
]
