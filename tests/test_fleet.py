"""The sync fleet on one machine: rounds, the mirror, failures kept to their user, checkpoints.

The emulator runs in process (its ASGI transport); the store is a real SQLite file. Every test
ends by comparing the mirror with what a fresh full Sync of each user returns.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from meetingbooster_async import (
    Advance,
    Begun,
    FleetEvent,
    FleetReport,
    MeetingBoosterClient,
    MirrorChange,
    RetryPolicy,
    SQLiteCheckpointStore,
    SyncFleet,
    stable_sync_id,
)
from meetingbooster_async.testing import Emulator

pytestmark = pytest.mark.anyio

URL = "https://meetingbooster.test"
USERS = {f"user{n}@example.com": f"pw-{n}" for n in range(5)}


@pytest.fixture
def emulator() -> Emulator:
    emulator = Emulator(users=dict(USERS), meetings_per_user=3)
    for n, user in enumerate(USERS):
        for k in range(n % 3 + 1):
            emulator.add_task(user, Title=f"task {k} of {user}")
    return emulator


class Passwords:
    """A credentials provider that counts what it is asked (a wrong one for ``wrong``)."""

    def __init__(self, wrong: set[str] | None = None) -> None:
        self.asked: Counter[str] = Counter()
        self.wrong = wrong or set()

    async def __call__(self, username: str) -> str:
        self.asked[username] += 1
        return "not it" if username in self.wrong else USERS[username]


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteCheckpointStore]:
    async with SQLiteCheckpointStore(tmp_path / "fleet.db") as opened:
        yield opened


def client_for(emulator: Emulator) -> MeetingBoosterClient:
    return MeetingBoosterClient(
        URL,
        username="fleet",
        password="",
        transport=emulator.transport(),
        signout_on_close=False,
        retry=RetryPolicy(max_retries=0),
    )


def fleet_for(
    client: MeetingBoosterClient,
    store: SQLiteCheckpointStore,
    passwords: Passwords,
    events: list[FleetEvent] | None = None,
    **kwargs: Any,
) -> SyncFleet:
    return SyncFleet(
        client,
        list(USERS),
        credentials=passwords,
        store=store,
        concurrency=3,
        on_event=events.append if events is not None else None,
        **kwargs,
    )


def full_sync(emulator: Emulator, resource: str, user: str) -> dict[str, Any]:
    """What a fresh full Sync of ``user`` returns, keyed as the mirror keys it."""
    if resource == "meetings":
        return {m["Id"].lower(): m for m in emulator.meetings(user)}
    return {t["Id"].lower(): t for t in emulator.tasks(user)}


async def assert_mirror_is_a_full_sync(
    emulator: Emulator, store: SQLiteCheckpointStore, users: Any = USERS
) -> None:
    for user in users:
        for resource in ("meetings", "tasks"):
            rows = {k: json.loads(v) for k, v in (await store.mirror_rows(resource, user)).items()}
            expected = full_sync(emulator, resource, user)
            assert rows.keys() == expected.keys(), (user, resource)
            for key, row in rows.items():
                assert row["Id"].lower() == key
                # the mirror holds the JSON as Sync sent it: the fields the full list shows
                assert {k: row.get(k) for k in ("Title", "Start", "End") if k in expected[key]} == {
                    k: expected[key].get(k) for k in ("Title", "Start", "End") if k in expected[key]
                }


async def test_a_round_mirrors_every_user_and_keeps_their_tokens(
    emulator: Emulator, store: SQLiteCheckpointStore
) -> None:
    passwords = Passwords()
    async with client_for(emulator) as client:
        fleet = fleet_for(client, store, passwords)
        first = await fleet.run_round()
        assert (first.users, first.ok, first.failed, first.logins) == (5, 5, {}, 5)
        assert first.oauth == {"password": {"ok": 5}} and first.oauth_calls == 5
        assert first.changes == {"meetings": 15, "tasks": 1 + 2 + 3 + 1 + 2}
        await assert_mirror_is_a_full_sync(emulator, store)
        second = await fleet.run_round()
        assert second.oauth == {}  # tokens held: no /oauth call at all
        for user in list(USERS)[:2]:
            emulator.expire_access_tokens(user)  # a 401, a refresh, the request again
        third = await fleet.run_round()
    assert (second.ok, second.logins, second.changes) == (5, 0, {"meetings": 0, "tasks": 0})
    # The report counts refreshes from the client's own events, not the fleet's logins.
    assert (third.ok, third.logins, third.oauth) == (5, 0, {"refresh_token": {"ok": 2}})
    assert passwords.asked == dict.fromkeys(USERS, 1)  # asked for logins only
    assert emulator.stats().oauth_calls == {"password": 5, "refresh_token": 2}


async def test_changes_on_the_server_between_rounds_arrive(
    emulator: Emulator, store: SQLiteCheckpointStore
) -> None:
    ann, bob = list(USERS)[:2]
    async with client_for(emulator) as client:
        fleet = fleet_for(client, store, Passwords())
        await fleet.run_round()
        meeting = emulator.meetings(ann)[0]
        emulator.update_meeting(meeting["Id"], Title="renamed")
        emulator.delete_meeting(emulator.meetings(bob)[0]["Id"])
        emulator.add_meeting(bob, Title="new one", Start="2030-01-01T09:00:00Z")
        task = emulator.tasks(ann)[0]
        emulator.update_task(ann, task["Id"], Title="task renamed", Done=True)
        emulator.delete_task(bob, emulator.tasks(bob)[0]["Id"])
        emulator.add_task(bob, Title="another task")
        report = await fleet.run_round()
    assert report.changes == {"meetings": 3, "tasks": 3}
    await assert_mirror_is_a_full_sync(emulator, store)
    rows = await store.mirror_rows("meetings", ann)
    assert json.loads(rows[meeting["Id"].lower()])["Title"] == "renamed"


async def test_a_wrong_password_is_that_users_failure_and_its_cooldown_outlives_the_process(
    emulator: Emulator, store: SQLiteCheckpointStore
) -> None:
    wrong = list(USERS)[2]
    passwords = Passwords(wrong={wrong})
    events: list[FleetEvent] = []
    async with client_for(emulator) as client:
        fleet = fleet_for(client, store, passwords, events)
        report = await fleet.run_round()
        assert report.failed == {"login refused": (wrong,)}
        assert report.ok == 4
        again = await fleet.run_round()  # the same process: skipped, nothing sent
    assert again.skipped == 1 and again.ok == 4
    async with client_for(emulator) as client:  # a new process, the same store
        later = await fleet_for(client, store, passwords).run_round()
    assert later.skipped == 1
    assert emulator.stats().oauth_outcomes["password"]["unauthorized_client"] == 1
    assert report.oauth == {"password": {"ok": 4, "refused": 1}}
    assert again.oauth == {}  # the same process: tokens held, the refused user skipped
    assert later.oauth == {"password": {"ok": 4}}  # a new process logs the others in
    state = await store.user(wrong)
    assert state is not None and state.reason == "login refused" and state.retry_at
    # at least the login cooldown (60 s), though the server asked for 10: no lockout by rounds
    assert state.last_failure is not None and state.retry_at >= state.last_failure + 59
    others = [u for u in USERS if u != wrong]
    await assert_mirror_is_a_full_sync(emulator, store, others)
    assert [e.username for e in events if e.kind == "failed"] == [wrong]


async def test_an_invalid_sync_token_clears_the_user_and_syncs_it_afresh(
    emulator: Emulator, store: SQLiteCheckpointStore
) -> None:
    ann = next(iter(USERS))
    events: list[FleetEvent] = []
    async with client_for(emulator) as client:
        fleet = fleet_for(client, store, Passwords(), events)
        await fleet.run_round()
        checkpoint = await store.read(ann, "meetings")
        assert checkpoint is not None and checkpoint.sync_token
        # A token the server no longer takes; a stray mirror row that must go with it.
        assert await store.advance(
            ann,
            "meetings",
            expected=checkpoint.sync_token,
            new="bm90IGEgdG9rZW4=",
            mirror=[MirrorChange("stray", "{}")],
            now=0,
        )
        report = await fleet.run_round()
    assert report.ok == 5
    assert [(e.username, e.resource) for e in events if e.kind == "resynced"] == [(ann, "meetings")]
    await assert_mirror_is_a_full_sync(emulator, store)


async def test_a_user_leased_by_another_runner_is_skipped(
    emulator: Emulator, store: SQLiteCheckpointStore
) -> None:
    ann = next(iter(USERS))
    assert await store.lease(ann, "another runner", until=1e12, now=0)
    async with client_for(emulator) as client:
        report = await fleet_for(client, store, Passwords()).run_round()
    assert (report.ok, report.skipped) == (4, 1)
    assert await store.mirror_rows("meetings", ann) == {}


async def test_a_stale_compare_and_set_writes_nothing(store: SQLiteCheckpointStore) -> None:
    row = [MirrorChange("m1", '{"Id": "m1"}')]
    assert await store.advance("u", "meetings", expected=None, new="t1", mirror=row, now=1)
    # A second runner that started from the same (absent) token loses, its rows with it.
    lost = [MirrorChange("m2", '{"Id": "m2"}')]
    assert not await store.advance("u", "meetings", expected=None, new="t2", mirror=lost, now=2)
    checkpoint = await store.read("u", "meetings")
    assert checkpoint is not None and (checkpoint.sync_token, checkpoint.version) == ("t1", 1)
    assert await store.mirror_rows("meetings", "u") == {"m1": '{"Id": "m1"}'}


async def test_a_process_sink_gets_every_change_and_a_stable_id(
    emulator: Emulator, store: SQLiteCheckpointStore
) -> None:
    seen: Counter[tuple[str, str]] = Counter()

    async def process(user: str, resource: str, sync: Any) -> None:
        items = sync.meetings if resource == "meetings" else sync.tasks
        seen[(user, resource)] += len(items)

    async with client_for(emulator) as client:
        await fleet_for(client, store, Passwords(), process=process).run_round()
    assert sum(n for (_, r), n in seen.items() if r == "meetings") == 15
    assert await store.mirror_rows("meetings", next(iter(USERS))) == {}  # the sink is yours
    one = stable_sync_id("Ann@x", "meetings", "t", "k")
    assert (
        one
        == stable_sync_id("ann@x", "meetings", "t", "k")
        != stable_sync_id("ann@x", "meetings", "t2", "k")
    )


def test_the_report_counts_from_events_alone() -> None:
    make: Callable[..., FleetEvent] = FleetEvent
    events = [
        make(kind="round-started", at=10.0),
        make(kind="login", username="a"),
        make(kind="checkpointed", username="a", resource="meetings", changes=3),
        make(kind="user-done", username="a"),
        make(kind="failed", username="b", reason="HTTP 503"),
        make(kind="user-done", username="b", reason="HTTP 503"),
        make(kind="skipped", username="c", reason="cooling down"),
        make(kind="round-finished", at=12.5),
    ]
    report = FleetReport.from_events(events)
    assert (report.users, report.ok, report.skipped, report.logins) == (3, 1, 1, 1)
    assert report.failed == {"HTTP 503": ("b",)} and report.failed_users == ("b",)
    assert report.changes == {"meetings": 3} and report.seconds == 2.5


async def test_several_users_share_one_checkpoint_transaction(
    store: SQLiteCheckpointStore,
) -> None:
    """Users whose rounds end together are written in one transaction, each its own CAS."""
    import anyio

    from meetingbooster_async._fleet import _GroupCommit

    calls: list[int] = []
    real = store.advance_many

    async def counting(advances: Any, *, now: float) -> list[bool]:
        calls.append(len(advances))
        return await real(advances, now=now)

    store.advance_many = counting  # type: ignore[method-assign]
    assert await store.advance("u2", "meetings", expected=None, new="moved", mirror=None, now=0)
    group = _GroupCommit(store, lambda: 1.0)
    results: dict[str, bool] = {}

    async def one(user: str) -> None:
        row = [MirrorChange(f"{user}-m", "{}")]
        advance = Advance(username=user, resource="meetings", expected=None, new="t", mirror=row)
        results[user] = await group.advance(advance)

    async with anyio.create_task_group() as tg:
        for n in range(5):
            tg.start_soon(one, f"u{n}")
    assert calls == [1, 5]  # the setup's own, then the five in one
    assert results == {"u0": True, "u1": True, "u2": False, "u3": True, "u4": True}
    assert await store.mirror_rows("meetings", "u2") == {}  # the loser wrote nothing
    assert await store.mirror_rows("meetings", "u3") == {"u3-m": "{}"}


async def test_a_store_failure_for_one_user_is_that_users_failure(
    emulator: Emulator, store: SQLiteCheckpointStore
) -> None:
    from meetingbooster_async import CheckpointStoreError

    broken = list(USERS)[1]
    real = store.begin

    async def begin(username: str, owner: str, **kwargs: Any) -> Begun:
        if username == broken:
            raise CheckpointStoreError("database is locked")
        return await real(username, owner, **kwargs)

    store.begin = begin  # type: ignore[method-assign]
    async with client_for(emulator) as client:
        report = await fleet_for(client, store, Passwords()).run_round()
    assert report.ok == 4 and report.failed == {"CheckpointStoreError": (broken,)}


async def test_a_write_the_database_refuses_fails_only_its_user(
    store: SQLiteCheckpointStore,
) -> None:
    poison = Advance(
        username="p",
        resource="meetings",
        expected=None,
        new="t",
        mirror=[MirrorChange("\ud800", "{}")],  # a lone surrogate: SQLite cannot store it
    )
    fine = Advance(username="f", resource="meetings", expected=None, new="t", mirror=None)
    results = await store.advance_many([poison, fine], now=1)
    assert isinstance(results[0], Exception) and results[1] is True
    assert await store.read("p", "meetings") is None
    assert await store.read("f", "meetings") is not None


async def test_rounds_go_on_until_stopped_and_each_is_reported(
    emulator: Emulator, store: SQLiteCheckpointStore
) -> None:
    import anyio

    reports: list[FleetReport] = []
    stop = anyio.Event()

    def on_report(report: FleetReport) -> None:
        reports.append(report)
        if len(reports) == 3:
            stop.set()  # as SIGINT does from the command line: the round in flight ends

    async with client_for(emulator) as client:
        await fleet_for(client, store, Passwords()).run_forever(0, stop=stop, on_report=on_report)
    assert [r.ok for r in reports] == [5, 5, 5]
    assert [r.logins for r in reports] == [5, 0, 0]


async def test_begin_takes_the_lease_and_reads_the_checkpoints_in_one_call(
    store: SQLiteCheckpointStore,
) -> None:
    both = ("meetings", "tasks")
    fresh = await store.begin("u", "me", resources=both, until=100, now=0)
    assert fresh.leased and fresh.state is None
    assert fresh.checkpoints == {"meetings": None, "tasks": None}
    assert not (await store.begin("u", "other", resources=both, until=100, now=1)).leased
    assert await store.advance("u", "tasks", expected=None, new="t1", mirror=None, now=2)
    await store.finish("u", "me", now=3)  # a success: recorded, lease given back
    again = await store.begin("u", "other", resources=both, until=200, now=4)
    assert again.leased and again.state is not None and again.state.last_ok == 3
    tasks = again.checkpoints["tasks"]
    assert tasks is not None and tasks.sync_token == "t1"
    assert again.checkpoints["meetings"] is None
    await store.finish("u", "other", now=5, reason="login refused", retry_at=60)
    cooling = await store.begin("u", "me", resources=both, until=300, now=6)
    assert not cooling.leased and cooling.cooling_until == 60
    state = await store.user("u")
    assert state is not None and state.lease_owner is None  # finish gave the lease back
    assert (await store.begin("u", "me", resources=both, until=300, now=61)).leased


async def test_a_users_round_never_outlives_its_lease(
    emulator: Emulator, store: SQLiteCheckpointStore
) -> None:
    """A Sync slower than the whole lease: the round is cut there, the user fails with
    "lease timeout", nothing of it is checkpointed, and the lease is given back."""
    async with client_for(emulator) as client:
        fleet = fleet_for(client, store, Passwords())
        await fleet.run_round()  # logged in, checkpointed
        emulator.faults.set_latency("tasks_sync", 2.0)
        fleet.lease_seconds = 0.5
        report = await fleet.run_round()
    assert report.failed == {"lease timeout": tuple(sorted(USERS))}
    for user in USERS:
        state = await store.user(user)
        assert state is not None and state.lease_owner is None and state.reason == "lease timeout"


async def test_a_users_resources_run_side_by_side_with_one_login(
    emulator: Emulator, store: SQLiteCheckpointStore
) -> None:
    """Both resources of a user are in flight at once (the meetings SyncCommit and the tasks
    Sync of the same user are held at the server together), and the user logs in once."""
    ann = next(iter(USERS))
    emulator.faults.hold("tasks_sync", times=1)
    emulator.faults.hold("sync_commit", times=1)
    async with client_for(emulator) as client:
        fleet = SyncFleet(client, [ann], credentials=Passwords(), store=store, concurrency=1)
        async with anyio.create_task_group() as tg:
            tg.start_soon(fleet.run_round)
            with anyio.fail_after(10):  # a hang guard: one after the other, they never meet
                await emulator.faults.wait_held(1, "tasks_sync")
                await emulator.faults.wait_held(1, "sync_commit")
            emulator.faults.release()
    assert emulator.stats().oauth_calls == {"password": 1}
    await assert_mirror_is_a_full_sync(emulator, store, [ann])


async def test_a_server_restart_costs_each_user_one_login_not_one_per_resource(
    emulator: Emulator, store: SQLiteCheckpointStore
) -> None:
    """Every token forgotten: both resources of a user meet the dead refresh token at once,
    and one of them logs in again (the password asked once more, not twice)."""
    passwords = Passwords()
    async with client_for(emulator) as client:
        fleet = fleet_for(client, store, passwords)
        await fleet.run_round()
        emulator.restart()
        report = await fleet.run_round()
    assert report.ok == 5 and report.logins == 5
    assert passwords.asked == dict.fromkeys(USERS, 2)
    assert report.oauth["password"] == {"ok": 5}
