"""RedisTokenStore: one identity's tokens shared by many processes and machines through Redis.

Needs the ``redis`` extra (``pip install 'meetingbooster-async[redis]'``); redis-py's asyncio
client runs on asyncio only.

Keys (built by ``_store.token_key``; there is no prefix setting)::

    meetingbooster:token:{hex of scrypt(password,     the StoredToken as JSON; expires with
        salt=origin + "\n" + lower-cased username)}  the access token
      or, with key_secret, {hex of HMAC(secret,       (and carries a password verifier)
        origin + "\n" + lower-cased username)}
    meetingbooster:token:{…}:lock                     the refresh lock; expires after
                                                      ``lock_ttl`` seconds unless its holder,
                                                      alive, renews it (every third of it)

Without a secret the password is part of the key, so a client with a wrong password never
adopts another's tokens, and the slow hash keeps the key from revealing it; with one, the
verifier beside the tokens does that (see ``_store``).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any, Final

import anyio

from ._errors import ResponseValidationError, TokenStoreBusyError, TokenStoreError
from ._logging import logger
from ._store import StoredToken, secret_bytes

if TYPE_CHECKING:
    import redis.asyncio

__all__ = ["RedisTokenStore"]

# Set only if the stored value is still the one the caller read ("" = absent).
_CAS: Final = """
local current = redis.call('GET', KEYS[1])
if (ARGV[1] == '' and not current) or current == ARGV[1] then
    redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
    return 1
