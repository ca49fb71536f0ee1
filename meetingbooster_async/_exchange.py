"""Token exchanges: one refresh or login in flight per identity, in a task no caller owns.

:class:`Exchanges` runs the exchange generator of :mod:`._tokens` through the ``/oauth``
sender (and a shared token store, when there is one) and publishes its outcome to every caller
waiting on it. Where the exchange runs: a detached task on asyncio, the sending client's task
group under trio (inside ``async with``), else in the caller that starts it, shielded.
Every wait is bounded by the exchange's ``token_timeout``: the store lock is waited for all
of it but a moment to re-read when the store still answers at half of it (a busy lock is
never a reason to exchange locally: see :meth:`Exchanges._drive_shared`); a store that fails
or does not answer makes the exchange run locally; the write-back is shielded within the same
budget.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import Any, Final, TypeVar

import anyio
import anyio.abc
import attrs
import httpx
import sniffio

from ._errors import APIConnectionError, MeetingBoosterError, TokenStoreBusyError, TokenStoreError
from ._logging import logger
from ._oauth import GRANT_EXTENSION
from ._oauth_sender import TokenSender
from ._security import scrub_chain
from ._store import StoredToken, TokenStore
from ._tokens import AccessToken, GrantFlow, TokenManager

__all__ = ["NO_CONTEXT", "Exchange", "Exchanges", "SendContext"]

_T = TypeVar("_T")

#: Seconds kept from a shared exchange's lock wait to re-read the store when the wait ends.
_REREAD_RESERVE: Final = 1.0


@attrs.frozen
class SendContext:
    """What the client that is sending offers a token exchange: its transport and timeout,
    and (under trio, inside ``async with``) a task group to run the exchange in."""

    transport: httpx.AsyncBaseTransport | None = None
    timeout: httpx.Timeout | None = None
    task_group: anyio.abc.TaskGroup | None = None


NO_CONTEXT: Final = SendContext()


class Exchange:
    """One refresh or login in flight, and its outcome for every caller waiting on it."""

    __slots__ = ("done", "error", "token", "transport")

    def __init__(self, transport: httpx.AsyncBaseTransport | None) -> None:
        self.done = anyio.Event()
        self.token: AccessToken | None = None
        self.error: MeetingBoosterError | None = None
        self.transport = transport


#: What an identity with no detached exchange task holds (most of a fleet's users, most of the
#: time): one shared empty set rather than a set each.
_NO_TASKS: Final[frozenset[Any]] = frozenset()


class Exchanges:
    """The exchanges of one identity: at most one in flight, its outcome shared.

    Slotted, its task set shared while empty: a fleet keeps one per user.
    """

    __slots__ = (
        "_sender",
        "_store",
        "_store_base",
        "_store_key",
        "_tasks",
        "_token_timeout",
        "_tokens",
        "_verifier",
        "inflight",
    )

    def __init__(
        self,
        tokens: TokenManager,
        sender: TokenSender,
        *,
        store: TokenStore | None,
        token_timeout: float,
        store_base: str,
    ) -> None:
        self._tokens = tokens
        self._sender = sender
        self._store = store
        self._token_timeout = token_timeout
        self._store_base = store_base
        self._store_key = ""  # derived lazily: it costs a slow hash of the password
        self._verifier: str | None = None  # with HMAC keys: this password's, made once
        self.inflight: Exchange | None = None
        #: Detached asyncio tasks running exchanges (the shared empty set when there are none).
        self._tasks: set[Any] | frozenset[Any] = _NO_TASKS

    @property
    def username(self) -> str:
        return self._tokens.username

    @property
    def tasks(self) -> set[Any] | frozenset[Any]:
        """The detached asyncio tasks still running (empty once :meth:`cancel` returned)."""
        return self._tasks

    def start(self, fallback: AccessToken | None, context: SendContext) -> tuple[Exchange, bool]:
        """Open the single flight: ``(exchange, spawned)``; not spawned: the caller runs it."""
        ex = Exchange(context.transport)
        self.inflight = ex
        return ex, self._spawn(ex, fallback, context)

    async def settle(self) -> None:
        """Wait until no exchange runs (bounded by ``token_timeout``)."""
        with anyio.move_on_after(self._token_timeout):
            while (ex := self.inflight) is not None:
                await ex.done.wait()

    async def cancel(self, transport: httpx.AsyncBaseTransport | None = None) -> None:
        """Stop the exchange running on ``transport`` (any if ``None``): its client closes."""
        ex = self.inflight
        if ex is None or (transport is not None and ex.transport is not transport):
            return
        for task in list(self._tasks):
            task.cancel()
        with anyio.CancelScope(shield=True), anyio.move_on_after(1.0):
            await ex.done.wait()
        self._abandon(ex)  # it did not end in time: its callers must not wait on

    async def signout(self, context: SendContext) -> None:
        """``grant_type=signout`` (and, with a store, delete the shared tokens), bounded."""
        deadline = anyio.current_time() + self._token_timeout
        if self._store is None:
            await self.drive(self._tokens.signout(), deadline, context, shield=False)
            return
        key = await self.key()
        with _store_bound(deadline, "signout"):
            async with self._store.lock(key):
                stored = await self._verified(key, await self._store.get(key))
                self._tokens.adopt(stored)
                if stored is not None:  # another password's tokens are not ours to delete
                    await self._store.delete(key)
                await self.drive(self._tokens.signout(), deadline, context, shield=False)

    async def key(self) -> str:
        """This identity's key in the shared store: an HMAC with the store's ``key_secret``,
        else a slow hash of the password (off the loop, once)."""
        if not self._store_key:
            secret = self._secret()
            if secret is not None:
                self._store_key = self._tokens.store_key(self._store_base, secret)
            else:
                self._store_key = await anyio.to_thread.run_sync(
                    self._tokens.store_key, self._store_base
                )
        return self._store_key

    def _secret(self) -> bytes | None:
        secret = getattr(self._store, "key_secret", None)
        return secret if isinstance(secret, bytes) and secret else None

    async def _verified(self, key: str, stored: StoredToken | None) -> StoredToken | None:
        """``stored`` if this identity may take it: always with password-derived keys; with
        HMAC keys, if its verifier matches our password (or we hold no password to prove)."""
        if stored is None or self._secret() is None:
            return stored
        verifier = await self._my_verifier(key)
        if verifier is None:  # the password is forgotten: the key alone names the user
            return stored
        if stored.verifier != verifier:
            logger.warning("stored tokens of %s are another password's: not adopted", self.username)
            return None
        return stored

    async def _my_verifier(self, key: str) -> str | None:
        """Our password's verifier (a slow hash, off the loop, once; ``None``: forgotten)."""
        if self._verifier is None:
            self._verifier = await anyio.to_thread.run_sync(self._tokens.password_verifier, key)
        return self._verifier

    async def _with_verifier(
        self, key: str, mine: StoredToken, stored: StoredToken | None
    ) -> StoredToken:
        """Our tokens as written back: with our verifier (or the one they were stored with)."""
        if self._secret() is None:
            return mine
        verifier = await self._my_verifier(key)
        if verifier is None and stored is not None:
            verifier = stored.verifier  # refreshed without a password: the same lineage
        return attrs.evolve(mine, verifier=verifier)

    def _spawn(self, ex: Exchange, fallback: AccessToken | None, context: SendContext) -> bool:
        """Run the exchange in a task no caller owns; False if there is none to be had."""
        if context.task_group is not None:
            context.task_group.start_soon(self.run, ex, fallback, context, False)
            return True
        if sniffio.current_async_library() == "asyncio":
            import asyncio

            task = asyncio.get_running_loop().create_task(self.run(ex, fallback, context, False))
            if not self._tasks:
                self._tasks = set()
            tasks = self._tasks
            assert isinstance(tasks, set)
            tasks.add(task)
            task.add_done_callback(self._task_done)
            # A task cancelled before its first step never runs its body (nor its finally).
            task.add_done_callback(lambda _: self._abandon(ex))
            return True
        return False

    def _task_done(self, task: Any) -> None:
        tasks = self._tasks
        if isinstance(tasks, set):
            tasks.discard(task)
            if not tasks:
                self._tasks = _NO_TASKS

    def _abandon(self, ex: Exchange) -> None:
        """Publish an exchange that ended without running to its end: stopped, not pending."""
        if ex.done.is_set():
            return
        if ex.error is None and ex.token is None:
            ex.error = APIConnectionError("the token exchange was stopped: the client closed")
        if self.inflight is ex:
            self.inflight = None
        ex.done.set()

    async def run(
        self, ex: Exchange, fallback: AccessToken | None, context: SendContext, shield: bool
    ) -> None:
        """Run one exchange to its end and publish the outcome; never raises but cancellation."""
        deadline = anyio.current_time() + self._token_timeout  # one budget per exchange
        try:
            flow = self._tokens.exchange(fallback=fallback)
            if self._store is None:
                ex.token = await self.drive(flow, deadline, context, shield)
            else:
                ex.token = await self._drive_shared(flow, deadline, context, shield)
        except MeetingBoosterError as exc:
            ex.error = exc  # already frame-free (drive)
        except anyio.get_cancelled_exc_class():
            ex.error = APIConnectionError("the token exchange was stopped: the client closed")
            raise
        except Exception as exc:  # a bug must reach the callers, not kill a task group
            logger.exception("token exchange for %s failed unexpectedly", self.username)
            scrub_chain(exc)  # logged above with its traceback; callers get it frame-free
            ex.error = MeetingBoosterError(f"token exchange failed: {type(exc).__name__}")
            ex.error.__cause__ = exc
        finally:
            if self.inflight is ex:
                self.inflight = None
            ex.done.set()

    async def _drive_shared(
        self, flow: GrantFlow, deadline: float, context: SendContext, shield: bool
    ) -> AccessToken:
        """Single flight across processes: store lock, re-read, compare, only then /oauth.

        The lock is waited for the whole budget (less a moment to re-read) if the store still
        answers at half of it: a holder that is slow but alive is waited for, and its tokens
        adopted when the wait ends without the lock (:class:`TokenStoreBusyError` if it wrote
        none); nothing is sent then, so its refresh token is never sent twice. A killed
        holder's lock frees with its TTL. Only a store that *fails* (an error, or no answer at
        half the budget) makes the exchange run locally (single flight in this process).
        Before a refresh token that came from the store is sent, the store marks it in use:
        whoever takes over after a crash logs in instead of sending it again.
        """
        store = self._store
        assert store is not None
        held = _Held()
        before = self._tokens.current
        try:
            key = await self.key()
            now = anyio.current_time()
            reserve = min(_REREAD_RESERVE, (deadline - now) / 10)
            lock = store.lock(key)
            try:
                with anyio.move_on_after(max(0.0, (deadline - now) / 2)) as first_half:
                    await lock.__aenter__()
                if first_half.cancelled_caught:
                    # Half the budget without the lock: a store that does not answer has
                    # failed (the exchange runs locally with the other half); one that does
                    # has a busy lock, whose holder is waited for to the end of the budget.
                    with _store_bound(anyio.current_time() + reserve, "read"):
                        stored = await store.get(key)
                    self._tokens.adopt(await self._verified(key, stored))
                    token = self._tokens.valid()
                    if token is not None and token is not before:
                        return token  # the holder has written: no need to wait for its lock
                    lock = store.lock(key)
                    with anyio.fail_after(max(0.0, deadline - anyio.current_time() - reserve)):
                        await lock.__aenter__()
            except (TimeoutError, TokenStoreBusyError):
                return await self._adopt_holders(store, key, before, deadline)
            try:
                with _store_bound(deadline, "read"):
                    held.stored = await store.get(key)
                self._tokens.adopt(await self._verified(key, held.stored))
                held.exchanged = True

                async def mark(request: httpx.Request) -> None:
                    await self._mark_in_use(store, key, held, request, deadline)

                try:
                    return await self.drive(flow, deadline, context, shield, before_send=mark)
                finally:
                    await self._write_back(store, key, held.stored, deadline)
            finally:
                with anyio.CancelScope(shield=True), anyio.move_on_after(1.0):
                    try:
                        await lock.__aexit__(None, None, None)
                    except TokenStoreError as exc:
                        logger.warning("token store unlock failed for %s: %s", self.username, exc)
        except TokenStoreBusyError:
            raise
        except TokenStoreError as exc:
            if held.exchanged:
                raise
            logger.warning("token store failed (%s); %s exchanges locally", exc, self.username)
            return await self.drive(flow, deadline, context, shield)

    async def _adopt_holders(
        self, store: TokenStore, key: str, before: AccessToken | None, deadline: float
    ) -> AccessToken:
        """The lock stayed another's for the whole wait: take what it wrote, send nothing."""
        try:
            with _store_bound(deadline, "read"):
                stored = await store.get(key)
        except TokenStoreError as exc:  # still busy, never a local exchange: it may double-send
            raise TokenStoreBusyError(
                f"the token lock of {self.username} stayed busy and the store could not be "
                "read after it; nothing was sent"
            ) from exc
        self._tokens.adopt(await self._verified(key, stored))
        token = self._tokens.valid()
        if token is not None and token is not before:
            logger.info("token lock of %s stayed busy; adopted the holder's tokens", self.username)
            return token
        raise TokenStoreBusyError(
            f"another holder kept the token lock of {self.username} for the whole wait and "
            "wrote no new token; nothing was sent"
        )

    async def _mark_in_use(
        self, store: TokenStore, key: str, held: _Held, request: httpx.Request, deadline: float
    ) -> None:
        """Before a refresh token from the store goes out: mark it in use there (see above)."""
        stored = held.stored
        if (
            request.extensions.get(GRANT_EXTENSION) != "refresh_token"
            or stored is None
            or stored.refresh_token is None
            or stored.refresh_in_use
            or not self._tokens.is_spent(stored.refresh_token)  # not the one being sent
        ):
            return
        marked = attrs.evolve(stored, refresh_in_use=True)
        with _store_bound(deadline, "mark"):
            if not await store.compare_and_set(key, stored, marked):
                raise TokenStoreError("the token store changed under its lock; nothing sent")
        held.stored = marked

    async def _write_back(
        self, store: TokenStore, key: str, stored: StoredToken | None, deadline: float
    ) -> None:
        """Publish our tokens (or drop a refresh token we spent), shielded and bounded."""
        mine = self._tokens.export()
        with anyio.CancelScope(shield=True, deadline=max(deadline, anyio.current_time() + 1.0)):
            try:
                if mine is not None:
                    mine = await self._with_verifier(key, mine, stored)
                if mine is None:
                    if stored is not None and self._tokens.is_spent(stored.refresh_token):
                        await store.delete(key)  # nobody may send that refresh token again
                elif not _same_tokens(mine, stored) and not await store.compare_and_set(
                    key, stored, mine
                ):
                    logger.warning("token store changed under its lock for %s", self.username)
            except TokenStoreError as exc:
                logger.warning("token store write failed for %s: %s", self.username, exc)

    async def drive(
        self,
        flow: Generator[httpx.Request, httpx.Response, _T],
        deadline: float,
        context: SendContext,
        shield: bool,
        *,
        before_send: Callable[[httpx.Request], Awaitable[None]] | None = None,
    ) -> _T:
        """Send what the token flow yields; a failure leaves with no frame that held a grant.

        ``before_send`` runs before each request goes out; if it raises, nothing is sent.
        """
        try:
            request = next(flow)
            while True:
                if before_send is not None:
                    await before_send(request)
                try:
                    response = await self._sender.asend(
                        request,
                        deadline,
                        transport=context.transport,
                        attempt_timeout=context.timeout,
                        shield=shield,
                    )
                except MeetingBoosterError as exc:
                    request = flow.throw(exc)
                else:
                    request = flow.send(response)
        except StopIteration as stop:
            result: _T = stop.value
            return result
        except MeetingBoosterError as exc:
            scrub_chain(exc)  # see TokenSender.drive
            failure = exc
        del flow  # the flow's frames hold the refresh token; ``request`` a grant body
        request = None  # type: ignore[assignment]
        raise failure


class _Held:
    """What one shared exchange holds under the store lock: the entry as it stands now."""

    __slots__ = ("exchanged", "stored")

    def __init__(self) -> None:
        self.stored: StoredToken | None = None
        self.exchanged = False


class _store_bound:
    """``anyio.fail_after(until)`` that reports a store taking too long as TokenStoreError."""

    def __init__(self, until: float, what: str) -> None:
        self._what = what
        self._scope = anyio.CancelScope(deadline=until)

    def __enter__(self) -> None:
        self._scope.__enter__()

    def __exit__(self, *exc_info: Any) -> bool:
        swallowed = self._scope.__exit__(*exc_info)
        if self._scope.cancelled_caught:
            raise TokenStoreError(f"token store {self._what} took too long")
        return bool(swallowed)


def _same_tokens(a: StoredToken, b: StoredToken | None) -> bool:
    return b is not None and (a.access_token, a.refresh_token) == (b.access_token, b.refresh_token)
