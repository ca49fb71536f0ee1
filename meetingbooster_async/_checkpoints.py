"""Where a sync fleet keeps its state: checkpoints, leases, cooldowns, and the built-in mirror.

:class:`CheckpointStore` is the protocol a fleet runs on; :class:`SQLiteCheckpointStore` the
embedded default (a file, no server). Its schema, the same for every implementation::

    checkpoints (username, resource, sync_token, version, last_ok)     PK (username, resource)
    users       (username, lease_owner, lease_until, retry_at, last_ok, last_failure, reason)
    meetings    (username, id, data)                                  PK (username, id)
    tasks       (username, id, data)                                  PK (username, id)

``data`` is each object's JSON as the server sent it; query the mirror with plain SQL
(``SELECT data FROM meetings WHERE username = ?``). The rules every store keeps:

* **A checkpoint advances by compare-and-set** on the token it started from: two runners that
  synced one user from the same token cannot both advance it, and the loser's mirror rows are
  rolled back with its checkpoint (one transaction).
* **A lease per user**, with an expiry, is taken before the first Sync of a round: two
  overlapping runs never sync one user at once; a killed runner's lease runs out.
* **A cooldown per user** (``retry_at``, wall-clock seconds) is kept with the checkpoints, so a
  new process skips a user whose password was refused until the server's wait has passed.

SQLite specifics: every call runs in a worker thread (never on the event loop), one connection,
WAL journal. ``synchronous=NORMAL`` (the default here): a committed transaction survives the
process being killed (SIGKILL: the WAL is in the OS's hands), not a power cut; pass
``synchronous="FULL"`` for that (an fsync per commit).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Final, Literal, Protocol, TypeVar, runtime_checkable

import anyio.to_thread
import attrs

from ._errors import ConfigurationError, MeetingBoosterError

__all__ = [
    "RESOURCES",
    "Advance",
    "Begun",
    "Checkpoint",
    "CheckpointStore",
    "CheckpointStoreError",
    "MirrorChange",
    "SQLiteCheckpointStore",
    "UserState",
]

#: What a fleet syncs per user: MyMeetings and MyTasks (the mirror's two tables).
RESOURCES: Final = ("meetings", "tasks")

_T = TypeVar("_T")


class CheckpointStoreError(MeetingBoosterError):
    """The checkpoint store failed (a locked or unwritable database, a broken schema)."""


@attrs.frozen(kw_only=True)
class Checkpoint:
    """Where one user's sync of one resource stands: the token of its last committed round."""

    username: str
    resource: str
    sync_token: str | None
    version: int = 0
    last_ok: float | None = None


@attrs.frozen(kw_only=True)
class UserState:
    """One user's round bookkeeping: lease, cooldown, last success and failure."""

    username: str
    lease_owner: str | None = None
    lease_until: float | None = None
    retry_at: float | None = None
    last_ok: float | None = None
    last_failure: float | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True)
class Begun:
    """What :meth:`CheckpointStore.begin` found, in one transaction: the user's state as it
    was, whether the lease is now this runner's, and (if so) the checkpoints to start from."""

    leased: bool
    state: UserState | None
    checkpoints: Mapping[str, Checkpoint | None] = attrs.field(factory=dict)

    @property
    def cooling_until(self) -> float | None:
        """The user's ``retry_at`` when that is why the lease was not taken."""
        state = self.state
        return None if self.leased or state is None else state.retry_at


@attrs.frozen
class MirrorChange:
    """One mirror row to write with a checkpoint: ``data`` JSON to upsert, ``None`` to delete."""

    object_id: str
    data: str | None


@attrs.frozen(kw_only=True)
class Advance:
    """One user's checkpoint move for :meth:`CheckpointStore.advance_many`."""

    username: str
    resource: str
    expected: str | None
    new: str
    mirror: Sequence[MirrorChange] | None = None


