# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/resources/my_meetings.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""MyMeetings: the logged-in user's meetings — Sync, SyncCommit and the paged List."""

from __future__ import annotations

import typing
from collections.abc import Iterable
from typing import Final, Literal, Unpack

import httpx2

from .._errors import ConfigurationError, ResponseValidationError
from .._models import (
    Meeting,
    MeetingSynchronization,
    SyncMeeting,
    SyncMeetingRecurrence,
    SyncObject,
)
from .._paging import PAGING_NEXT_HEADER, Page, page_params, parse_paging_next
from .._retry import IDEMPOTENT_EXTENSION
from ._options import RequestOptions, request_kwargs
from ._pager import Paginator
from ._paths import ApiPaths
from ._response import APIResponse, Call
from ._send import Requester, paths_of, read_model

__all__ = [
    "SYNC_PROPERTIES",
    "MyMeetings",
    "MyMeetingsWithRawResponse",
    "SyncProperty",
    "commit_is_retry_safe",
    "parse_sync_properties",
    "sync_properties_param",
]

#: A documented value of Sync's ``properties`` parameter: a change to one of these makes a
#: meeting MODIFIED.
SyncProperty = Literal["Title", "Start", "End", "Invitations", "SendInvitations"]
#: Every :data:`SyncProperty`, in the documented order.
SYNC_PROPERTIES: Final[tuple[SyncProperty, ...]] = typing.get_args(SyncProperty)
_BY_LOWER: Final[dict[str, SyncProperty]] = {name.lower(): name for name in SYNC_PROPERTIES}
#: ``maxResults`` unless told otherwise (the emulator's default page size; the server's is
#: undocumented).
DEFAULT_PAGE_SIZE: Final = 100


def parse_sync_properties(properties: Iterable[str] | str) -> tuple[SyncProperty, ...]:
    """The documented names in ``properties``, in their spelling, without duplicates.

    A string is read as a comma-separated list (the command line's ``--properties``). Names
    compare case-insensitively. An unknown name is refused here, because a server that
    ignored it would silently detect changes on the wrong properties.

    Raises:
        ConfigurationError: an unknown name, or no name at all (leave ``properties`` out to
            track every property).

    Example:
        >>> parse_sync_properties("start, End,Start")
        ('Start', 'End')
    """
    names = properties.split(",") if isinstance(properties, str) else properties
    chosen: list[SyncProperty] = []
    for raw in names:
        name = _BY_LOWER.get(str(raw).strip().lower())
        if name is None:
            known = ", ".join(SYNC_PROPERTIES)
            raise ConfigurationError(f"unknown sync property {raw!r}; expected one of {known}")
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise ConfigurationError("properties is empty: leave it out to track every property")
    return tuple(chosen)


def sync_properties_param(properties: Iterable[str] | str) -> str:
    """The ``properties`` query value: :func:`parse_sync_properties`, comma-joined.

    Example:
        >>> sync_properties_param(["start", "End", "Start"])
        'Start,End'
    """
    return ",".join(parse_sync_properties(properties))


def _identified(item: SyncObject) -> bool:
    if item.client_sync_id:
        return True
    if isinstance(item, SyncMeeting):
        return item.meeting is not None and bool(item.meeting.id)
    if isinstance(item, SyncMeetingRecurrence):
        recurrence = item.meeting_recurrence
        meeting = recurrence.meeting if recurrence is not None else None
        return meeting is not None and bool(meeting.id)
    return False


def commit_is_retry_safe(sync: MeetingSynchronization) -> bool:
    """True if sending ``sync`` twice has the effect of sending it once.

    Every object must carry a ``ClientSyncId`` or an ``Id``: the server finds the object by
    it (as the API documentation says), so a repeated NEW updates what the first one created
    instead of creating a twin, a repeated DELETED finds nothing left to delete, and a
    MODIFIED writes the same values again. Calendar entries are keyed by their ``ClientSyncId``.

    Example:
        >>> from meetingbooster_async_httpx2 import SyncMeeting
        >>> commit_is_retry_safe(MeetingSynchronization(meetings=(SyncMeeting(),)))
        False
        >>> commit_is_retry_safe(
        ...     MeetingSynchronization(meetings=(SyncMeeting(client_sync_id="c1"),))
        ... )
        True
    """
    items = (*sync.meetings, *sync.meeting_recurrences)
    entries = (*sync.calendar_entries, *sync.calendar_recurrences)
    return all(_identified(item) for item in items) and all(e.client_sync_id for e in entries)


