"""The pytest plugin's fixtures, used the way a user's own tests would use them."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import httpx
import pytest

from meetingbooster_async.testing import Emulator, EmulatorServer

from .helpers import password_form


@pytest.mark.anyio
async def test_meetingbooster_emulator_is_a_seeded_in_process_app(
    meetingbooster_emulator: Emulator, meetingbooster_credentials: tuple[str, str]
) -> None:
    email, password = meetingbooster_credentials
    assert [user["Email"] for user in meetingbooster_emulator.users()] == [email]
    assert len(meetingbooster_emulator.meetings(email)) == 3
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=meetingbooster_emulator), base_url="https://mb.test"
    ) as client:
        response = await client.post("/oauth", data=password_form(email, password))
    assert response.status_code == 200


def test_meetingbooster_server_serves_that_emulator_over_http(
    meetingbooster_server: EmulatorServer,
    meetingbooster_emulator: Emulator,
    meetingbooster_credentials: tuple[str, str],
) -> None:
    assert meetingbooster_server.emulator is meetingbooster_emulator
    with httpx.Client(base_url=meetingbooster_server.url) as client:
        assert client.post("/oauth", data=password_form(*meetingbooster_credentials)).is_success
    assert meetingbooster_emulator.stats().oauth_calls == {"password": 1}


@pytest.mark.anyio
async def test_meetingbooster_client_is_logged_in_on_first_use(
    meetingbooster_client: Any, meetingbooster_emulator: Emulator
) -> None:
    response = await meetingbooster_client.get("/api/v1/mymeetings/list")

    assert response.status_code == 200
    assert len(response.json()) == 3
    assert meetingbooster_emulator.stats().oauth_calls == {"password": 1}


def test_loading_the_plugin_does_not_import_uvicorn() -> None:
    code = (
        "import sys, meetingbooster_async.testing._pytest_plugin; print('uvicorn' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