@runtime_checkable
class CheckpointStore(Protocol):
    """What a sync fleet needs of its state (see the module docstring for the rules)."""

    async def open(self) -> None:
        """Connect and create the schema if it is not there."""

    async def aclose(self) -> None:
        """Release the connection."""

    async def begin(
        self,
        username: str,
        owner: str,
        *,
        resources: Sequence[str],
        until: float,
        now: float,
    ) -> Begun:
        """Start the user's round, in one transaction: unless the user cools down
        (``retry_at > now``) or another owner holds an unexpired lease, take the lease until
        ``until`` and read the checkpoints of ``resources``."""

    async def lease(self, username: str, owner: str, *, until: float, now: float) -> bool:
        """Take (or renew) the user's lease until ``until``; False if another holds it (the
        fleet takes it in :meth:`begin`; this is for tools and tests)."""

    async def finish(
        self,
        username: str,
        owner: str,
        *,
        now: float,
        reason: str | None = None,
        retry_at: float | None = None,
    ) -> None:
        """End the user's round, in one transaction: record it (``reason`` ``None``: a success,
        which ends any cooldown; else a failure, skipped until ``retry_at``) and give the
        lease back if ``owner`` holds it."""

    async def release(self, username: str, owner: str) -> None:
        """Give the user's lease back (only if ``owner`` holds it), recording nothing."""

    async def read(self, username: str, resource: str) -> Checkpoint | None:
        """The user's checkpoint for ``resource`` (``None``: never synced)."""

    async def user(self, username: str) -> UserState | None:
        """The user's lease, cooldown and last outcomes (``None``: never seen)."""

    async def advance(
        self,
        username: str,
        resource: str,
        *,
        expected: str | None,
        new: str,
        mirror: Sequence[MirrorChange] | None,
        now: float,
    ) -> bool:
        """Compare-and-set the checkpoint from ``expected`` to ``new``, with ``mirror``'s rows
        in the same transaction; False (and nothing written) if it moved meanwhile."""

    async def advance_many(
        self, advances: Sequence[Advance], *, now: float
    ) -> list[bool | CheckpointStoreError]:
        """Several users' :meth:`advance` in one transaction, each its own compare-and-set:
        one that lost (``False``) or failed (its error) writes nothing of its own, and the
        others still commit."""

    async def reset(self, username: str, resource: str) -> None:
        """Drop the checkpoint and the mirror rows of one user's resource (one transaction)."""

    async def users(self) -> list[UserState]:
        """Every user the store has seen, by name."""


_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS checkpoints (
    username TEXT NOT NULL, resource TEXT NOT NULL, sync_token TEXT,
    version INTEGER NOT NULL DEFAULT 0, last_ok REAL,
    PRIMARY KEY (username, resource));
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY, lease_owner TEXT, lease_until REAL, retry_at REAL,
    last_ok REAL, last_failure REAL, reason TEXT);
CREATE TABLE IF NOT EXISTS meetings (
    username TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (username, id));
CREATE TABLE IF NOT EXISTS tasks (
    username TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (username, id));