class MyMeetings:
    """The MyMeetings controller: ``client.my_meetings`` (or ``session.my_meetings``).

    Every method takes the per-call :class:`RequestOptions` (``timeout``, ``deadline``,
    ``retry``, ``extensions``, ``headers``) as keyword arguments; ``with_raw_response`` has
    the same methods answering an :class:`APIResponse` (status, headers, ``.parse()``).

    Example:
        >>> async def first_sync(client):
        ...     sync = await client.my_meetings.sync()
        ...     for item in sync.meetings:
        ...         print(item.state, item.meeting.title)
        ...     await client.my_meetings.sync_commit(sync)
        ...     return sync.sync_token
    """

    __slots__ = ("_paths", "_requester")

    def __init__(self, requester: Requester, paths: ApiPaths | None = None) -> None:
        self._requester = requester
        self._paths = paths if paths is not None else paths_of(requester)

    @property
    def with_raw_response(self) -> MyMeetingsWithRawResponse:
        """The same calls, answering an :class:`APIResponse` instead of the model.

        Example:
            >>> async def sync_status(client):
            ...     raw = await client.my_meetings.with_raw_response.sync()
            ...     return raw.status_code, raw.parse().sync_token
        """
        return MyMeetingsWithRawResponse(self)

    async def sync(
        self,
        *,
        sync_token: str | None = None,
        properties: Iterable[SyncProperty] | None = None,
        **options: Unpack[RequestOptions],
    ) -> MeetingSynchronization:
        """``GET mymeetings/sync``: every meeting, or the changes since ``sync_token``.

        Follow every Sync with a :meth:`sync_commit` (or use :func:`sync_meetings`, which
        does both), and keep the ``sync_token`` of the synchronization for the next call.

        Args:
            sync_token: the token of the previous sync; ``None`` (or ``""``) on first use.
            properties: the properties whose change makes a meeting MODIFIED
                (:data:`SyncProperty`: ``Title, Start, End, Invitations, SendInvitations``;
                checked at run time too, case-insensitively); all of them when left out.
            **options: per-call :class:`RequestOptions`.

        Raises:
            ConfigurationError: an unknown property name or option.
            InvalidSyncTokenError: the server refused ``sync_token``: sync again without one.
            APIStatusError: another non-2xx answer.
            APIConnectionError: a transport failure (``APITimeoutError``: time ran out).
            ResponseValidationError: the body is not a ``JSMeetingSynchronization``.

        Example:
            >>> async def changes(client, token):
            ...     return await client.my_meetings.sync(sync_token=token, properties=["Start"])
        """
        return await self._sync(sync_token, properties, options).parsed()

    async def sync_commit(
        self, sync: MeetingSynchronization, **options: Unpack[RequestOptions]
    ) -> MeetingSynchronization | None:
        """Confirm a Sync, and send the client's own changes (path and method inferred).

        Send the synchronization you received — unchanged when you changed nothing, edited to
        carry your changes — keeping its ``sync_token``, and leave out every object you could
        not process. The request is retried after a transport failure or a 5xx only when
        :func:`commit_is_retry_safe` (every object has a ``ClientSyncId`` or an ``Id``);
        otherwise a retry could create a meeting twice.

        Args:
            sync: the synchronization to confirm.
            **options: per-call :class:`RequestOptions`.

        Returns:
            The server's answer (the emulator's: the applied objects as now stored, with
            server-assigned ids, and a ``sync_token``), or ``None`` for an empty answer:
            the answer is not documented.

        Raises:
            APIStatusError: a non-2xx answer (403 for another user's meeting...).
            APIConnectionError: a transport failure.
            ResponseValidationError: the answer is neither empty nor a synchronization.
            SerializationError: a naive datetime in ``sync``.

        Example:
            >>> async def accept_all(client):
            ...     sync = await client.my_meetings.sync()
            ...     await client.my_meetings.sync_commit(sync)
        """
        return await self._sync_commit(sync, options).parsed()

    def list(
        self, *, page_size: int = DEFAULT_PAGE_SIZE, **options: Unpack[RequestOptions]
    ) -> Paginator[Meeting]:
        """Every meeting of the user, fetched lazily page by page (``paging-next``).

        Args:
            page_size: ``maxResults`` of each request (the server may send fewer).
            **options: per-call :class:`RequestOptions`, applied to every page request.

        Raises:
            ConfigurationError: ``page_size`` is not a positive integer, or a bad option
                (raised at once).

        Example:
            >>> async def all_meetings(client):
            ...     return [meeting async for meeting in client.my_meetings.list()]
        """
        request_kwargs(options)  # refuse bad options now, not at the first page

        async def fetch(size: int, skip: int) -> Page[Meeting]:
            return await self._list_page(size, skip, options).parsed()

        return Paginator(fetch, page_size=page_size)

    async def list_page(
        self,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        skip: int = 0,
        **options: Unpack[RequestOptions],
    ) -> Page[Meeting]:
        """One page of ``GET mymeetings/list?maxResults=…&skip=…``.

        Raises:
            ConfigurationError: ``page_size`` < 1, ``skip`` < 0, or a bad option.
            APIStatusError: a non-2xx answer.
            APIConnectionError: a transport failure.
            ResponseValidationError: the body is not a JSON array of meetings, or
                ``paging-next`` is not an integer greater than ``skip``.

        Example:
            >>> async def second_page(client):
            ...     page = await client.my_meetings.list_page(page_size=10, skip=10)
            ...     return page.items, page.next_skip
        """
        return await self._list_page(page_size, skip, options).parsed()

    # --- the calls, described once for both the typed and the raw methods ------------------

    def _sync(
        self,
        sync_token: str | None,
        properties: Iterable[str] | None,
        options: RequestOptions,
    ) -> Call[MeetingSynchronization]:
        params: dict[str, str] = {}
        if properties is not None:
            params["properties"] = sync_properties_param(properties)
        if sync_token:
            params["synctoken"] = sync_token
        return Call(
            requester=self._requester,
            method="GET",
            url=self._paths.my_meetings_sync,
            parse=_read_sync,
            kwargs={"params": params, **request_kwargs(options)},
        )

    def _sync_commit(
        self, sync: MeetingSynchronization, options: RequestOptions
    ) -> Call[MeetingSynchronization | None]:
        idempotent = {IDEMPOTENT_EXTENSION: True} if commit_is_retry_safe(sync) else None
        return Call(
            requester=self._requester,
            method=self._paths.my_meetings_sync_commit_method,
            url=self._paths.my_meetings_sync_commit,
            parse=_read_commit_answer,
            kwargs=request_kwargs(options, extensions=idempotent),
            json=sync,
        )

    def _list_page(self, page_size: int, skip: int, options: RequestOptions) -> Call[Page[Meeting]]:
        params = page_params(page_size, skip)

        def parse(response: httpx2.Response) -> Page[Meeting]:
            items = read_model(response, tuple[Meeting, ...])
            try:
                next_skip = parse_paging_next(response.headers.get(PAGING_NEXT_HEADER), skip=skip)
            except ResponseValidationError as exc:
                exc.response = response
                raise
            return Page(items=items, next_skip=next_skip)

        return Call(
            requester=self._requester,
            method="GET",
            url=self._paths.my_meetings_list,
            parse=parse,
            kwargs={"params": params, **request_kwargs(options)},
        )


