# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_users.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""UserSession: act as one of many users through one shared client and its connection pool."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import anyio
import httpx2

from ._auth import MeetingBoosterAuth, SendContext
from ._errors import MeetingBoosterError
from ._logging import logger
from .resources import DEFAULT_API_PATHS, ApiPaths, APIResourcesMixin

__all__ = ["UserSession", "sign_out_all"]


class UserSession(APIResourcesMixin):
    """A light view of a :class:`MeetingBoosterClient` that authenticates as another user.

    Made by :meth:`MeetingBoosterClient.as_user`. It holds two references and nothing else:
    the user's tokens, single flight and cooldown live in their own
    :class:`MeetingBoosterAuth`, the connections in the client's pool. No cookie is kept, so
    no state crosses between users.

    Example:
        >>> async def sync_all(client, accounts):
        ...     for email, password in accounts:
        ...         ann = client.as_user(email, password)
        ...         response = await ann.get("/api/v1/mymeetings/sync")
    """

    __slots__ = ("_client", "_context", "auth")

    def __init__(
        self,
        client: httpx2.AsyncClient,
        auth: MeetingBoosterAuth,
        context: Callable[[MeetingBoosterAuth], SendContext],
    ) -> None:
        self._client = client
        self.auth = auth
        self._context = context

    def __repr__(self) -> str:
        return f"<UserSession {self.auth.username!r} via {self._client!r}>"

    @property
    def username(self) -> str:
        """The user this view acts as."""
        return self.auth.username

    @property
    def api_paths(self) -> ApiPaths:
        """The client's :class:`ApiPaths` (the typed endpoints use them)."""
        paths = getattr(self._client, "api_paths", DEFAULT_API_PATHS)
        assert isinstance(paths, ApiPaths)
        return paths

    @property
    def client(self) -> httpx2.AsyncClient:
        """The shared client this view sends through."""
        return self._client

    async def request(self, method: str, url: httpx2.URL | str, **kwargs: Any) -> httpx2.Response:
        """``httpx2.AsyncClient.request`` as this user."""
        return await self._client.request(method, url, auth=self.auth, **kwargs)

    def stream(
        self, method: str, url: httpx2.URL | str, **kwargs: Any
    ) -> AbstractAsyncContextManager[httpx2.Response]:
        """``httpx2.AsyncClient.stream`` as this user."""
        return self._client.stream(method, url, auth=self.auth, **kwargs)

    async def get(self, url: httpx2.URL | str, **kwargs: Any) -> httpx2.Response:
        """``httpx2.AsyncClient.get`` as this user."""
        return await self.request("GET", url, **kwargs)

    async def post(self, url: httpx2.URL | str, **kwargs: Any) -> httpx2.Response:
        """``httpx2.AsyncClient.post`` as this user."""
        return await self.request("POST", url, **kwargs)

    async def put(self, url: httpx2.URL | str, **kwargs: Any) -> httpx2.Response:
        """``httpx2.AsyncClient.put`` as this user."""
        return await self.request("PUT", url, **kwargs)

    async def patch(self, url: httpx2.URL | str, **kwargs: Any) -> httpx2.Response:
        """``httpx2.AsyncClient.patch`` as this user."""
        return await self.request("PATCH", url, **kwargs)

    async def delete(self, url: httpx2.URL | str, **kwargs: Any) -> httpx2.Response:
        """``httpx2.AsyncClient.delete`` as this user."""
        return await self.request("DELETE", url, **kwargs)

    def forget_password(self) -> None:
        """Keep this user's tokens but not the password (see :class:`PasswordRequiredError`)."""
        self.auth.forget_password()

    async def login(self) -> None:
        """Log this user in now rather than on the first request."""
        await self.auth.login(self._context(self.auth))

    async def signout(self) -> None:
        """Dispose of this user's tokens (``grant_type=signout``)."""
        await self.auth.signout(self._context(self.auth))


async def sign_out_all(
    auths: list[MeetingBoosterAuth],
    context: Callable[[MeetingBoosterAuth], SendContext],
    *,
    within: float,
    concurrency: int,
) -> None:
    """Sign out every auth that is signed in: concurrently, within a bounded time in all.

    The bound is ``within`` seconds plus 10 ms per session to sign out (1,000 sessions: 15 s),
    so a close with many ``as_user`` sessions is not cut short on a busy machine.

    Shielded (a client closed while being cancelled still signs out) but bounded; a failed
    signout is logged, not raised.
    """
    signed_in = [auth for auth in auths if auth.signed_in]
    if not signed_in:
        return
    limiter = anyio.CapacityLimiter(concurrency)

    async def one(auth: MeetingBoosterAuth) -> None:
        async with limiter:
            try:
                await auth.signout(context(auth))
            except MeetingBoosterError as exc:
                logger.warning("signout of %s on close failed: %s", auth.username, exc)

    with anyio.CancelScope(shield=True), anyio.move_on_after(within + 0.01 * len(signed_in)):
        async with anyio.create_task_group() as tg:
            for auth in signed_in:
                tg.start_soon(one, auth)
