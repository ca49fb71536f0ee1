"""MyMeetings Sync: everything, or new/modified/deleted since a token, with properties."""

from __future__ import annotations

import base64

import httpx
import pytest

from meetingbooster_async.testing import Emulator, EmulatorSettings

from .helpers import ANN, BOB, SYNC, bearer, login, states, sync

pytestmark = pytest.mark.anyio

SYNC_KEYS = {
    "CalendarEntries",
    "CalendarRecurrences",
    "Meetings",
    "MeetingRecurrences",
    "SyncToken",
}


async def test_first_sync_returns_every_meeting_as_new(
    emulator: Emulator, client: httpx.AsyncClient, token: str
) -> None:
    result = await sync(client, token)

    assert set(result) == SYNC_KEYS
    assert result["CalendarEntries"] == []  # calendar entries never flow server → client
    ids = [m["Id"] for m in emulator.meetings(ANN)]
    assert sorted(states(result)) == sorted(("NEW", meeting_id) for meeting_id in ids)
    item = result["Meetings"][0]
    assert list(item) == ["State", "ClientSyncId", "LastModified", "Meeting"]
    assert item["ClientSyncId"] is None
    assert item["LastModified"] == item["Meeting"]["ModifiedTime"]
    base64.b64decode(result["SyncToken"], validate=True)  # opaque, base64-looking


async def test_sync_with_a_token_returns_only_changes_since(
    emulator: Emulator, client: httpx.AsyncClient, token: str
) -> None:
    first = await sync(client, token)
    assert (await sync(client, token, synctoken=first["SyncToken"]))["Meetings"] == []

    kept, changed, deleted = (m["Id"] for m in emulator.meetings(ANN))
    emulator.update_meeting(changed, Title="Renamed")
    emulator.delete_meeting(deleted)
    created = emulator.add_meeting(ANN, Title="Fresh", Start="2025-01-01T10:00:00Z")["Id"]
    emulator.add_meeting(BOB, Title="Not Ann's")

    second = await sync(client, token, synctoken=first["SyncToken"])

    assert states(second) == [("NEW", created), ("MODIFIED", changed), ("DELETED", deleted)]
    assert second["Meetings"][1]["Meeting"]["Title"] == "Renamed"
    assert second["Meetings"][2]["Meeting"] == {"Id": deleted}  # a deletion carries only the Id
    assert kept not in {meeting_id for _, meeting_id in states(second)}
    assert second["SyncToken"] != first["SyncToken"]
    third = await sync(client, token, synctoken=second["SyncToken"])
    assert third["Meetings"] == []
    # The old token still works: several devices can sync independently.
    assert len((await sync(client, token, synctoken=first["SyncToken"]))["Meetings"]) == 3


async def test_a_meeting_created_and_deleted_since_the_token_is_not_reported(
    emulator: Emulator, client: httpx.AsyncClient, token: str
) -> None:
    first = await sync(client, token)
    meeting_id = emulator.add_meeting(ANN, Title="Short-lived")["Id"]
    emulator.delete_meeting(meeting_id)
    assert (await sync(client, token, synctoken=first["SyncToken"]))["Meetings"] == []


async def test_properties_restricts_what_counts_as_modified(
    emulator: Emulator, client: httpx.AsyncClient, token: str
) -> None:
    first = await sync(client, token)
    title_changed, location_changed, _ = (m["Id"] for m in emulator.meetings(ANN))
    emulator.update_meeting(title_changed, Title="New title")
    emulator.update_meeting(location_changed, Location="Elsewhere")
    since = first["SyncToken"]

    everything = await sync(client, token, synctoken=since)
    only_start = await sync(client, token, synctoken=since, properties="Start,End")
    only_title = await sync(client, token, synctoken=since, properties=" title , ")

    # Location is not one of the documented tracked properties.
    assert states(everything) == [("MODIFIED", title_changed)]
    assert states(only_start) == []
    assert states(only_title) == [("MODIFIED", title_changed)]


async def test_unchanged_values_do_not_count_as_modified(
    emulator: Emulator, client: httpx.AsyncClient, token: str
) -> None:
    first = await sync(client, token)
    meeting = emulator.meetings(ANN)[0]
    emulator.update_meeting(meeting["Id"], Title=meeting["Title"], Start=meeting["Start"])
    assert (await sync(client, token, synctoken=first["SyncToken"]))["Meetings"] == []


async def test_unknown_properties_are_refused(client: httpx.AsyncClient, token: str) -> None:
    response = await client.get(SYNC, headers=bearer(token), params={"properties": "Location"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "bad_token",
    [
        "garbage!",
        base64.b64encode(b"mbsync:m:someone-else:1").decode(),
        base64.b64encode(b"mbsync:t:x:0").decode(),
    ],
    ids=["not-base64", "other-user", "task-token"],
)
async def test_a_token_this_emulator_did_not_issue_is_refused(
    client: httpx.AsyncClient, token: str, bad_token: str
) -> None:
    response = await client.get(SYNC, headers=bearer(token), params={"synctoken": bad_token})
    assert response.status_code == 400
    assert response.json()["ErrorCode"] == "INVALIDSYNCTOKEN"


async def test_another_users_token_is_refused(client: httpx.AsyncClient, token: str) -> None:
    bob = (await login(client, BOB, "bobs-password"))["access_token"]
    bobs = (await sync(client, bob))["SyncToken"]
    response = await client.get(SYNC, headers=bearer(token), params={"synctoken": bobs})
    assert response.status_code == 400


@pytest.mark.parametrize("settings", [EmulatorSettings(invalid_sync_token_status=410)])
async def test_invalid_sync_token_status_is_a_setting(
    client: httpx.AsyncClient, token: str
) -> None:
    response = await client.get(SYNC, headers=bearer(token), params={"synctoken": "eA=="})
    assert response.status_code == 410
