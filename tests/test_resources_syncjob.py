"""The sync-job helper end to end, task sync, and a per-user view, against the emulator."""

from __future__ import annotations

import attrs
import pytest

from meetingbooster_async import (
    ConfigurationError,
    MeetingSynchronization,
    ResponseValidationError,
    SyncMeeting,
    SyncState,
    TaskSynchronization,
)
from meetingbooster_async._syncjob import SyncResult, sync_meetings, sync_tasks
from meetingbooster_async.resources import MyMeetings
from meetingbooster_async.testing import Emulator

from .emulated import (
    ANN,
    BOB,
    PASSWORD,
    Client,
    new_meeting,
)

pytestmark = pytest.mark.anyio


async def test_rounds_deliver_each_change_once_and_commit_local_changes(
    client: Client, emulator: Emulator
) -> None:
    seen: list[list[tuple[SyncState | object, str | None]]] = []

    async def record(sync: MeetingSynchronization) -> None:
        seen.append([(i.state, i.meeting.id if i.meeting else None) for i in sync.meetings])

    first = await sync_meetings(client, sync_token=None, process=record)
    assert [state for state, _ in seen[0]] == [SyncState.NEW] * 3
    assert first.committed == first.received and first.answer is not None

    changed, dropped, _ = (m["Id"] for m in emulator.meetings(ANN))
    emulator.update_meeting(changed, Title="Changed on the server")
    emulator.delete_meeting(dropped)
    local = new_meeting("Created on the client")

    async def apply(sync: MeetingSynchronization) -> MeetingSynchronization:
        await record(sync)
        mine = SyncMeeting(state=SyncState.NEW, client_sync_id="mine-1", meeting=local)
        # Send back what was processed plus a local change; the token is filled in.
        return MeetingSynchronization(meetings=(*sync.meetings, mine))

    second = await sync_meetings(client, sync_token=first.sync_token, process=apply)
    assert seen[1] == [(SyncState.MODIFIED, changed), (SyncState.DELETED, dropped)]
    assert second.committed.sync_token == second.received.sync_token
    assert local.id in {m["Id"] for m in emulator.meetings(ANN)}
    assert second.answer is not None and second.answer.meetings[-1].client_sync_id == "mine-1"

    third = await sync_meetings(client, sync_token=second.sync_token, process=record)
    assert seen[2] == []  # our own commit is not echoed back, nothing was missed
    assert isinstance(third, SyncResult) and third.sync_token


async def test_objects_left_out_of_the_commit_are_not_sent(
    client: Client, emulator: Emulator
) -> None:
    async def keep_first(sync: MeetingSynchronization) -> MeetingSynchronization:
        return attrs.evolve(sync, meetings=sync.meetings[:1])

    result = await sync_meetings(client, sync_token=None, process=keep_first)
    assert len(result.received.meetings) == 3 and len(result.committed.meetings) == 1
    assert result.answer is not None and len(result.answer.meetings) == 1


async def test_a_failing_process_commits_nothing(client: Client, emulator: Emulator) -> None:
    async def fail(sync: MeetingSynchronization) -> None:
        raise RuntimeError("calendar down")

    with pytest.raises(RuntimeError, match="calendar down"):
        await sync_meetings(client, sync_token=None, process=fail)
    assert emulator.stats().answered("sync_commit") == 0


async def test_a_commit_with_another_token_is_refused(client: Client, emulator: Emulator) -> None:
    async def wrong(sync: MeetingSynchronization) -> MeetingSynchronization:
        return attrs.evolve(sync, sync_token="other")

    with pytest.raises(ConfigurationError, match="SyncToken"):
        await sync_meetings(client, sync_token=None, process=wrong)
    assert emulator.stats().answered("sync_commit") == 0


async def test_a_sync_without_a_token_is_refused(client: Client, emulator: Emulator) -> None:
    async def accept(sync: MeetingSynchronization) -> None:
        raise AssertionError("not reached")

    emulator.faults.force("sync", patch={"SyncToken": None})
    with pytest.raises(ResponseValidationError) as info:
        await sync_meetings(client, sync_token=None, process=accept)
    assert info.value.path == "$.SyncToken"


async def test_the_commit_answers_token_is_kept_else_the_syncs(
    client: Client, emulator: Emulator
) -> None:
    async def accept(sync: MeetingSynchronization) -> None:
        return None

    emulator.faults.force("sync_commit", status=200, body="empty", run_handler=True)
    result = await sync_meetings(client, sync_token=None, process=accept, properties=["Title"])
    assert result.answer is None and result.sync_token == result.received.sync_token


async def test_a_task_sync_round_trip(client: Client, emulator: Emulator) -> None:
    sync = await client.my_tasks.sync()
    assert sync.tasks == () and sync.sync_token
    assert await client.my_tasks.sync_commit(sync) == sync

    async def accept(sync: TaskSynchronization) -> None:
        return None

    result = await sync_tasks(client, sync_token=sync.sync_token, process=accept)
    assert result.sync_token == sync.sync_token
    assert emulator.stats().answered("tasks_sync_commit", 200) == 2


async def test_a_user_view_syncs_as_its_own_user(client: Client, emulator: Emulator) -> None:
    bob = client.as_user(BOB, PASSWORD)
    bobs = await bob.my_meetings.sync()
    assert (await MyMeetings(bob).sync(sync_token=bobs.sync_token)).meetings == ()
    assert {i.meeting.id for i in bobs.meetings if i.meeting} == {
        m["Id"] for m in emulator.meetings(BOB)
    }

    async def accept(sync: MeetingSynchronization) -> None:
        return None

    result = await sync_meetings(bob, sync_token=bobs.sync_token, process=accept)
    assert result.received.meetings == ()