"""


def _table(resource: str) -> str:
    if resource not in RESOURCES:
        raise ConfigurationError(f"unknown resource {resource!r}; expected one of {RESOURCES}")
    return resource


class SQLiteCheckpointStore:
    """The embedded checkpoint store: one SQLite file (WAL), calls run off the event loop.

    Args:
        path: the database file (made if missing, with its schema).
        synchronous: SQLite's ``synchronous`` level: ``"NORMAL"`` survives a killed process,
            ``"FULL"`` a power cut too (see the module docstring).
        timeout: how long a write waits for another process's transaction (seconds).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        synchronous: Literal["NORMAL", "FULL"] = "NORMAL",
        timeout: float = 10.0,
    ) -> None:
        self.path = Path(path)
        self._synchronous = synchronous
        self._timeout = timeout
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<SQLiteCheckpointStore {str(self.path)!r}>"

    async def _run(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        def call() -> _T:
            with self._lock:
                db = self._db
                if db is None:
                    raise CheckpointStoreError("the checkpoint store is not open")
                try:
                    return work(db)
                except (sqlite3.Error, ValueError) as exc:  # ValueError: text it cannot store
                    if db.in_transaction:
                        db.rollback()
                    raise CheckpointStoreError(f"checkpoint store {self.path}: {exc}") from exc

        return await anyio.to_thread.run_sync(call)

    async def open(self) -> None:
        """See :meth:`CheckpointStore.open`."""

        def connect() -> None:
            try:
                db = sqlite3.connect(
                    self.path, timeout=self._timeout, isolation_level=None, check_same_thread=False
                )
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(f"PRAGMA synchronous={self._synchronous}")
                db.executescript(_SCHEMA)
            except sqlite3.Error as exc:
                raise CheckpointStoreError(f"checkpoint store {self.path}: {exc}") from exc
            self._db = db

        await anyio.to_thread.run_sync(connect)

    async def aclose(self) -> None:
        """See :meth:`CheckpointStore.aclose`."""
        db, self._db = self._db, None
        if db is not None:
            await anyio.to_thread.run_sync(db.close)

    async def __aenter__(self) -> SQLiteCheckpointStore:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def read(self, username: str, resource: str) -> Checkpoint | None:
        """See :meth:`CheckpointStore.read`."""
        _table(resource)

        def work(db: sqlite3.Connection) -> Checkpoint | None:
            row = db.execute(
                "SELECT sync_token, version, last_ok FROM checkpoints"
                " WHERE username = ? AND resource = ?",
                (username, resource),
            ).fetchone()
            if row is None:
                return None
            return Checkpoint(
                username=username,
                resource=resource,
                sync_token=row[0],
                version=row[1],
                last_ok=row[2],
            )

        return await self._run(work)

    async def user(self, username: str) -> UserState | None:
        """See :meth:`CheckpointStore.user`."""

        def work(db: sqlite3.Connection) -> UserState | None:
            row = db.execute(_USER_ROW + " WHERE username = ?", (username,)).fetchone()
            return None if row is None else _user_state(row)

        return await self._run(work)

    async def begin(
        self,
        username: str,
        owner: str,
        *,
        resources: Sequence[str],
        until: float,
        now: float,
    ) -> Begun:
        """See :meth:`CheckpointStore.begin`."""
        for resource in resources:
            _table(resource)

        def work(db: sqlite3.Connection) -> Begun:
            with _transaction(db):
                row = db.execute(_USER_ROW + " WHERE username = ?", (username,)).fetchone()
                state = None if row is None else _user_state(row)
                if state is not None and state.retry_at is not None and state.retry_at > now:
                    return Begun(leased=False, state=state)
                if not _take_lease(db, username, owner, until, now):
                    return Begun(leased=False, state=state)
                found = {
                    str(resource): Checkpoint(
                        username=username,
                        resource=str(resource),
                        sync_token=token,
                        version=version,
                        last_ok=last_ok,
                    )
                    for resource, token, version, last_ok in db.execute(
                        "SELECT resource, sync_token, version, last_ok FROM checkpoints"
                        " WHERE username = ?",
                        (username,),
                    )
                }
            return Begun(leased=True, state=state, checkpoints={r: found.get(r) for r in resources})

        return await self._run(work)

    async def lease(self, username: str, owner: str, *, until: float, now: float) -> bool:
        """See :meth:`CheckpointStore.lease`."""

        def work(db: sqlite3.Connection) -> bool:
            with _transaction(db):
                return _take_lease(db, username, owner, until, now)

        return await self._run(work)

    async def release(self, username: str, owner: str) -> None:
        """See :meth:`CheckpointStore.release`."""

        def work(db: sqlite3.Connection) -> None:
            db.execute(
                "UPDATE users SET lease_owner = NULL, lease_until = NULL"
                " WHERE username = ? AND lease_owner = ?",
                (username, owner),
            )

        await self._run(work)

    async def advance(
        self,
        username: str,
        resource: str,
        *,
        expected: str | None,
        new: str,
        mirror: Sequence[MirrorChange] | None,
        now: float,
    ) -> bool:
        """See :meth:`CheckpointStore.advance`."""
        one = Advance(
            username=username, resource=resource, expected=expected, new=new, mirror=mirror
        )
        [moved] = await self.advance_many([one], now=now)
        if isinstance(moved, CheckpointStoreError):
            raise moved
        return moved

    async def advance_many(
        self, advances: Sequence[Advance], *, now: float
    ) -> list[bool | CheckpointStoreError]:
        """See :meth:`CheckpointStore.advance_many`."""
        tables = [_table(a.resource) for a in advances]

        def work(db: sqlite3.Connection) -> list[bool | CheckpointStoreError]:
            results: list[bool | CheckpointStoreError] = []
            with _transaction(db):
                for advance, table in zip(advances, tables, strict=True):
                    db.execute("SAVEPOINT one")
                    try:
                        moved = _advance_one(db, table, advance, now)
                    except (sqlite3.Error, ValueError) as exc:  # e.g. text SQLite cannot store
                        db.execute("ROLLBACK TO one")
                        results.append(CheckpointStoreError(f"{advance.username}: {exc}"))
                    else:
                        if not moved:
                            db.execute("ROLLBACK TO one")
                        results.append(moved)
                    db.execute("RELEASE one")
            return results

        return await self._run(work)

    async def reset(self, username: str, resource: str) -> None:
        """See :meth:`CheckpointStore.reset`."""
        table = _table(resource)

        def work(db: sqlite3.Connection) -> None:
            with _transaction(db):
                db.execute(
                    "DELETE FROM checkpoints WHERE username = ? AND resource = ?",
                    (username, resource),
                )
                db.execute(f"DELETE FROM {table} WHERE username = ?", (username,))  # noqa: S608

        await self._run(work)

    async def finish(
        self,
        username: str,
        owner: str,
        *,
        now: float,
        reason: str | None = None,
        retry_at: float | None = None,
    ) -> None:
        """See :meth:`CheckpointStore.finish`."""

        def work(db: sqlite3.Connection) -> None:
            with _transaction(db):
                db.execute("INSERT OR IGNORE INTO users (username) VALUES (?)", (username,))
                if reason is None:
                    db.execute(
                        "UPDATE users SET last_ok = ?, retry_at = NULL WHERE username = ?",
                        (now, username),
                    )
                else:
                    db.execute(
                        "UPDATE users SET last_failure = ?, reason = ?, retry_at = ?"
                        " WHERE username = ?",
                        (now, reason, retry_at, username),
                    )
                db.execute(
                    "UPDATE users SET lease_owner = NULL, lease_until = NULL"
                    " WHERE username = ? AND lease_owner = ?",
                    (username, owner),
                )

        await self._run(work)

    async def users(self) -> list[UserState]:
        """See :meth:`CheckpointStore.users`."""

        def work(db: sqlite3.Connection) -> list[UserState]:
            rows = db.execute(_USER_ROW + " ORDER BY username").fetchall()
            return [_user_state(row) for row in rows]

        return await self._run(work)

    async def mirror_rows(self, resource: str, username: str) -> dict[str, str]:
        """The mirror's rows of one user's resource: ``{id: data}`` (for checks and tests)."""
        table = _table(resource)

        def work(db: sqlite3.Connection) -> dict[str, str]:
            rows = db.execute(
                f"SELECT id, data FROM {table} WHERE username = ?",  # noqa: S608
                (username,),
            ).fetchall()
            return dict(rows)

        return await self._run(work)


_USER_ROW: Final = (
    "SELECT username, lease_owner, lease_until, retry_at, last_ok, last_failure, reason FROM users"
)


def _take_lease(
    db: sqlite3.Connection, username: str, owner: str, until: float, now: float
) -> bool:
    """Inside a transaction: the lease is ``owner``'s until ``until`` unless another holds it."""
    db.execute("INSERT OR IGNORE INTO users (username) VALUES (?)", (username,))
    taken = db.execute(
        "UPDATE users SET lease_owner = ?, lease_until = ? WHERE username = ?"
        " AND (lease_owner IS NULL OR lease_owner = ? OR lease_until <= ?)",
        (owner, until, username, owner, now),
    ).rowcount
    return bool(taken == 1)


def _user_state(row: Iterable[object]) -> UserState:
    username, owner, until, retry_at, last_ok, last_failure, reason = row
    return UserState(
        username=str(username),
        lease_owner=owner,  # type: ignore[arg-type]
        lease_until=until,  # type: ignore[arg-type]
        retry_at=retry_at,  # type: ignore[arg-type]
        last_ok=last_ok,  # type: ignore[arg-type]
        last_failure=last_failure,  # type: ignore[arg-type]
        reason=reason,  # type: ignore[arg-type]
    )


def _advance_one(db: sqlite3.Connection, table: str, advance: Advance, now: float) -> bool:
    db.execute(
        "INSERT OR IGNORE INTO checkpoints (username, resource) VALUES (?, ?)",
        (advance.username, advance.resource),
    )
    moved = db.execute(
        "UPDATE checkpoints SET sync_token = ?, version = version + 1,"
        " last_ok = ? WHERE username = ? AND resource = ? AND sync_token IS ?",
        (advance.new, now, advance.username, advance.resource, advance.expected),
    ).rowcount
    if moved != 1:
        return False
    _write_mirror(db, table, advance.username, advance.mirror or ())
    return True


def _write_mirror(
    db: sqlite3.Connection, table: str, username: str, changes: Iterable[MirrorChange]
) -> None:
    for change in changes:
        if change.data is None:
            db.execute(
                f"DELETE FROM {table} WHERE username = ? AND id = ?",  # noqa: S608
                (username, change.object_id),
            )
        else:
            db.execute(
                f"INSERT INTO {table} (username, id, data) VALUES (?, ?, ?)"  # noqa: S608
                " ON CONFLICT (username, id) DO UPDATE SET data = excluded.data",
                (username, change.object_id, change.data),
            )


class _transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``; the ``abort`` it yields makes it roll back instead."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._aborted = False

    def __enter__(self) -> Callable[[], None]:
        self._db.execute("BEGIN IMMEDIATE")
        return self._abort

    def _abort(self) -> None:
        self._aborted = True

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None and not self._aborted:
            self._db.execute("COMMIT")
        else:
            self._db.execute("ROLLBACK")
