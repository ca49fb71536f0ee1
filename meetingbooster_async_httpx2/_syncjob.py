# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_syncjob.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""One round of a sync job: Sync → process → SyncCommit, with the token kept by the caller.

The handshake of docs/meetingbooster-api.md §1.8 in one call. You keep the sync token (a
file, a database row, Redis…); each round starts from it and hands back the next one, which
you store only once the round has succeeded. A complete job, run once per schedule tick::

    from pathlib import Path

    import anyio
    import attrs

    from meetingbooster_async_httpx2 import (
        MeetingBoosterClient,
        MeetingSynchronization,
        SyncState,
        sync_meetings,
    )

    TOKEN_FILE = Path("mymeetings.token")
    calendar: dict[str, dict[str, object]] = {}  # your side: a database, a calendar API, ...


    async def process(sync: MeetingSynchronization) -> MeetingSynchronization:
        # Apply the changes; return what to commit: only what was processed.
        done = []
        for item in sync.meetings:
            meeting = item.meeting
            if meeting is None or meeting.id is None:
                continue  # could not process it: it must not be sent back
            if item.state is SyncState.DELETED:
                calendar.pop(meeting.id, None)
            elif item.state in (SyncState.NEW, SyncState.MODIFIED):
                # An upsert, so a replayed change (at-least-once delivery) is harmless.
                calendar[meeting.id] = {"title": meeting.title, "start": meeting.start}
            else:
                continue  # a state this SDK does not know (UnknownEnumValue): leave it out
            done.append(item)
        return attrs.evolve(sync, meetings=tuple(done))


    async def main() -> None:
        token = TOKEN_FILE.read_text() if TOKEN_FILE.exists() else None  # None: first run
        async with MeetingBoosterClient(
            "https://mb.example.com", username="ann@example.com", password="secret"
        ) as client:
            result = await sync_meetings(client, sync_token=token, process=process)
        TOKEN_FILE.write_text(result.sync_token)  # only once the round has succeeded
        print(f"{len(result.committed.meetings)} of {len(result.received.meetings)} applied")


    anyio.run(main)

Delivery is *at least once*: when anything fails (``process`` raises, the commit fails, the
task is cancelled), nothing is returned, you keep the old token, and the next round gets
the same changes again. ``process`` must therefore be idempotent (an upsert, not an insert).
To commit local changes too, add ``SyncMeeting(state=SyncState.NEW, client_sync_id=...,
meeting=Meeting(id=str(uuid.uuid4()), ...))`` items to what ``process`` returns; the server's
answer (``result.answer``) carries them as stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Generic, TypeVar

import attrs

from ._errors import ConfigurationError, ResponseValidationError
from ._models import MeetingSynchronization, TaskSynchronization
from .resources import MyMeetings, MyTasks, Requester, SyncProperty

__all__ = ["SyncResult", "sync_meetings", "sync_tasks"]


S = TypeVar("S", MeetingSynchronization, TaskSynchronization)


@attrs.frozen(kw_only=True)
class SyncResult(Generic[S]):
    """What one round of :func:`sync_meetings` / :func:`sync_tasks` did.

    Attributes:
        sync_token: the token to store and pass to the next round: the commit answer's when
            it has one, else the one Sync returned.
        received: what Sync returned (the changes since the previous token).
        committed: what was sent back in SyncCommit.
        answer: the server's answer to SyncCommit (``None`` for an empty one); the
            emulator's carries the committed objects as stored, server-assigned ids included.
    """

    sync_token: str
    received: S
    committed: S
    answer: S | None


async def _run(
    received: S,
    process: Callable[[S], Awaitable[S | None]],
    commit: Callable[[S], Awaitable[S | None]],
) -> SyncResult[S]:
    token = received.sync_token
    if not token:
        raise ResponseValidationError("the Sync answer has no SyncToken", path="$.SyncToken")
    outcome = await process(received)
    to_commit = received if outcome is None else outcome
    if to_commit.sync_token is None:
        to_commit = attrs.evolve(to_commit, sync_token=token)
    elif to_commit.sync_token != token:
        raise ConfigurationError("process() returned a synchronization with another SyncToken")
    answer = await commit(to_commit)
    new_token = answer.sync_token if answer is not None and answer.sync_token else token
    return SyncResult(sync_token=new_token, received=received, committed=to_commit, answer=answer)


async def sync_meetings(
    requester: Requester,
    *,
    sync_token: str | None,
    process: Callable[[MeetingSynchronization], Awaitable[MeetingSynchronization | None]],
    properties: Iterable[SyncProperty] | None = None,
) -> SyncResult[MeetingSynchronization]:
    """One round of a meeting sync job: Sync, ``await process(sync)``, SyncCommit.

    Args:
        requester: the client, or a per-user view of it.
        sync_token: the token the previous round returned; ``None`` on the very first run
            (the server then sends every meeting).
        process: applies the changes to your side and returns what to commit: the
            synchronization it got, *without* the objects it could not process and with any
            local edits (new meetings with your own ``ClientSyncId`` and GUID ``Id``…);
            ``None`` commits the synchronization unchanged. Its ``sync_token`` is filled in
            when ``None``. Raise to abort the round: nothing is committed.
        properties: the Sync ``properties`` (see :meth:`MyMeetings.sync`).

    Returns:
        The round's :class:`SyncResult`; store its ``sync_token`` for the next round.

    Raises:
        ResponseValidationError: the Sync answer has no token, or a body does not fit.
        ConfigurationError: ``process`` returned a synchronization with another token.
        APIStatusError, APIConnectionError: from Sync or SyncCommit; and whatever
            ``process`` raises. In every case keep the old token and try again later.

    Example:
        >>> async def round_(client, store):
        ...     result = await sync_meetings(
        ...         client, sync_token=await store.load(), process=apply_to_calendar
        ...     )
        ...     await store.save(result.sync_token)
    """
    meetings = MyMeetings(requester)
    received = await meetings.sync(sync_token=sync_token, properties=properties)
    return await _run(received, process, meetings.sync_commit)


async def sync_tasks(
    requester: Requester,
    *,
    sync_token: str | None,
    process: Callable[[TaskSynchronization], Awaitable[TaskSynchronization | None]],
) -> SyncResult[TaskSynchronization]:
    """One round of a task sync job; as :func:`sync_meetings` (task endpoints are inferred).

    Example:
        >>> async def task_round(client, token):
        ...     result = await sync_tasks(client, sync_token=token, process=apply_tasks)
        ...     return result.sync_token
    """
    tasks = MyTasks(requester)
    received = await tasks.sync(sync_token=sync_token)
    return await _run(received, process, tasks.sync_commit)
