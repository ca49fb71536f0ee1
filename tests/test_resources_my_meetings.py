"""MyMeetings against the emulator in process: Sync, SyncCommit, and List across pages."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import attrs
import pytest

from meetingbooster_async import (
    ConfigurationError,
    Meeting,
    MeetingSynchronization,
    ServerError,
    SyncMeeting,
    SyncState,
    structure,
)
from meetingbooster_async._retry import RetryPolicy
from meetingbooster_async.resources import (
    ApiPaths,
    MyMeetings,
    Page,
    commit_is_retry_safe,
)
from meetingbooster_async.testing import Emulator, EmulatorSettings

from .emulated import ANN, BOB, PASSWORD, Client, make_client, new_meeting

pytestmark = pytest.mark.anyio


def ids(items: Any) -> list[str | None]:
    return [item.meeting.id for item in items]


# --- Sync ------------------------------------------------------------------------------------


async def test_a_first_sync_returns_every_meeting_as_new(
    client: Client, emulator: Emulator
) -> None:
    sync = await client.my_meetings.sync()
    assert sync.sync_token
    assert [item.state for item in sync.meetings] == [SyncState.NEW] * 3
    assert {m["Id"] for m in emulator.meetings(ANN)} == set(ids(sync.meetings))
    first = sync.meetings[0].meeting
    assert first is not None and first.start is not None and first.start.tzinfo is UTC
    assert first.invitations and first.host is not None and first.host.email == ANN


async def test_the_emulator_answers_fit_the_models_strictly(client: Client) -> None:
    body = (await client.get("/api/v1/mymeetings/sync")).json()
    lenient = await client.my_meetings.sync()
    strict = structure(body, MeetingSynchronization, strict=True)
    assert attrs.evolve(strict, sync_token=None) == attrs.evolve(lenient, sync_token=None)
    listed = (await client.get("/api/v1/mymeetings/list")).json()
    assert structure(listed, tuple[Meeting, ...], strict=True)


async def test_a_sync_with_a_token_returns_new_modified_and_deleted(
    client: Client, emulator: Emulator
) -> None:
    token = (await client.my_meetings.sync()).sync_token
    first, second, _ = emulator.meetings(ANN)
    emulator.update_meeting(first["Id"], Title="Moved to Friday")
    emulator.delete_meeting(second["Id"])
    added = emulator.add_meeting(ANN, Title="Added", Start="2024-06-03T09:00:00Z")
    sync = await client.my_meetings.sync(sync_token=token)
    changes = {item.meeting.id: item for item in sync.meetings if item.meeting}
    assert {key: item.state for key, item in changes.items()} == {
        added["Id"]: SyncState.NEW,
        first["Id"]: SyncState.MODIFIED,
        second["Id"]: SyncState.DELETED,
    }
    modified = changes[first["Id"]].meeting
    assert modified is not None and modified.title == "Moved to Friday"
    assert sync.sync_token and sync.sync_token != token
    assert (await client.my_meetings.sync(sync_token=sync.sync_token)).meetings == ()


async def test_properties_choose_what_counts_as_a_change(
    client: Client, emulator: Emulator
) -> None:
    token = (await client.my_meetings.sync()).sync_token
    first = emulator.meetings(ANN)[0]["Id"]
    emulator.update_meeting(first, Start="2024-01-08T10:00:00Z", End="2024-01-08T11:00:00Z")
    assert (await client.my_meetings.sync(sync_token=token, properties=["title"])).meetings == ()
    moved = await client.my_meetings.sync(sync_token=token, properties="Start,end")
    assert ids(moved.meetings) == [first]


@pytest.mark.parametrize("properties", [["Titel"], [], "", "Title,,Location"])
async def test_bad_properties_are_refused_before_sending(
    client: Client, emulator: Emulator, properties: Any
) -> None:
    with pytest.raises(ConfigurationError):
        await client.my_meetings.sync(properties=properties)
    assert emulator.stats().answered("sync") == 0


# --- SyncCommit ------------------------------------------------------------------------------


async def test_committing_a_sync_unchanged_keeps_everything(
    client: Client, emulator: Emulator
) -> None:
    before = emulator.meetings(ANN)
    sync = await client.my_meetings.sync()
    answer = await client.my_meetings.sync_commit(sync)
    assert answer is not None and answer.sync_token
    assert emulator.meetings(ANN) == before
    assert (await client.my_meetings.sync(sync_token=answer.sync_token)).meetings == ()


async def test_a_committed_new_meeting_shows_up_and_a_deleted_one_goes(
    client: Client, emulator: Emulator
) -> None:
    sync = await client.my_meetings.sync()
    doomed = sync.meetings[0]
    created = new_meeting("Planned offline")
    local = MeetingSynchronization(
        sync_token=sync.sync_token,
        meetings=(
            SyncMeeting(state=SyncState.NEW, client_sync_id="local-1", meeting=created),
            attrs.evolve(doomed, state=SyncState.DELETED),
        ),
    )
    answer = await client.my_meetings.sync_commit(local)
    stored = {m["Id"]: m for m in emulator.meetings(ANN)}
    assert created.id in stored and stored[str(created.id)]["Title"] == "Planned offline"
    assert doomed.meeting is not None and doomed.meeting.id not in stored
    assert answer is not None
    assert [(i.state, i.meeting.id) for i in answer.meetings if i.meeting] == [
        (SyncState.NEW, created.id),
        (SyncState.DELETED, doomed.meeting.id),
    ]
    listed = [meeting.id async for meeting in client.my_meetings.list()]
    assert created.id in listed and doomed.meeting.id not in listed


async def test_an_empty_commit_answer_is_none(client: Client, emulator: Emulator) -> None:
    emulator.faults.force("sync_commit", status=200, body="empty", run_handler=True)
    assert await client.my_meetings.sync_commit(await client.my_meetings.sync()) is None


async def test_a_commit_is_retried_only_when_every_object_is_identified(
    emulator: Emulator,
) -> None:
    identified = MeetingSynchronization(
        meetings=(SyncMeeting(state=SyncState.NEW, client_sync_id="c1", meeting=Meeting()),)
    )
    anonymous = MeetingSynchronization(meetings=(SyncMeeting(state=SyncState.NEW),))
    assert commit_is_retry_safe(identified) and not commit_is_retry_safe(anonymous)
    async with make_client(emulator) as client:  # the default policy: 2 retries
        emulator.faults.force("sync_commit", status=503, times=1)
        assert await client.my_meetings.sync_commit(identified) is not None
        assert emulator.stats().requests["sync_commit"] == {503: 1, 200: 1}
        assert len(emulator.meetings(ANN)) == 4  # created once
        emulator.faults.force("sync_commit", status=503, times=1)
        with pytest.raises(Exception, match="503"):
            await client.my_meetings.sync_commit(anonymous)
        assert emulator.stats().answered("sync_commit", 503) == 2  # not retried


async def test_configured_paths_are_used(emulator: Emulator) -> None:
    emulator.configure(sync_commit_path="/api/v1/mymeetings/commit", sync_commit_method="PUT")
    paths = ApiPaths(my_meetings_sync_commit="/api/v1/mymeetings/commit")
    paths = attrs.evolve(paths, my_meetings_sync_commit_method="PUT")
    async with make_client(emulator, api_paths=paths) as client:
        assert await client.my_meetings.sync_commit(await client.my_meetings.sync())
        assert await client.as_user(BOB, PASSWORD).my_meetings.sync_commit(MeetingSynchronization())
        assert await MyMeetings(client, paths).sync_commit(MeetingSynchronization())
    assert emulator.stats().answered("sync_commit", 200) == 3


def test_the_default_paths_are_the_emulators() -> None:
    paths, settings = ApiPaths(), EmulatorSettings()
    assert paths.my_meetings_sync_commit == settings.sync_commit_path
    assert paths.my_meetings_sync_commit_method == settings.sync_commit_method
    assert paths.my_tasks_sync == settings.tasks_sync_path
    assert paths.my_tasks_sync_commit == settings.tasks_sync_commit_path
    assert paths.my_tasks_sync_commit_method == settings.tasks_sync_commit_method
    assert paths.meetings == settings.meetings_path
    with pytest.raises(ValueError, match="my_meetings_list"):
        ApiPaths(my_meetings_list="api/v1/list")
    with pytest.raises(ValueError, match="method"):
        ApiPaths(my_tasks_sync_commit_method="FETCH")


# --- List ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "page_size", "sizes"),
    [(0, 10, [0]), (7, 10, [7]), (25, 10, [10, 10, 5]), (20, 10, [10, 10]), (3, 1, [1, 1, 1])],
)
async def test_list_follows_paging_next_lazily(
    emulator: Emulator, count: int, page_size: int, sizes: list[int]
) -> None:
    owner = f"user{count}-{page_size}@example.com"
    emulator.add_user(owner, PASSWORD, meetings=count)
    async with make_client(emulator, owner) as client:
        meetings = client.my_meetings.list(page_size=page_size)
        assert emulator.stats().answered("list") == 0  # nothing sent before iterating
        listed = [meeting.id async for meeting in meetings]
        assert listed == [m["Id"] for m in emulator.meetings(owner)]
        assert emulator.stats().answered("list") == len(sizes)
        pages = [page async for page in meetings.pages()]
    assert [len(page) for page in pages] == sizes
    skips = [page_size * (i + 1) for i in range(len(sizes) - 1)]
    assert [page.next_skip for page in pages] == [*skips, None]


async def test_one_page_can_be_fetched_alone(client: Client, emulator: Emulator) -> None:
    page = await client.my_meetings.list_page(page_size=2, skip=1)
    assert page == Page(items=page.items, next_skip=None)
    assert [m.id for m in page.items] == [m["Id"] for m in emulator.meetings(ANN)][1:]
    first = await client.my_meetings.list_page(page_size=2)
    assert (len(first), first.next_skip) == (2, 2)


async def test_breaking_out_of_a_listing_sends_no_more_requests(emulator: Emulator) -> None:
    emulator.add_user("many@example.com", PASSWORD, meetings=30)
    async with make_client(emulator, "many@example.com") as client:
        async for _ in client.my_meetings.list(page_size=10):
            break
    assert emulator.stats().answered("list") == 1


async def test_a_bad_page_size_is_refused_at_once(client: Client) -> None:
    with pytest.raises(ConfigurationError):
        client.my_meetings.list(page_size=0)
    with pytest.raises(ConfigurationError):
        await client.my_meetings.list_page(skip=-1)


async def test_an_iterator_resumes_at_the_page_that_failed(emulator: Emulator) -> None:
    emulator.add_user("resume@example.com", PASSWORD, meetings=15)
    async with make_client(emulator, "resume@example.com", retry=RetryPolicy(max_retries=0)) as c:
        items = aiter(c.my_meetings.list(page_size=10))
        got = [await anext(items) for _ in range(10)]
        emulator.faults.fail("list")
        with pytest.raises(ServerError):
            await anext(items)
        got += [meeting async for meeting in items]
    assert [m.id for m in got] == [m["Id"] for m in emulator.meetings("resume@example.com")]
    assert emulator.stats().requests["list"] == {200: 2, 500: 1}
