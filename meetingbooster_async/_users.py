"""UserSession: act as one of many users through one shared client and its connection pool."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

import httpx

from ._auth import MeetingBoosterAuth
from .resources import ApiPaths, APIResourcesMixin

if TYPE_CHECKING:
    from ._client import MeetingBoosterClient

__all__ = ["UserSession"]


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

    __slots__ = ("_client", "auth")

    def __init__(self, client: MeetingBoosterClient, auth: MeetingBoosterAuth) -> None:
        self._client = client
        self.auth = auth

    def __repr__(self) -> str:
        return f"<UserSession {self.auth.username!r} via {self._client!r}>"

    @property
    def username(self) -> str:
        """The user this view acts as."""
        return self.auth.username

    @property
    def api_paths(self) -> ApiPaths:
        """The client's :class:`ApiPaths` (the typed endpoints use them)."""
        return self._client.api_paths

    @property
    def client(self) -> MeetingBoosterClient:
        """The shared client this view sends through."""
        return self._client

    async def request(self, method: str, url: httpx.URL | str, **kwargs: Any) -> httpx.Response:
        """``httpx.AsyncClient.request`` as this user."""
        return await self._client.request(method, url, auth=self.auth, **kwargs)

    def stream(
        self, method: str, url: httpx.URL | str, **kwargs: Any
    ) -> AbstractAsyncContextManager[httpx.Response]:
        """``httpx.AsyncClient.stream`` as this user."""
        return self._client.stream(method, url, auth=self.auth, **kwargs)

    async def get(self, url: httpx.URL | str, **kwargs: Any) -> httpx.Response:
        """``httpx.AsyncClient.get`` as this user."""
        return await self.request("GET", url, **kwargs)

    async def post(self, url: httpx.URL | str, **kwargs: Any) -> httpx.Response:
        """``httpx.AsyncClient.post`` as this user."""
        return await self.request("POST", url, **kwargs)

    async def put(self, url: httpx.URL | str, **kwargs: Any) -> httpx.Response:
        """``httpx.AsyncClient.put`` as this user."""
        return await self.request("PUT", url, **kwargs)

    async def patch(self, url: httpx.URL | str, **kwargs: Any) -> httpx.Response:
        """``httpx.AsyncClient.patch`` as this user."""
        return await self.request("PATCH", url, **kwargs)

    async def delete(self, url: httpx.URL | str, **kwargs: Any) -> httpx.Response:
        """``httpx.AsyncClient.delete`` as this user."""
        return await self.request("DELETE", url, **kwargs)

    async def login(self) -> None:
        """Log this user in now rather than on the first request."""
        await self.auth.login()

    async def signout(self) -> None:
        """Dispose of this user's tokens (``grant_type=signout``)."""
        await self.auth.signout()
