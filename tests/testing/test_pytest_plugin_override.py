"""A user's conftest (here: this module) can override the plugin's settings and credentials."""

from __future__ import annotations

import pytest

from meetingbooster_async.testing import Emulator, EmulatorSettings


@pytest.fixture
def meetingbooster_settings() -> EmulatorSettings:
    return EmulatorSettings(token_lifetime=60, rotate_refresh_tokens=False)


@pytest.fixture
def meetingbooster_credentials() -> tuple[str, str]:
    return "carol@example.com", "carols-password"


def test_overridden_fixtures_shape_the_emulator(meetingbooster_emulator: Emulator) -> None:
    assert meetingbooster_emulator.settings.token_lifetime == 60
    assert meetingbooster_emulator.settings.rotate_refresh_tokens is False
    assert meetingbooster_emulator.users()[0]["Email"] == "carol@example.com"