end
return 0
"""
# Release the lock only if we still hold it (it may have expired and passed to another).
#: Seconds an unlock may take before the holder gives up on it (the lock's TTL ends it).
UNLOCK_TIMEOUT: Final = 1.0
_UNLOCK: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""
# Extend the lock only if we still hold it.
_RENEW: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""


def _encode(token: StoredToken) -> str:
    return json.dumps(token.to_json(), sort_keys=True, separators=(",", ":"))


class RedisTokenStore:
    """A :class:`TokenStore` in Redis: single flight for refresh and login across processes.

    Example:
        >>> store = RedisTokenStore.from_url("redis://127.0.0.1:6379/0")  # doctest: +SKIP
        >>> client = MeetingBoosterClient(url, username=u, password=p, token_store=store)

    Args:
        redis: a ``redis.asyncio.Redis`` client (``decode_responses`` either way).
        lock_ttl: seconds after which the lock of a killed holder frees itself. A live holder
            renews it every third of that while it works, so it can be short: a crash costs
            the others a few seconds, never a second use of a refresh token (see
            :class:`TokenStoreBusyError` and ``StoredToken.refresh_in_use``).
        key_secret: the deployment's secret, the same in every process sharing the store:
            identity keys become an HMAC of server and username (microseconds, no password
            needed) and a password verifier is kept beside the tokens. Without it, keys are a
            slow hash of the password (~10 ms per identity per process). Changing it (or
            setting it for the first time) changes every key: one login per identity.
        lock_timeout: the longest a caller waits for the lock; then
            :class:`TokenStoreBusyError` (the store works, the lock was busy). The auth's own
            exchange budget (``token_timeout``) usually ends the wait first.
    """

    def __init__(
        self,
        redis: redis.asyncio.Redis,
        *,
        lock_ttl: float = 5.0,
        lock_timeout: float = 60.0,
        key_secret: str | bytes | None = None,
        owns_client: bool = False,
    ) -> None:
        self.key_secret = secret_bytes(key_secret)
        self._redis = redis
        self._lock_ttl_ms = max(1, int(lock_ttl * 1000))
        self._lock_timeout = lock_timeout
        self._owns_client = owns_client

    @classmethod
    def from_url(
        cls, url: str, *, socket_timeout: float = 2.0, connect_timeout: float = 2.0, **kwargs: Any
    ) -> RedisTokenStore:
        """A store on a new Redis client for ``url`` (closed by :meth:`aclose`).

        Every Redis call is bounded by ``socket_timeout`` (and connecting by
        ``connect_timeout``): a hung Redis cannot hang a request (the auth also bounds each
        store call by its exchange's budget, and falls back to a local exchange).
        """
        try:
            import redis.asyncio
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise TokenStoreError(
                "RedisTokenStore needs the redis extra: pip install 'meetingbooster-async[redis]'"
            ) from exc
        client = redis.asyncio.from_url(
            url, socket_timeout=socket_timeout, socket_connect_timeout=connect_timeout
        )
        return cls(client, owns_client=True, **kwargs)

    def __repr__(self) -> str:
        keys = "hmac" if self.key_secret else "scrypt"
        return f"<RedisTokenStore lock_ttl={self._lock_ttl_ms / 1000:g}s keys={keys}>"

    async def aclose(self) -> None:
        """Close the Redis client if this store made it."""
        if self._owns_client:
            await self._redis.aclose()

    async def get(self, key: str) -> StoredToken | None:
        """The tokens stored at ``key`` (Redis ``GET``), or ``None``.

        Raises:
            TokenStoreError: Redis failed or the stored value is unreadable.
        """
        raw = await self._call("GET", self._redis.get(key))
        if raw is None:
            return None
        try:
            return StoredToken.from_json(json.loads(raw))
        except (ValueError, RecursionError, ResponseValidationError) as exc:
            raise TokenStoreError(f"unreadable token at {key}") from exc

    async def compare_and_set(
        self, key: str, expected: StoredToken | None, new: StoredToken
    ) -> bool:
        """Store ``new`` only if the stored value equals ``expected``; True if it did.

        One Lua script, so the compare and the write are atomic; the key expires with
        ``new.expires_at``.
        """
        ttl_ms = max(1, int((new.expires_at - time.time()) * 1000))
        old = "" if expected is None else _encode(expected)
        script = self._redis.eval(_CAS, 1, key, old, _encode(new), ttl_ms)
        return bool(await self._call("compare-and-set", script))

    async def delete(self, key: str) -> None:
        """Forget the tokens at ``key`` (Redis ``DEL``)."""
        await self._call("DEL", self._redis.delete(key))

    def lock(self, key: str) -> AbstractAsyncContextManager[None]:
        """``key``'s lock across processes and machines: ``SET {key}:lock NX PX lock_ttl``.

        It expires after ``lock_ttl`` by itself, so a crashed holder cannot wedge the others.
        """
        return self._locked(f"{key}:lock")

    @asynccontextmanager
    async def _locked(self, lock_key: str) -> AsyncIterator[None]:
        owner = secrets.token_hex(16)
        deadline = anyio.current_time() + self._lock_timeout
        pause = 0.005
        while not await self._call(
            "lock", self._redis.set(lock_key, owner, nx=True, px=self._lock_ttl_ms)
        ):
            if anyio.current_time() >= deadline:
                raise TokenStoreBusyError(
                    f"{lock_key} stayed held by another for {self._lock_timeout:g}s"
                )
            await anyio.sleep(pause)
            pause = min(pause * 2, 0.1)
        import asyncio  # redis-py's asyncio client: this store runs on asyncio only

        renewer = asyncio.get_running_loop().create_task(self._renew(lock_key, owner))
        try:
            yield
        finally:
            renewer.cancel()
            # Shielded (a cancelled holder still unlocks), but bounded: a hung Redis must not
            # hang the exchange; its lock then ends with its TTL.
            with anyio.CancelScope(shield=True, deadline=anyio.current_time() + UNLOCK_TIMEOUT):
                script = self._redis.eval(_UNLOCK, 1, lock_key, owner)
                await self._call("unlock", script)

    async def _renew(self, lock_key: str, owner: str) -> None:
        """Keep the lock while its holder lives: extend it every third of its TTL."""
        every = self._lock_ttl_ms / 3000
        while True:
            await anyio.sleep(every)
            try:
                kept = await self._call(
                    "renew", self._redis.eval(_RENEW, 1, lock_key, owner, self._lock_ttl_ms)
                )
            except TokenStoreError as exc:
                logger.warning("token lock renewal failed: %s", exc)  # the TTL may end it
                continue
            if not kept:
                logger.warning("token lock %s was lost before its holder finished", lock_key)
                return

    async def _call(self, what: str, awaitable: Any) -> Any:
        import redis.exceptions

        try:
            return await awaitable
        except (redis.exceptions.RedisError, OSError) as exc:
            raise TokenStoreError(f"redis {what} failed: {type(exc).__name__}") from exc
