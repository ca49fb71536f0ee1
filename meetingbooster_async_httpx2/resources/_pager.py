# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/resources/_pager.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""Paginator: a lazy, re-iterable async iterator over a paged list, item by item or by page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Generic, TypeVar, cast

from .._paging import Page, check_page_size

__all__ = ["Paginator"]

T = TypeVar("T")

_END = object()

#: Fetches the page at ``skip`` with ``page_size`` items at most.
FetchPage = Callable[[int, int], Awaitable[Page[T]]]


class Paginator(Generic[T]):
    """Every item of a paged list, fetched page by page as you iterate.

    Nothing is sent until iteration starts; each ``async for`` starts again from the first
    page. Iterate it for the items, or :meth:`pages` for :class:`Page` objects. After an
    error (a timeout, say) an iterator you hold (``items = aiter(paginator)``) can be used
    again: it resumes with the page that failed.

    Example:
        >>> async def titles(client):
        ...     return [m.title async for m in client.my_meetings.list(page_size=50)]
    """

    __slots__ = ("_fetch", "_page_size")

    def __init__(self, fetch: FetchPage[T], *, page_size: int) -> None:
        self._fetch = fetch
        self._page_size = check_page_size(page_size)

    @property
    def page_size(self) -> int:
        """The ``maxResults`` of each request."""
        return self._page_size

    def pages(self) -> PageIterator[T]:
        """An async iterator over the pages (the last one may be empty).

        Example:
            >>> async def count(client):
            ...     return sum([len(p) async for p in client.my_meetings.list().pages()])
        """
        return PageIterator(self._fetch, self._page_size)

    def __aiter__(self) -> ItemIterator[T]:
        return ItemIterator(self.pages())


class PageIterator(Generic[T]):
    """Async iterator over the pages of one listing; follows ``paging-next``."""

    __slots__ = ("_done", "_fetch", "_page_size", "_skip")

    def __init__(self, fetch: FetchPage[T], page_size: int) -> None:
        self._fetch = fetch
        self._page_size = page_size
        self._skip = 0
        self._done = False

    def __aiter__(self) -> PageIterator[T]:
        return self

    async def __anext__(self) -> Page[T]:
        if self._done:
            raise StopAsyncIteration
        # A failed fetch leaves the position unchanged, so the next call retries that page.
        page = await self._fetch(self._page_size, self._skip)
        if page.next_skip is None:
            self._done = True
        else:
            self._skip = page.next_skip
        return page


class ItemIterator(Generic[T]):
    """Async iterator over the items of the pages of a :class:`PageIterator`."""

    __slots__ = ("_items", "_pages")

    def __init__(self, pages: PageIterator[T]) -> None:
        self._pages = pages
        self._items: Iterator[T] = iter(())

    def __aiter__(self) -> ItemIterator[T]:
        return self

    async def __anext__(self) -> T:
        item = next(self._items, _END)
        while item is _END:  # the page is used up (or empty): fetch the next one
            page = await self._pages.__anext__()  # StopAsyncIteration ends the iteration
            self._items = iter(page.items)
            item = next(self._items, _END)
        return cast(T, item)
