"""Inputs at the edge of what the client accepts: a pool of zero, a ``Retry-After`` past the
deadline, JSON nested past Python's recursion limit. Each gets a typed answer, at once."""

from __future__ import annotations

import anyio
import pytest

from meetingbooster_async import ConfigurationError, MeetingBoosterClient, OAuthResponseError
from meetingbooster_async.testing import Emulator

from .emulated import LIST, URL, make_client

pytestmark = pytest.mark.anyio


def test_max_in_flight_must_be_positive() -> None:
    with pytest.raises(ConfigurationError):
        MeetingBoosterClient(URL, username="a", password="b", max_in_flight=0)


async def test_a_retry_after_longer_than_the_deadline_answers_at_once(emulator: Emulator) -> None:
    emulator.faults.force("list", status=503, headers={"Retry-After": "30"}, times=5)
    async with make_client(emulator, deadline=5) as client:
        with anyio.fail_after(2):
            response = await client.get(LIST)
    assert response.status_code == 503 and emulator.stats().answered("list") == 1


async def test_deeply_nested_json_is_a_typed_error() -> None:
    emulator = Emulator(users={"ann@example.com": "p"})
    emulator.faults.force("oauth", status=200, body=b"[" * 100_000)
    async with MeetingBoosterClient(
        URL, username="ann@example.com", password="p", transport=emulator.transport()
    ) as client:
        with pytest.raises(OAuthResponseError):
            await client.get(LIST)
