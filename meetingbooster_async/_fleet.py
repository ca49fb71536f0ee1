"""A sync fleet: every user's meetings and tasks synced in rounds, crash-safe, on one client.

:class:`SyncFleet` runs one round per user and resource (``meetings``, ``tasks``) with bounded
concurrency: take the user's lease, Sync, hand the changes to the sink (the built-in mirror, or
your ``process``), SyncCommit, then advance the checkpoint by compare-and-set, with the
mirror's rows in the same transaction. What a crash at each point leaves:

* before the checkpoint write (after Sync, or after SyncCommit): the checkpoint still holds
  the old token, so the next round gets the same changes again and applies them again (the
  mirror upserts; objects a ``process`` creates keep a ``ClientSyncId`` and ``Id`` derived
  from the round's token, :func:`stable_sync_id`, so a replayed SyncCommit finds them);
* after it: the round is done.

Each user's failure stays that user's: a refused login, a lockout, a 5xx, a transport error
is recorded with the user (and, when the server said how long to wait, a ``retry_at`` that the
next run honours, in a new process too) while the others go on. An invalid sync token
(:class:`InvalidSyncTokenError`; its signal is inferred, see ``InvalidSyncTokenError``) clears
that user's checkpoint and mirror rows in one transaction and syncs the user again from
scratch. Passwords come from a credentials provider, asked only when a login is needed;
the session keeps the tokens, never the password (:meth:`UserSession.forget_password`).

Everything the runner does is an event (:class:`FleetEvent`) given to ``on_event``; the
round's :class:`FleetReport` is built from the same events.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Final

import anyio
import anyio.lowlevel
import httpx

from ._checkpoints import RESOURCES, Advance, CheckpointStore, CheckpointStoreError, MirrorChange
from ._converter import structure
from ._errors import (
    APIStatusError,
    InvalidSyncTokenError,
    LoginFailedError,
    MeetingBoosterError,
    OAuthError,
    PasswordRequiredError,
    RateLimitError,
    ResponseValidationError,
)
from ._events import AuthEvent, EventHooks
from ._fleet_report import EventKind, FleetEvent, FleetReport, Resource
from ._logging import logger
from ._models import MeetingSynchronization, TaskSynchronization
from ._retry_after import parse_retry_after
from ._users import UserSession
from .resources._send import NO_BODY, read_json

__all__ = [
    "CredentialsProvider",
    "SyncFleet",
    "stable_sync_id",
]

#: Asked for a user's password when (and only when) a login is needed.
CredentialsProvider = Callable[[str], Awaitable[str]]
Synchronization = MeetingSynchronization | TaskSynchronization
#: Your sink: apply one user's changes; return what to commit (``None``: all of it).
Process = Callable[[str, Resource, Any], Awaitable[Any]]

#: The wire keys of each resource's list and object (tasks: inferred, like MyTasks itself).
_LIST_KEY: Final = {"meetings": "Meetings", "tasks": "Tasks"}
_OBJECT_KEY: Final = {"meetings": "Meeting", "tasks": "Task"}
_MODEL: Final[Mapping[str, type[Synchronization]]] = {
    "meetings": MeetingSynchronization,
    "tasks": TaskSynchronization,
}
#: When the server asked for no wait, a failed user is tried again at the next round.
_NAMESPACE: Final = uuid.UUID("8f2b1c76-3f5e-4c59-9a57-3c1e0f6b2d41")


def stable_sync_id(username: str, resource: str, sync_token: str | None, key: str) -> str:
    """A ``ClientSyncId`` (and GUID ``Id``) that a retried round gives the same object again.

    Derived from the round's starting token and your own ``key`` for the object: a round
    replayed after a crash (the same token) makes the same id, so a SyncCommit sent twice
    finds the object it made instead of making another.
    """
    return str(uuid.uuid5(_NAMESPACE, f"{username.lower()}\n{resource}\n{sync_token}\n{key}"))


def _is_invalid_sync_token(exc: Exception) -> bool:
    return isinstance(exc, InvalidSyncTokenError)


def _reason(exc: BaseException) -> str:
    """A short, secret-free reason for a user's failure (the report groups by it)."""
    if isinstance(exc, LoginFailedError):
        return "locked" if exc.locked else "login refused"
    if isinstance(exc, OAuthError):
        return f"oauth {exc.error}"
    if isinstance(exc, APIStatusError):
        return f"HTTP {exc.status_code}"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.TransportError):
        return "connection"
    return type(exc).__name__


