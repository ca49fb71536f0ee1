# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_store.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""Token stores: where an identity's tokens live when several clients or processes share them.

A store holds :class:`StoredToken` values under a key per (server, user) and offers a lock per
key, so that refresh and login are single flight across every client that shares the store.
:class:`MemoryTokenStore` shares tokens between the clients of one process;
``RedisTokenStore`` (``meetingbooster-async[redis]``) between processes and machines.
The password never goes into a store.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol, runtime_checkable

import anyio
import attrs

from ._errors import ResponseValidationError

__all__ = ["MemoryTokenStore", "StoredToken", "TokenStore", "token_key"]


@attrs.frozen(kw_only=True)
class StoredToken:
    """Tokens as a store keeps them: wall-clock (Unix) times, so any process can read them."""

    access_token: str = attrs.field(repr=False)
    refresh_token: str | None = attrs.field(repr=False)
    refresh_at: float
    expires_at: float

    def to_json(self) -> dict[str, Any]:
        """These tokens as a JSON-ready dict (the inverse of :meth:`from_json`)."""
        return attrs.asdict(self)

    @classmethod
    def from_json(cls, data: object) -> StoredToken:
        """Parse what a store returned; a bad value raises ``ResponseValidationError``."""
        if not isinstance(data, dict):
            raise ResponseValidationError("stored token is not an object")
        access, refresh = data.get("access_token"), data.get("refresh_token")
        refresh_at, expires_at = data.get("refresh_at"), data.get("expires_at")
        if not isinstance(access, str) or not (refresh is None or isinstance(refresh, str)):
            raise ResponseValidationError("stored token has no usable tokens")
        if not (_finite_time(refresh_at) and _finite_time(expires_at)):
            raise ResponseValidationError("stored token has bad times")
        return cls(
            access_token=access,
            refresh_token=refresh,
            refresh_at=float(refresh_at),  # type: ignore[arg-type]
            expires_at=float(expires_at),  # type: ignore[arg-type]
        )


def _finite_time(value: object) -> bool:
    """A JSON number that is finite as a float (``math.isfinite(10**400)`` raises)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def token_key(base: str, username: str, password: str, *, prefix: str = "meetingbooster") -> str:
    """``{prefix}:token:{scrypt(password, salt=server origin + lower-cased username)[:16]}``.

    The password is part of the identity, so a client with a wrong password never adopts
    another's tokens; the slow hash keeps the key from revealing it. Neither the server nor
    the email shows in the key.
    """
    salt = f"{base}\n{username.lower()}".encode()
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**12, r=8, p=1, dklen=16)
    return f"{prefix}:token:{digest.hex()}"


@runtime_checkable
class TokenStore(Protocol):
    """Where shared tokens live. Implementations must be safe for concurrent use.

    ``lock(key)`` is held around every read-decide-write of a key, and must expire by itself
    (a crashed holder cannot wedge the others). ``compare_and_set`` writes ``new`` only if the
    stored value still equals ``expected`` (``None``: absent) and returns whether it did.
    """

    async def get(self, key: str) -> StoredToken | None:
        """The tokens stored at ``key``, or ``None`` if there are none (or they expired)."""
        ...

    async def compare_and_set(
        self, key: str, expected: StoredToken | None, new: StoredToken
    ) -> bool:
        """Store ``new`` at ``key`` only if the stored value equals ``expected``; True if it did.

        ``expected=None`` means "only if nothing is stored". The entry should expire with
        ``new.expires_at``.
        """
        ...

    async def delete(self, key: str) -> None:
        """Forget the tokens at ``key`` (signout); no error if there are none."""
        ...

    def lock(self, key: str) -> AbstractAsyncContextManager[None]:
        """An async context manager holding ``key``'s lock, across every sharer of the store.

        It must expire by itself, so a holder that crashed cannot wedge the others.
        """
        ...


class MemoryTokenStore:
    """A store in this process's memory: clients built with the same store share tokens.

    Entries expire with their access token (``expires_at``), as in Redis.
    """

    def __init__(self, *, clock: Any = time.time) -> None:
        self._data: dict[str, StoredToken] = {}
        self._locks: dict[str, anyio.Lock] = {}
        self._clock = clock

    def __repr__(self) -> str:
        return f"<MemoryTokenStore {len(self._data)} keys>"

    async def get(self, key: str) -> StoredToken | None:
        """The tokens stored at ``key``, or ``None`` if there are none or they expired."""
        value = self._data.get(key)
        if value is not None and value.expires_at <= self._clock():
            del self._data[key]
            return None
        return value

    async def compare_and_set(
        self, key: str, expected: StoredToken | None, new: StoredToken
    ) -> bool:
        """Store ``new`` only if the stored value equals ``expected``; True if it did."""
        if await self.get(key) != expected:
            return False
        self._data[key] = new
        return True

    async def delete(self, key: str) -> None:
        """Forget the tokens at ``key``."""
        self._data.pop(key, None)

    @asynccontextmanager
    async def _locked(self, key: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, anyio.Lock())
        async with lock:
            yield

    def lock(self, key: str) -> AbstractAsyncContextManager[None]:
        """``key``'s lock, shared by every client of this store (an ``anyio.Lock`` per key)."""
        return self._locked(key)
