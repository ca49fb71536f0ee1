# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_store.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""Token stores: where an identity's tokens live when several clients or processes share them.

A store holds :class:`StoredToken` values under a key per (server, user) and offers a lock per
key, so that refresh and login are single flight across every client that shares the store.
:class:`MemoryTokenStore` shares tokens between the clients of one process;
``RedisTokenStore`` (``meetingbooster-async[redis]``) between processes and machines.
The password never goes into a store.

Keys: without a deployment secret, an identity's key is a slow hash (scrypt, ~10 ms) of its
password salted with the server and the username, so a wrong password never finds another's
tokens and the key reveals nothing. With a secret (``key_secret=`` on a store, the same in
every process of the deployment), the key is an HMAC of server and username (microseconds,
and no password needed: a job finds a user's tokens without asking for it), and a
**password verifier** stored beside the tokens (scrypt of the password salted with the key)
is checked whenever a password is at hand: a wrong password never adopts another's tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol, runtime_checkable

import anyio
import attrs

from ._errors import ConfigurationError, ResponseValidationError

__all__ = ["MemoryTokenStore", "StoredToken", "TokenStore", "password_verifier", "token_key"]


@attrs.frozen(kw_only=True)
class StoredToken:
    """Tokens as a store keeps them: wall-clock (Unix) times, so any process can read them."""

    access_token: str = attrs.field(repr=False)
    refresh_token: str | None = attrs.field(repr=False)
    refresh_at: float
    expires_at: float
    #: A lock holder is sending this refresh token (marked before it is sent): whoever reads
    #: it after a takeover never sends it again and logs in with the password instead.
    refresh_in_use: bool = False
    #: With HMAC keys: the verifier of the password these tokens were obtained with.
    verifier: str | None = attrs.field(default=None, repr=False)

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
        in_use = data.get("refresh_in_use", False)
        if not isinstance(in_use, bool):
            raise ResponseValidationError("stored token has a bad in-use mark")
        verifier = data.get("verifier")
        if not (verifier is None or isinstance(verifier, str)):
            raise ResponseValidationError("stored token has a bad verifier")
        return cls(
            access_token=access,
            refresh_token=refresh,
            refresh_at=float(refresh_at),  # type: ignore[arg-type]
            expires_at=float(expires_at),  # type: ignore[arg-type]
            refresh_in_use=in_use,
            verifier=verifier,
        )


def _finite_time(value: object) -> bool:
    """A JSON number that is finite as a float (``math.isfinite(10**400)`` raises)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def token_key(
    base: str,
    username: str,
    password: str | None,
    *,
    prefix: str = "meetingbooster",
    secret: bytes | None = None,
) -> str:
    """An identity's key in a shared store (see the module docstring).

    Without ``secret``: ``{prefix}:token:{scrypt(password, salt=origin + "\\n" + lower-cased
    username)[:16] as hex}``: the password is part of the identity; the slow hash keeps the
    key from revealing it. With ``secret``: ``{prefix}:token:{HMAC-SHA256(secret, origin +
    "\\n" + lower-cased username)[:16] as hex}``, no password needed. Neither the server nor
    the email shows in the key.
    """
    identity = f"{base}\n{username.lower()}".encode()
    if secret is not None:
        return f"{prefix}:token:{hmac.new(secret, identity, 'sha256').digest()[:16].hex()}"
    if password is None:
        raise ConfigurationError("a store key without a deployment secret needs the password")
    salt = identity
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**12, r=8, p=1, dklen=16)
    return f"{prefix}:token:{digest.hex()}"


def secret_bytes(secret: str | bytes | None) -> bytes | None:
    """A deployment secret as bytes (``None`` or empty: none)."""
    if not secret:
        return None
    return secret.encode() if isinstance(secret, str) else bytes(secret)


def password_verifier(key: str, password: str) -> str:
    """What proves a password against HMAC-keyed tokens: scrypt(password, salt=key), hex.

    Slow on purpose (~10 ms): a store reader cannot test guesses at the password quickly.
    """
    salt = f"verifier\n{key}".encode()
    return hashlib.scrypt(password.encode(), salt=salt, n=2**12, r=8, p=1, dklen=16).hex()


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

    Entries expire with their access token (``expires_at``), as in Redis. ``key_secret``:
    see the module docstring.
    """

    def __init__(self, *, clock: Any = time.time, key_secret: str | bytes | None = None) -> None:
        self.key_secret = secret_bytes(key_secret)
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
