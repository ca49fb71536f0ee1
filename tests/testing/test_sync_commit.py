"""MyMeetings SyncCommit: applying meetings and calendar entries, all or nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from meetingbooster_async.testing import Emulator, EmulatorSettings

from .helpers import ANN, BOB, COMMIT, SYNC, bearer, commit, states, sync

pytestmark = pytest.mark.anyio


async def test_committing_the_unchanged_sync_changes_nothing(
    emulator: Emulator, client: httpx.AsyncClient, token: str
) -> None:
    before = emulator.meetings(ANN)
    first = await sync(client, token)

    answer = await commit(client, token, first)

    assert emulator.meetings(ANN) == before
    assert states(answer) == states(first)
    assert (await sync(client, token, synctoken=answer["SyncToken"]))["Meetings"] == []


async def test_commit_creates_modifies_and_deletes_meetings(
    emulator: Emulator, client: httpx.AsyncClient, token: str
) -> None:
    first = await sync(client, token)
    existing, doomed, _ = (m["Id"] for m in emulator.meetings(ANN))
    body = {
        "SyncToken": first["SyncToken"],
        "Meetings": [
            {
                "State": "NEW",
                "ClientSyncId": "local-1",
                "LastModified": "2024-03-01T11:00:00Z",
                "Meeting": {
                    "Id": "0A7C6E3E-0000-4000-8000-000000000001",
                    "Title": "Created offline",
                    "Start": "2024-03-04T09:00:00Z",
                    "End": "2024-03-04T10:00:00Z",
                    "Host": {"Id": "ignored", "Name": "x", "Email": "mallory@example.com"},
                },
            },
            {"State": "NEW", "ClientSyncId": "local-2", "Meeting": {"Title": "No Id given"}},
            {"State": "MODIFIED", "Meeting": {"Id": existing, "Title": "Edited offline"}},
            {"State": "DELETED", "Meeting": {"Id": doomed}},
        ],
    }

    answer = await commit(client, token, body)

    assert set(answer) == {*body, "CalendarEntries", "CalendarRecurrences", "MeetingRecurrences"}
    created = answer["Meetings"][0]["Meeting"]
    assert created["Id"] == "0A7C6E3E-0000-4000-8000-000000000001"
    assert created["Host"]["Email"] == ANN  # the host is the committing user
    generated = answer["Meetings"][1]["Meeting"]["Id"]
    assert generated  # the server assigned an Id
    assert answer["Meetings"][1]["ClientSyncId"] == "local-2"
    titles = {m["Id"]: m["Title"] for m in emulator.meetings(ANN)}
    assert titles[existing] == "Edited offline"
    assert titles[generated] == "No Id given"
    assert doomed not in titles
    # The answer's token is past the client's own changes: nothing is echoed back.
    assert (await sync(client, token, synctoken=answer["SyncToken"]))["Meetings"] == []
    # Other devices still see them.
    other_device = await sync(client, token, synctoken=first["SyncToken"])
    assert sorted(s for s, _ in states(other_device)) == ["DELETED", "MODIFIED", "NEW", "NEW"]


async def test_commit_finds_meetings_by_client_sync_id(
    emulator: Emulator, client: httpx.AsyncClient, token: str
) -> None:
    new = {"State": "NEW", "ClientSyncId": "task-7", "Meeting": {"Title": "v1"}}
    created = (await commit(client, token, {"Meetings": [new]}))["Meetings"][0]["Meeting"]

    edit = {"State": "MODIFIED", "ClientSyncId": "task-7", "Meeting": {"Title": "v2"}}
    await commit(client, token, {"Meetings": [edit]})
    assert emulator.meeting(created["Id"])["Title"] == "v2"

    first = await sync(client, token)
    item = next(i for i in first["Meetings"] if i["Meeting"]["Id"] == created["Id"])
    assert item["ClientSyncId"] == "task-7"

    delete = {"State": "DELETED", "ClientSyncId": "task-7", "Meeting": {}}
    await commit(client, token, {"Meetings": [delete]})
    after = await sync(client, token, synctoken=first["SyncToken"])
    assert after["Meetings"][0]["State"] == "DELETED"
    assert after["Meetings"][0]["ClientSyncId"] == "task-7"


async def test_a_new_item_within_one_commit_can_be_modified_later_in_it(
    emulator: Emulator, client: httpx.AsyncClient, token: str
) -> None:
    body = {
        "Meetings": [
            {"State": "NEW", "ClientSyncId": "c", "Meeting": {"Title": "a"}},
            {"State": "MODIFIED", "ClientSyncId": "c", "Meeting": {"Title": "b"}},
        ]
    }
    await commit(client, token, body)
    assert "b" in {m["Title"] for m in emulator.meetings(ANN)}


async def test_calendar_entries_are_stored_and_never_synced_back(
    emulator: Emulator, client: httpx.AsyncClient, token: str
) -> None:
    entry = {
        "State": "NEW",
        "LastModified": "2024-03-01T11:00:00Z",
        "ClientSyncId": "D585EAC9-86FE-42C3-89F2-9B5C0E721719",
        "CalendarEntry": {"Start": "2024-03-04T09:00:00Z", "End": "2024-03-04T17:00:00Z"},
    }
    recurrence = {
        "State": "NEW",
        "ClientSyncId": "19E8DF21",
        "Pattern": {"RecurrenceType": "WEEKLY", "Interval": 1, "DayOfWeekMask": 2},
    }
    answer = await commit(
        client, token, {"CalendarEntries": [entry], "CalendarRecurrences": [recurrence]}
    )

    assert answer["CalendarEntries"] == [entry]
    assert emulator.calendar_entries(ANN) == [entry]
    assert (await sync(client, token))["CalendarEntries"] == []

    gone = {"State": "DELETED", "ClientSyncId": entry["ClientSyncId"]}
    await commit(client, token, {"CalendarEntries": [gone]})
    assert emulator.calendar_entries(ANN) == []


async def test_the_docs_typo_calendaerentries_is_accepted(
    emulator: Emulator, client: httpx.AsyncClient, token: str
) -> None:
    entry = {
        "State": "NEW",
        "ClientSyncId": "typo",
        "CalendarEntry": {"Start": "2024-03-04T09:00:00Z", "End": "2024-03-04T10:00:00Z"},
    }
    await commit(client, token, {"CalendaerEntries": [entry]})
    assert emulator.calendar_entries(ANN) == [entry]


async def test_deleting_an_unknown_calendar_entry_deletes_the_meeting_with_that_id(
    emulator: Emulator, client: httpx.AsyncClient, token: str
) -> None:
    new = {"State": "NEW", "ClientSyncId": "outlook-42", "Meeting": {"Title": "From Outlook"}}
    await commit(client, token, {"Meetings": [new]})
    assert "From Outlook" in {m["Title"] for m in emulator.meetings(ANN)}

    gone = {"State": "DELETED", "ClientSyncId": "outlook-42"}
    await commit(client, token, {"CalendarEntries": [gone]})

    assert "From Outlook" not in {m["Title"] for m in emulator.meetings(ANN)}


async def test_commit_of_another_users_meeting_is_403_and_changes_nothing(
    emulator: Emulator, client: httpx.AsyncClient, token: str
) -> None:
    before = emulator.meetings(ANN)
    bobs = emulator.meetings(BOB)[0]["Id"]
    body = {
        "Meetings": [
            {"State": "NEW", "Meeting": {"Title": "would be created"}},
            {"State": "MODIFIED", "Meeting": {"Id": bobs, "Title": "hijacked"}},
        ]
    }

    answer = await commit(client, token, body, status=403)

    assert answer["ErrorCode"] == "FORBIDDEN"
    assert emulator.meetings(ANN) == before  # all or nothing
    assert emulator.meetings(BOB)[0]["Title"] != "hijacked"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"Meetings": [{"State": "MODIFIED", "Meeting": {"Id": "nope"}}]}, 404),
        ({"Meetings": [{"State": "CHANGED", "Meeting": {}}]}, 400),
        ({"Meetings": [{"State": 1, "Meeting": {}}]}, 400),
        ({"Meetings": {"State": "NEW"}}, 400),
        ({"Meetings": [{"State": "NEW", "Meeting": {"Start": "soon"}}]}, 400),
        ({"Meetings": [{"State": "NEW", "Meeting": {"SendInvitations": "yes"}}]}, 400),
        ({"Meetings": [{"State": "NEW", "Meeting": {"Invitations": [{"User": {}}]}}]}, 400),
        ({"CalendarEntries": [{"State": "NEW", "CalendarEntry": {}}]}, 400),
        ({"SyncToken": "not-ours"}, 400),
        ([], 400),
    ],
    ids=[
        "modify-unknown", "bad-state", "int-state", "not-array", "bad-date", "bad-bool",
        "bad-invitation", "entry-without-id", "bad-token", "not-object",
    ],
)  # fmt: skip
async def test_commit_refuses_bad_bodies(
    client: httpx.AsyncClient, token: str, body: Any, status: int
) -> None:
    await commit(client, token, body, status=status)


async def test_commit_refuses_non_json(client: httpx.AsyncClient, token: str) -> None:
    response = await client.post(COMMIT, headers=bearer(token), content=b"{oops")
    assert response.status_code == 400


async def test_unknown_meeting_keys_are_ignored_or_refused_by_setting(
    emulator: Emulator, client: httpx.AsyncClient, token: str
) -> None:
    body = {"Meetings": [{"State": "NEW", "Meeting": {"Title": "x", "Tittle": "typo"}}]}
    await commit(client, token, body)

    emulator.configure(reject_unknown_keys=True)
    refused = await commit(client, token, body, status=400)
    assert "Tittle" in refused["Message"]


async def test_deleting_an_already_deleted_meeting_is_harmless(
    client: httpx.AsyncClient, token: str
) -> None:
    answer = await commit(
        client, token, {"Meetings": [{"State": "DELETED", "Meeting": {"Id": "x"}}]}
    )
    assert answer["Meetings"] == []


async def test_a_commit_after_someone_elses_change_keeps_the_clients_token(
    emulator: Emulator, client: httpx.AsyncClient, token: str
) -> None:
    first = await sync(client, token)
    meeting_id = emulator.meetings(ANN)[0]["Id"]
    emulator.update_meeting(meeting_id, Title="Changed on the server meanwhile")

    answer = await commit(client, token, {"SyncToken": first["SyncToken"], "Meetings": []})

    # Nothing is lost: the next sync still returns the server-side change.
    assert answer["SyncToken"] == first["SyncToken"]
    again = await sync(client, token, synctoken=answer["SyncToken"])
    assert states(again) == [("MODIFIED", meeting_id)]


@pytest.mark.parametrize(
    "settings",
    [EmulatorSettings(sync_commit_path="/api/v1/mymeetings/sync", sync_commit_method="PUT")],
)
async def test_synccommit_path_and_method_are_settings(
    client: httpx.AsyncClient, token: str
) -> None:
    first = await sync(client, token)
    response = await client.put(SYNC, headers=bearer(token), json=first)
    assert response.status_code == 200
    assert (await client.post(COMMIT, headers=bearer(token), json=first)).status_code == 404


@pytest.mark.parametrize("settings", [EmulatorSettings(null_unset_values=False)])
async def test_sync_items_leave_out_an_unset_client_sync_id(
    client: httpx.AsyncClient, token: str
) -> None:
    item = (await sync(client, token))["Meetings"][0]
    assert "ClientSyncId" not in item
    assert "ActualEnd" not in item["Meeting"]
