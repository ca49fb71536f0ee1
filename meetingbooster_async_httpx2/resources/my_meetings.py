# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/resources/my_meetings.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""MyMeetings: the logged-in user's meetings — Sync, SyncCommit and the paged List."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

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
from ._pager import Paginator
from ._paths import ApiPaths
from ._send import Requester, paths_of, read_model, send

__all__ = ["SYNC_PROPERTIES", "MyMeetings", "commit_is_retry_safe", "sync_properties_param"]

#: The documented values of Sync's ``properties`` parameter (reference §3.2).
SYNC_PROPERTIES: Final = ("Title", "Start", "End", "Invitations", "SendInvitations")
_BY_LOWER: Final = {name.lower(): name for name in SYNC_PROPERTIES}
#: ``maxResults`` unless told otherwise (the emulator's default page size; the server's is
#: undocumented).
DEFAULT_PAGE_SIZE: Final = 100


def sync_properties_param(properties: Iterable[str] | str) -> str:
    """The ``properties`` query value: documented names, comma-joined, in their spelling.

    A string is read as a comma-separated list. Names compare case-insensitively; duplicates
    are dropped. An unknown name is refused here, because a server that ignored it would
    silently detect changes on the wrong properties.

    Raises:
        ConfigurationError: an unknown name, or no name at all (leave ``properties`` out to
            track every property).

    Example:
        >>> sync_properties_param(["start", "End", "Start"])
        'Start,End'
    """
    names = properties.split(",") if isinstance(properties, str) else properties
    chosen: list[str] = []
    for raw in names:
        name = _BY_LOWER.get(str(raw).strip().lower())
        if name is None:
            known = ", ".join(SYNC_PROPERTIES)
            raise ConfigurationError(f"unknown sync property {raw!r}; expected one of {known}")
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise ConfigurationError("properties is empty: leave it out to track every property")
    return ",".join(chosen)


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
    it (reference §1.8), so a repeated NEW updates what the first one created instead of
    creating a twin, a repeated DELETED finds nothing left to delete, and a MODIFIED writes
    the same values again. Calendar entries are keyed by their ``ClientSyncId``.

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

    async def sync(
        self,
        *,
        sync_token: str | None = None,
        properties: Iterable[str] | str | None = None,
    ) -> MeetingSynchronization:
        """``GET mymeetings/sync``: every meeting, or the changes since ``sync_token``.

        Follow every Sync with a :meth:`sync_commit` (or use :func:`sync_meetings`, which
        does both), and keep the ``sync_token`` of the synchronization for the next call.

        Args:
            sync_token: the token of the previous sync; ``None`` (or ``""``) on first use.
            properties: the properties whose change makes a meeting MODIFIED, from
                ``Title, Start, End, Invitations, SendInvitations`` (case-insensitive); all
                of them when left out.

        Raises:
            ConfigurationError: an unknown property name.
            APIStatusError: a non-2xx answer (e.g. an invalid sync token).
            APIConnectionError: a transport failure.
            ResponseValidationError: the body is not a ``JSMeetingSynchronization``.

        Example:
            >>> async def changes(client, token):
            ...     return await client.my_meetings.sync(sync_token=token, properties=["Start"])
        """
        params: dict[str, str] = {}
        if properties is not None:
            params["properties"] = sync_properties_param(properties)
        if sync_token:
            params["synctoken"] = sync_token
        response = await send(self._requester, "GET", self._paths.my_meetings_sync, params=params)
        result: MeetingSynchronization = read_model(response, MeetingSynchronization)
        return result

    async def sync_commit(self, sync: MeetingSynchronization) -> MeetingSynchronization | None:
        """Confirm a Sync, and send the client's own changes (path and method inferred).

        Send the synchronization you received — unchanged when you changed nothing, edited to
        carry your changes — keeping its ``sync_token``, and leave out every object you could
        not process (reference §1.8). The request is retried after a transport failure or a
        5xx only when :func:`commit_is_retry_safe` (every object has a ``ClientSyncId`` or an
        ``Id``); otherwise a retry could create a meeting twice.

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
        response = await send(
            self._requester,
            self._paths.my_meetings_sync_commit_method,
            self._paths.my_meetings_sync_commit,
            json=sync,
            extensions={IDEMPOTENT_EXTENSION: True} if commit_is_retry_safe(sync) else None,
        )
        result: MeetingSynchronization | None = read_model(
            response, MeetingSynchronization, optional=True
        )
        return result

    def list(self, *, page_size: int = DEFAULT_PAGE_SIZE) -> Paginator[Meeting]:
        """Every meeting of the user, fetched lazily page by page (``paging-next``).

        Args:
            page_size: ``maxResults`` of each request (the server may send fewer).

        Raises:
            ConfigurationError: ``page_size`` is not a positive integer (raised at once).

        Example:
            >>> async def all_meetings(client):
            ...     return [meeting async for meeting in client.my_meetings.list()]
        """
        return Paginator(self._fetch_page, page_size=page_size)

    async def list_page(
        self, *, page_size: int = DEFAULT_PAGE_SIZE, skip: int = 0
    ) -> Page[Meeting]:
        """One page of ``GET mymeetings/list?maxResults=…&skip=…``.

        Raises:
            ConfigurationError: ``page_size`` < 1 or ``skip`` < 0.
            APIStatusError: a non-2xx answer.
            APIConnectionError: a transport failure.
            ResponseValidationError: the body is not a JSON array of meetings, or
                ``paging-next`` is not an integer greater than ``skip``.

        Example:
            >>> async def second_page(client):
            ...     page = await client.my_meetings.list_page(page_size=10, skip=10)
            ...     return page.items, page.next_skip
        """
        params = page_params(page_size, skip)
        response = await send(self._requester, "GET", self._paths.my_meetings_list, params=params)
        items: tuple[Meeting, ...] = read_model(response, tuple[Meeting, ...])
        try:
            next_skip = parse_paging_next(response.headers.get(PAGING_NEXT_HEADER), skip=skip)
        except ResponseValidationError as exc:
            exc.response = response
            raise
        return Page(items=items, next_skip=next_skip)

    async def _fetch_page(self, page_size: int, skip: int) -> Page[Meeting]:
        return await self.list_page(page_size=page_size, skip=skip)
