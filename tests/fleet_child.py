"""A fleet runner in a process of its own, for the crash tests (tests/test_fleet_crash.py).

    python -m tests.fleet_child URL DB USERS_JSON [--stop-at KIND:USER] [--add-meeting USER]
                                                  [--owner NAME]

It runs one round of a :class:`SyncFleet` (the built-in mirror, or with ``--add-meeting`` a sink
that adds one meeting for USER with ids from :func:`stable_sync_id`). With ``--stop-at``, the
``on_event`` hook prints ``AT KIND USER`` when that event comes and then blocks the event
loop for good, so the parent's SIGKILL lands exactly there; nothing else of the round runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from typing import Any

import anyio
import attrs

from meetingbooster_async import (
    FleetEvent,
    Meeting,
    MeetingBoosterClient,
    MeetingSynchronization,
    SQLiteCheckpointStore,
    SyncFleet,
    SyncMeeting,
    SyncState,
    stable_sync_id,
)

ADDED_TITLE = "added by the sink"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("db")
    parser.add_argument("users", help="JSON {username: password}")
    parser.add_argument("--stop-at")
    parser.add_argument("--add-meeting")
    parser.add_argument("--owner", default="crash-test")
    args = parser.parse_args()
    users: dict[str, str] = json.loads(args.users)
    stop_kind, _, stop_user = (args.stop_at or "::").partition(":")

    def on_event(event: FleetEvent) -> None:
        if event.kind == stop_kind and event.username == stop_user:
            print(f"AT {event.kind} {event.username}", flush=True)
            threading.Event().wait()  # block the loop: the parent kills us here

    async def passwords(username: str) -> str:
        return users[username]

    async def add_meeting(user: str, resource: str, sync: Any) -> Any:
        if resource != "meetings" or user != args.add_meeting:
            return None
        assert isinstance(sync, MeetingSynchronization)
        key = stable_sync_id(user, resource, "first-round", "the added meeting")
        new = SyncMeeting(
            state=SyncState.NEW,
            client_sync_id=key,
            meeting=Meeting(id=key, title=ADDED_TITLE),
        )
        return attrs.evolve(sync, meetings=(*sync.meetings, new))

    async with (
        SQLiteCheckpointStore(args.db) as store,
        MeetingBoosterClient(
            args.url, username="fleet", password="", signout_on_close=False
        ) as client,
    ):
        fleet = SyncFleet(
            client,
            list(users),
            credentials=passwords,
            store=store,
            process=add_meeting if args.add_meeting else None,
            concurrency=1,
            on_event=on_event,
            owner=args.owner,  # a restarted runner of this name takes its leases back
        )
        report = await fleet.run_round()
    print(json.dumps({"ok": report.ok, "failed": dict(report.failed)}), flush=True)
    sys.exit(0 if not report.failed else 8)


if __name__ == "__main__":
    anyio.run(main)