def _read_sync(response: httpx2.Response) -> MeetingSynchronization:
    return read_model(response, MeetingSynchronization)


def _read_commit_answer(response: httpx2.Response) -> MeetingSynchronization | None:
    return read_model(response, MeetingSynchronization, optional=True)


class MyMeetingsWithRawResponse:
    """``client.my_meetings.with_raw_response``: each call answers an :class:`APIResponse`.

    Same arguments and errors as :class:`MyMeetings`; ``.parse()`` gives what the typed
    method returns.
    """

    __slots__ = ("_meetings",)

    def __init__(self, meetings: MyMeetings) -> None:
        self._meetings = meetings

    async def sync(
        self,
        *,
        sync_token: str | None = None,
        properties: Iterable[SyncProperty] | None = None,
        **options: Unpack[RequestOptions],
    ) -> APIResponse[MeetingSynchronization]:
        """:meth:`MyMeetings.sync`, raw."""
        return await self._meetings._sync(sync_token, properties, options).raw()

    async def sync_commit(
        self, sync: MeetingSynchronization, **options: Unpack[RequestOptions]
    ) -> APIResponse[MeetingSynchronization | None]:
        """:meth:`MyMeetings.sync_commit`, raw."""
        return await self._meetings._sync_commit(sync, options).raw()

    async def list_page(
        self,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        skip: int = 0,
        **options: Unpack[RequestOptions],
    ) -> APIResponse[Page[Meeting]]:
        """:meth:`MyMeetings.list_page`, raw (``headers["paging-next"]`` is the next skip)."""
        return await self._meetings._list_page(page_size, skip, options).raw()
