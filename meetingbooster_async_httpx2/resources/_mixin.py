# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/resources/_mixin.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""APIResourcesMixin: ``my_meetings``, ``my_tasks`` and ``request_model`` for a client or view."""

from __future__ import annotations

from typing import Any, TypeVar, overload

import httpx2

from ._options import request_kwargs
from ._send import Requester, read_model, send
from .my_meetings import MyMeetings
from .my_tasks import MyTasks

__all__ = ["APIResourcesMixin"]

T = TypeVar("T")


class APIResourcesMixin:
    """The typed API of anything with httpx2's ``request`` (the client, a per-user view).

    Stateless: the resource objects are built on access (two references each), and paths
    come from the host's ``api_paths`` attribute (:class:`ApiPaths` defaults without one).
    """

    __slots__ = ()

    @property
    def my_meetings(self: Requester) -> MyMeetings:
        """The user's meetings: Sync, SyncCommit and the paged List.

        Example:
            >>> async def first_page(client):
            ...     return await client.my_meetings.list_page(page_size=10)
        """
        return MyMeetings(self)

    @property
    def my_tasks(self: Requester) -> MyTasks:
        """The user's tasks: Sync and SyncCommit (inferred endpoints).

        Example:
            >>> async def tasks(client):
            ...     return (await client.my_tasks.sync()).tasks
        """
        return MyTasks(self)

    @overload
    async def request_model(
        self: Requester,
        method: str,
        url: httpx2.URL | str,
        *,
        model: type[T],
        json: Any = None,
        params: Any = None,
        **kwargs: Any,
    ) -> T: ...

    @overload
    async def request_model(
        self: Requester,
        method: str,
        url: httpx2.URL | str,
        *,
        model: None,
        json: Any = None,
        params: Any = None,
        **kwargs: Any,
    ) -> None: ...

    async def request_model(
        self: Requester,
        method: str,
        url: httpx2.URL | str,
        *,
        model: Any,
        json: Any = None,
        params: Any = None,
        **kwargs: Any,
    ) -> Any:
        """Call any endpoint and get a typed model back: the escape hatch for the
        undocumented controllers (Meetings, Tasks, Users, WebHooks).

        Args:
            method: the HTTP method.
            url: a path below the client's ``base_url`` (or an absolute URL).
            model: the type of the answer: a model (``Meeting``), ``list[Meeting]``, or
                ``None`` to ignore the body.
            json: the body: JSON data, a model or a list of models (unstructured first).
            params: the query parameters.
            **kwargs: the per-call :class:`RequestOptions` (``timeout``, ``deadline``,
                ``retry``, ``extensions`` — e.g. ``{"meetingbooster_idempotent": True}`` for
                a POST that is safe to retry —, ``headers``), and anything else
                ``httpx2.AsyncClient.request`` takes (``content``, ``cookies``...).

        Returns:
            The body structured as ``model`` (unknown keys kept in ``extra``), or ``None``
            when ``model`` is ``None``.

        Raises:
            ConfigurationError: a bad ``deadline`` or ``retry``.
            PermissionDeniedError: 403 (``server_message``, ``error_code``, ``api_error``).
            NotFoundError: 404; the other statuses have their class too (see
                :class:`APIStatusError`).
            ServerError: 5xx; other non-2xx answers raise :class:`APIStatusError`.
            APIConnectionError: a transport failure (``APITimeoutError`` for a timeout).
            ResponseValidationError: the body is empty, not JSON, or does not fit ``model``.

        Example:
            >>> async def users(client):
            ...     return await client.request_model("GET", "/api/v1/users", model=list[User])
        """
        options = {k: kwargs.pop(k) for k in _OPTION_NAMES if k in kwargs}
        kwargs.update(request_kwargs(options))
        if params is not None:
            kwargs["params"] = params
        response = await send(self, method, url, json=json, **kwargs)
        return None if model is None else read_model(response, model)


_OPTION_NAMES = ("timeout", "deadline", "retry", "extensions", "headers")
