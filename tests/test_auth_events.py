"""``on_event``: one secret-free AuthEvent per /oauth grant, for a client and its users."""

from __future__ import annotations

import logging

import pytest

from meetingbooster_async import AuthEvent, LoginFailedError, MeetingBoosterError, RetryPolicy
from meetingbooster_async.testing import Emulator

from .emulated import ANN, BOB, LIST, PASSWORD, make_client

pytestmark = pytest.mark.anyio


def outcomes(events: list[AuthEvent]) -> list[tuple[str, str, str]]:
    return [(e.username, e.grant, e.outcome) for e in events]


async def test_every_grant_of_a_client_and_its_users_is_told(emulator: Emulator) -> None:
    events: list[AuthEvent] = []
    async with make_client(emulator, on_event=events.append) as client:
        await client.get(LIST)
        bob = client.as_user(BOB, PASSWORD)  # a sibling made after: heard too
        await bob.get(LIST)
        emulator.expire_access_tokens(ANN)
        await client.get(LIST)  # a 401, one refresh, the request again
        await bob.signout()
    assert outcomes(events) == [
        (ANN, "password", "ok"),
        (BOB, "password", "ok"),
        (ANN, "refresh_token", "ok"),
        (BOB, "signout", "ok"),
        (ANN, "signout", "ok"),  # on close
    ]
    assert all(e.at > 0 and e.retry_in_seconds == 0 for e in events)


async def test_a_refusal_carries_the_servers_wait_and_no_secret(emulator: Emulator) -> None:
    events: list[AuthEvent] = []
    async with make_client(emulator, password="wrong password", on_event=events.append) as client:
        with pytest.raises(LoginFailedError):
            await client.get(LIST)
    [event] = events
    assert (event.grant, event.outcome) == ("password", "refused")
    assert event.retry_in_seconds > 0
    assert "wrong password" not in repr(event)


async def test_a_grant_without_an_answer_is_failed(emulator: Emulator) -> None:
    events: list[AuthEvent] = []
    emulator.faults.drop("oauth", mode="reset", times=3)
    client = make_client(emulator, on_event=events.append, retry=RetryPolicy(max_retries=0))
    async with client:
        with pytest.raises(MeetingBoosterError):
            await client.get(LIST)
    assert outcomes(events) == [(ANN, "password", "failed")]  # its three attempts: one grant


async def test_a_listener_that_raises_is_logged_and_the_request_goes_on(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    heard: list[AuthEvent] = []

    def broken(event: AuthEvent) -> None:
        raise RuntimeError("a listener bug")

    async with make_client(emulator, on_event=broken) as client:
        client.mb_auth.events.add(heard.append)
        with caplog.at_level(logging.ERROR, logger="meetingbooster_async"):
            assert (await client.get(LIST)).status_code == 200
        client.mb_auth.events.remove(heard.append)  # a new bound method, equal: removed
        client.mb_auth.events.remove(broken)
        assert not client.mb_auth.events
    assert [e.grant for e in heard] == ["password"]
    assert "on_event listener failed" in caplog.text