def _retry_at(exc: BaseException, now: float, login_cooldown: float) -> float | None:
    """When to try this user again (``None``: at the next round). A refused password waits at
    least ``login_cooldown`` (a wrong password retried every round locks the account)."""
    if isinstance(exc, LoginFailedError):
        return now + max(exc.retry_in_seconds, login_cooldown)
    if isinstance(exc, OAuthError) and exc.retry_in_seconds > 0:
        return now + exc.retry_in_seconds
    if isinstance(exc, RateLimitError) and exc.retry_after:
        return now + exc.retry_after
    if isinstance(exc, APIStatusError) and exc.response is not None:
        wait = parse_retry_after(exc.response.headers.get("Retry-After"))
        if wait is not None:
            return now + wait
    return None


class SyncFleet:
    """Sync many users' meetings and tasks in rounds, through one client (see the module doc).

    Args:
        client: a :class:`MeetingBoosterClient` (its own user is not synced; ``as_user``
            views are made from it). Give it ``signout_on_close=False``: a fleet keeps its
            users signed in between rounds.
        users: the usernames to sync.
        credentials: ``await credentials(username)`` gives the password, asked only when a
            login is needed (the first round of a process, a rejected refresh token).
        store: where checkpoints, leases, cooldowns and the mirror live.
        process: your sink; default: the store's mirror (each object's JSON as the server
            sent it, in the same transaction as the checkpoint).
        resources: which to sync per user.
        concurrency: users in flight at once (keep it at or below the client's pool size).
        lease: seconds a user's lease lasts (a killed runner's users free up after it).
        owner: this runner's lease name (default: a random one).
        on_event: a synchronous callable given every :class:`FleetEvent`; if it raises, the
            error is logged and the round goes on.
        invalid_token: what says the server refused a user's sync token (inferred: by default
            an :class:`InvalidSyncTokenError`, a 4xx with ``ErrorCode`` ``INVALIDSYNCTOKEN``);
            the user's checkpoint and mirror rows are then cleared and the user synced afresh.
        login_cooldown: the least wait after a refused password before that user is tried
            again (kept with the checkpoints: a new process waits too), as ``TokenPolicy``'s.
        clock: wall-clock seconds (the cooldowns are kept across processes).
    """

    def __init__(
        self,
        client: Any,
        users: Sequence[str],
        *,
        credentials: CredentialsProvider,
        store: CheckpointStore,
        process: Process | None = None,
        resources: Sequence[Resource] = ("meetings", "tasks"),
        concurrency: int = 16,
        lease: float = 300.0,
        owner: str | None = None,
        on_event: Callable[[FleetEvent], None] | None = None,
        invalid_token: Callable[[Exception], bool] | None = None,
        login_cooldown: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        unknown = [r for r in resources if r not in RESOURCES]
        if unknown or concurrency < 1:
            raise MeetingBoosterError(f"bad fleet settings: resources {unknown}, {concurrency=}")
        self.client = client
        self.users = tuple(dict.fromkeys(users))
        self._names = frozenset(u.lower() for u in self.users)
        self._credentials = credentials
        self.store = store
        self._process = process
        self.resources = tuple(resources)
        self.concurrency = concurrency
        self.lease_seconds = lease
        self.owner = owner or f"fleet-{uuid.uuid4().hex[:12]}"
        self._on_event = on_event
        self._invalid_token = invalid_token or _is_invalid_sync_token
        self.login_cooldown = login_cooldown
        self._clock = clock
        self._sessions: dict[str, UserSession] = {}
        self._events: list[FleetEvent] = []
        self._group = _GroupCommit(store, clock)

    # -- events --------------------------------------------------------------------------

    def _emit(self, kind: EventKind, **fields: Any) -> None:
        event = FleetEvent(kind=kind, at=self._clock(), **fields)
        self._events.append(event)
        if self._on_event is not None:
            try:
                self._on_event(event)
            except Exception:
                logger.exception("the fleet's on_event hook failed on a %s event", kind)

    # -- a round -------------------------------------------------------------------------

    async def run_round(self) -> FleetReport:
        """One round for every user; returns its report (a user's failure never raises)."""
        self._events = []
        self._emit("round-started")
        limiter = anyio.CapacityLimiter(self.concurrency)

        async def one(username: str) -> None:
            async with limiter:
                await self._user_round(username)

        hooks = self._hooks()
        if hooks is not None:
            hooks.add(self._heard)
        try:
            async with anyio.create_task_group() as tg:
                for username in self.users:
                    tg.start_soon(one, username)
        finally:
            if hooks is not None:
                hooks.remove(self._heard)
        self._emit("round-finished")
        return FleetReport.from_events(self._events)

    def _hooks(self) -> EventHooks | None:
        auth = getattr(self.client, "mb_auth", None)
        hooks = getattr(auth, "events", None)
        return hooks if isinstance(hooks, EventHooks) else None

    def _heard(self, event: AuthEvent) -> None:
        """A ``/oauth`` grant of the client's family ended: counted if it is one of ours."""
        if event.username.lower() in self._names:
            self._emit("oauth", username=event.username, grant=event.grant, outcome=event.outcome)

    async def _user_round(self, username: str) -> None:
        """One user's round: begin (lease, checkpoints), its resources side by side, finish
        (outcome and lease back): two store calls besides the grouped checkpoint writes. The
        whole round is bounded by the lease, so it never outlives it."""
        leased = False
        try:
            now = self._clock()
            begun = await self.store.begin(
                username,
                self.owner,
                resources=self.resources,
                until=now + self.lease_seconds,
                now=now,
            )
            if not begun.leased:
                cooling = begun.cooling_until
                if cooling is not None and cooling > now:
                    self._emit(
                        "skipped", username=username, reason="cooling down", retry_at=cooling
                    )
                else:
                    self._emit("skipped", username=username, reason="leased by another runner")
                return
            leased = True
            tokens = {
                r: (cp.sync_token if cp is not None else None)
                for r, cp in begun.checkpoints.items()
            }
            with anyio.fail_after(max(0.0, now + self.lease_seconds - self._clock())):
                await self._resources_round(username, tokens)
        except anyio.get_cancelled_exc_class():
            if leased:
                with anyio.CancelScope(shield=True):
                    await self._quietly(self.store.release(username, self.owner))
            raise
        except Exception as exc:
            await self._failed(username, exc)
        else:
            await self._quietly(self.store.finish(username, self.owner, now=self._clock()))
            self._emit("user-done", username=username)

    async def _resources_round(self, username: str, tokens: dict[str, str | None]) -> None:
        """Every resource of one user at once (each keeps the pool busy while the other waits
        on the store); the user fails if one did, after both ended. One login first."""
        login = anyio.Lock()
        async with login:
            await self._session(username)  # a refused login fails the user before any Sync
        if len(self.resources) == 1:
            await self._resource_round(username, self.resources[0], tokens, login)
            return
        failures: list[Exception] = []

        async def one(resource: Resource) -> None:
            try:
                await self._resource_round(username, resource, tokens, login)
            except Exception as exc:
                failures.append(exc)

        async with anyio.create_task_group() as tg:
            for resource in self.resources:
                tg.start_soon(one, resource)
        if failures:
            raise failures[0]

    async def _failed(self, username: str, exc: Exception) -> None:
        reason = "lease timeout" if isinstance(exc, TimeoutError) else _reason(exc)
        retry_at = _retry_at(exc, self._clock(), self.login_cooldown)
        logger.warning("fleet: %s failed: %s", username, reason)
        with anyio.CancelScope(shield=True):  # the lease goes back whatever happens
            await self._quietly(
                self.store.finish(
                    username, self.owner, now=self._clock(), reason=reason, retry_at=retry_at
                )
            )
        self._emit("failed", username=username, reason=reason, retry_at=retry_at)
        self._emit("user-done", username=username, reason=reason)

    async def _quietly(self, call: Awaitable[None]) -> None:
        """A bookkeeping write whose failure is logged, not spread to the round."""
        try:
            await call
        except Exception as exc:
            logger.warning("fleet: the checkpoint store failed: %s", exc)

    async def _session(self, username: str) -> UserSession:
        """The user's session: kept between rounds; a new one logs in with a fresh password."""
        session = self._sessions.get(username)
        if session is None:
            self._emit("login", username=username)
            password = await self._credentials(username)
            self.client.forget_user(username)  # a new session replaces, never piles up
            session = self.client.as_user(username, password)
            del password
            try:
                await session.login()
            finally:
                session.forget_password()  # the tokens carry on; the password goes
            self._sessions[username] = session
        return session

    async def _resource_round(
        self,
        username: str,
        resource: Resource,
        tokens: dict[str, str | None],
        login: anyio.Lock,
    ) -> None:
        """One resource: Sync, sink, SyncCommit, checkpoint; ``tokens`` is where each stands.
        ``login``: the user's resources log in again one at a time, once."""
        for attempt in (1, 2):
            async with login:
                session = await self._session(username)
            try:
                tokens[resource] = await self._sync_once(
                    session, username, resource, tokens.get(resource)
                )
                return
            except PasswordRequiredError:
                if attempt == 2:
                    raise
                async with login:  # the refresh token died: the next _session logs in again
                    if self._sessions.get(username) is session:
                        del self._sessions[username]
            except Exception as exc:
                if attempt == 2 or not self._invalid_token(exc):
                    raise
                await self.store.reset(username, resource)  # and its mirror rows: afresh
                tokens[resource] = None
                self._emit("resynced", username=username, resource=resource)

    async def _sync_once(
        self, session: UserSession, username: str, resource: Resource, token: str | None
    ) -> str:
        """One round of one resource from ``token``; returns the token it checkpointed."""
        api: Any = session.my_meetings if resource == "meetings" else session.my_tasks
        raw = await api.with_raw_response.sync(sync_token=token)
        response = raw.http_response
        body = read_json(response)  # parsed once: for the model and for the mirror's rows
        if body is NO_BODY:
            raise ResponseValidationError(
                f"HTTP {response.status_code} has an empty body", response=response
            )
        received = structure(body, _MODEL[resource], response=response)
        items = _items(body, resource)
        self._emit("synced", username=username, resource=resource, changes=len(items))
        mirror: list[MirrorChange] | None = None
        if self._process is None:
            mirror = [change for item in items if (change := _mirror_change(item, resource))]
            to_commit = received
        else:
            outcome = await self._process(username, resource, received)
            to_commit = received if outcome is None else outcome
        answer = await api.sync_commit(to_commit)
        new_token = answer.sync_token if answer is not None and answer.sync_token else None
        new_token = new_token or received.sync_token
        self._emit("committed", username=username, resource=resource, changes=len(items))
        if not new_token:
            raise MeetingBoosterError(f"the {resource} Sync answer has no SyncToken")
        advance = Advance(
            username=username, resource=resource, expected=token, new=new_token, mirror=mirror
        )
        advanced = await self._group.advance(advance)
        if not advanced:
            raise MeetingBoosterError(f"the {resource} checkpoint moved under this round")
        self._emit("checkpointed", username=username, resource=resource, changes=len(items))
        return new_token

    async def run_forever(
        self,
        every: float,
        *,
        stop: anyio.Event,
        on_report: Callable[[FleetReport], object] | None = None,
    ) -> None:
        """A round every ``every`` seconds until ``stop`` is set (the round in flight ends);
        ``on_report`` gets each round's report."""
        while not stop.is_set():
            started = anyio.current_time()
            report = await self.run_round()
            if on_report is not None:
                on_report(report)
            with anyio.move_on_after(max(0.0, every - (anyio.current_time() - started))):
                await stop.wait()


class _Slot:
    __slots__ = ("advance", "done", "error", "result")

    def __init__(self, advance: Advance) -> None:
        self.advance = advance
        self.done = anyio.Event()
        self.result = False
        self.error: BaseException | None = None


class _GroupCommit:
    """The checkpoints of users whose rounds end together go in one transaction.

    The first user to arrive writes, for everyone who arrived by the time it runs (each its
    own compare-and-set); the others wait for it. The write is shielded (a bounded database
    call): a cancelled writer never strands the users waiting on it.
    """

    def __init__(self, store: CheckpointStore, clock: Callable[[], float]) -> None:
        self._store = store
        self._clock = clock
        self._pending: list[_Slot] = []
        self._writing = False

    async def advance(self, advance: Advance) -> bool:
        slot = _Slot(advance)
        self._pending.append(slot)
        if self._writing:
            await slot.done.wait()
        else:
            self._writing = True
            try:
                with anyio.CancelScope(shield=True):
                    await anyio.lowlevel.checkpoint()  # the users finishing now join in
                    while self._pending:
                        batch, self._pending = self._pending, []
                        await self._write(batch)
            finally:
                self._writing = False
        if slot.error is not None:  # a fresh error per user: one instance is never raised twice
            raise CheckpointStoreError(f"the checkpoint write failed: {slot.error}") from slot.error
        return slot.result

    async def _write(self, batch: list[_Slot]) -> None:
        try:
            results = await self._store.advance_many(
                [slot.advance for slot in batch], now=self._clock()
            )
            if len(results) != len(batch):
                raise CheckpointStoreError("the store answered for another number of users")
            for slot, result in zip(batch, results, strict=True):
                if isinstance(result, BaseException):
                    slot.error = result  # that user's write failed; the others committed
                else:
                    slot.result = result
        except BaseException as exc:
            for slot in batch:
                slot.error = exc
            if not isinstance(exc, Exception):
                raise
        finally:
            for slot in batch:
                slot.done.set()  # whatever happened, no waiter is left behind


def _items(body: Any, resource: Resource) -> list[Mapping[str, Any]]:
    items = body.get(_LIST_KEY[resource]) if isinstance(body, dict) else None
    if not isinstance(items, list):
        return []
    return [item for item in items if isinstance(item, dict)]


def _mirror_change(item: Mapping[str, Any], resource: Resource) -> MirrorChange | None:
    """The mirror row for one sync item: upsert on NEW/MODIFIED, delete on DELETED."""
    obj = item.get(_OBJECT_KEY[resource])
    object_id = obj.get("Id") if isinstance(obj, dict) else None
    if not isinstance(object_id, str | int) or object_id == "":
        return None  # no id to key the row by: nothing to mirror
    state = str(item.get("State", "")).upper()
    if state == "DELETED":
        return MirrorChange(str(object_id).lower(), None)
    if state in ("NEW", "MODIFIED"):
        return MirrorChange(str(object_id).lower(), json.dumps(obj, sort_keys=True))
    return None
