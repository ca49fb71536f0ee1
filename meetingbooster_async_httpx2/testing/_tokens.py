# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/testing/_tokens.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""Issued OAuth tokens and failed-login lockouts, on the emulator's monotonic clock."""

from __future__ import annotations

import secrets
import uuid

import attrs

__all__ = ["Issued", "LoginGuard", "TokenStore"]


@attrs.define(eq=False)
class _Session:
    """One login: the current refresh token and every access token issued under it."""

    user_id: str
    refresh_token: str = attrs.field(repr=False)
    access_tokens: set[str] = attrs.field(factory=set, repr=False)


@attrs.define(eq=False)
class _Access:
    session: _Session
    expires_at: float


@attrs.frozen
class Issued:
    """The tokens one grant answered."""

    access_token: str = attrs.field(repr=False)
    refresh_token: str = attrs.field(repr=False)


class TokenStore:
    """Sessions (one per password login) and their access tokens.

    Rotation keeps the session and swaps its refresh token, so a signout with the newest
    refresh token also revokes access tokens issued before the rotation.
    """

    def __init__(self) -> None:
        self._sessions: dict[str, _Session] = {}
        self._access: dict[str, _Access] = {}

    def login(self, user_id: str, now: float, lifetime: float) -> Issued:
        """Start a session for ``user_id``."""
        session = _Session(user_id=user_id, refresh_token=str(uuid.uuid4()))
        self._sessions[session.refresh_token] = session
        return Issued(self._new_access(session, now, lifetime), session.refresh_token)

    def refresh(
        self, refresh_token: str, now: float, lifetime: float, rotate: bool
    ) -> Issued | None:
        """A new access token for a valid ``refresh_token`` (``None`` when it is not valid)."""
        session = self._sessions.get(refresh_token)
        if session is None:
            return None
        self._prune(session, now)
        if rotate:
            del self._sessions[refresh_token]
            session.refresh_token = str(uuid.uuid4())
            self._sessions[session.refresh_token] = session
        return Issued(self._new_access(session, now, lifetime), session.refresh_token)

    def sign_out(self, refresh_token: str) -> bool:
        """End the session of ``refresh_token`` and revoke its access tokens."""
        session = self._sessions.pop(refresh_token, None)
        if session is None:
            return False
        for token in session.access_tokens:
            self._access.pop(token, None)
        return True

    def user_for(self, access_token: str, now: float) -> str | None:
        """The user id of a valid, unexpired ``access_token``, or ``None``."""
        access = self._access.get(access_token)
        if access is None or access.expires_at <= now:
            return None
        return access.session.user_id

    def forget_all(self) -> None:
        """Forget every session and access token (a server restart)."""
        self._sessions.clear()
        self._access.clear()

    def expire_all(self, now: float, *, user_id: str | None = None) -> None:
        """Expire every access token (of ``user_id`` only, when given) now; clients still
        believe theirs are valid."""
        for access in self._access.values():
            if user_id is None or access.session.user_id == user_id:
                access.expires_at = min(access.expires_at, now)

    def counts(self, now: float) -> tuple[int, int]:
        """(sessions, unexpired access tokens)."""
        live = sum(1 for access in self._access.values() if access.expires_at > now)
        return len(self._sessions), live

    def _new_access(self, session: _Session, now: float, lifetime: float) -> str:
        token = secrets.token_urlsafe(32)
        self._access[token] = _Access(session=session, expires_at=now + lifetime)
        session.access_tokens.add(token)
        return token

    def _prune(self, session: _Session, now: float) -> None:
        # Keeps long benchmark runs with short-lived tokens from growing without bound.
        expired = {t for t in session.access_tokens if self._access[t].expires_at <= now}
        for token in expired:
            del self._access[token]
        session.access_tokens -= expired


class LoginGuard:
    """Counts consecutive failed logins per identity and locks it after a threshold."""

    def __init__(self) -> None:
        self._failures: dict[str, int] = {}
        self._locked_until: dict[str, float] = {}

    def remaining(self, identity: str, now: float) -> float:
        """Seconds the identity stays locked (0 when it is not locked)."""
        until = self._locked_until.get(identity)
        if until is None:
            return 0.0
        if until <= now:
            del self._locked_until[identity]
            return 0.0
        return until - now

    def failed(self, identity: str, now: float, threshold: int, window: float) -> None:
        """Record a failed login; the ``threshold``-th in a row locks for ``window`` seconds."""
        count = self._failures.get(identity, 0) + 1
        if count >= threshold:
            self._failures.pop(identity, None)
            self._locked_until[identity] = now + window
        else:
            self._failures[identity] = count

    def succeeded(self, identity: str) -> None:
        """A successful login resets the failure count."""
        self._failures.pop(identity, None)

    def clear(self) -> None:
        """Forget every failure and lock."""
        self._failures.clear()
        self._locked_until.clear()
