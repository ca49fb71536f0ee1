# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_paging.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""Pure paging rules (docs/meetingbooster-api.md §1.7): query parameters, ``paging-next``, Page.

A paged request takes ``maxResults`` (the page size) and ``skip`` (items to skip). When more
data remains the response carries ``paging-next``: the ``skip`` of the next call; no header
means the last page. Nothing here does I/O; the async iterators live in ``resources``.
"""

from __future__ import annotations

import re
from typing import Final, Generic, TypeVar

import attrs

from ._errors import ConfigurationError, ResponseValidationError

__all__ = [
    "MAX_RESULTS_PARAM",
    "PAGING_NEXT_HEADER",
    "SKIP_PARAM",
    "Page",
    "check_page_size",
    "page_params",
    "parse_paging_next",
]

T = TypeVar("T")

#: The response header naming the ``skip`` of the next page.
PAGING_NEXT_HEADER: Final = "paging-next"
#: The query parameter of the page size.
MAX_RESULTS_PARAM: Final = "maxResults"
#: The query parameter of the number of items to skip.
SKIP_PARAM: Final = "skip"

# Plain ASCII digits only: int() would also take "+5", " 5", "1_0" and non-ASCII digits.
_DIGITS = re.compile(r"[0-9]{1,18}")
_SHOWN = 40


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page of a paged list.

    Attributes:
        items: the page's items, in server order.
        next_skip: the ``skip`` of the next page (the ``paging-next`` header), or ``None`` on
            the last page.

    Example:
        >>> page = Page(items=("a", "b"), next_skip=2)
        >>> page.has_next, len(page)
        (True, 2)
    """

    items: tuple[T, ...]
    next_skip: int | None = None

    @property
    def has_next(self) -> bool:
        """True when another page follows."""
        return self.next_skip is not None

    def __len__(self) -> int:
        return len(self.items)


def check_page_size(page_size: int) -> int:
    """``page_size`` if it is a positive integer, else :class:`ConfigurationError`."""
    if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
        raise ConfigurationError(f"page_size must be a positive integer, got {page_size!r}")
    return page_size


def page_params(page_size: int, skip: int = 0) -> dict[str, int]:
    """The query parameters of one page; ``skip`` is left out when 0, as in the docs' example.

    Raises:
        ConfigurationError: ``page_size`` is not positive or ``skip`` is negative.

    Example:
        >>> page_params(10), page_params(10, 10)
        ({'maxResults': 10}, {'maxResults': 10, 'skip': 10})
    """
    params = {MAX_RESULTS_PARAM: check_page_size(page_size)}
    if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
        raise ConfigurationError(f"skip must be a non-negative integer, got {skip!r}")
    if skip:
        params[SKIP_PARAM] = skip
    return params


def parse_paging_next(value: str | None, *, skip: int) -> int | None:
    """The ``skip`` of the next page from a ``paging-next`` header value, or ``None``: last page.

    A missing or blank header means the last page. Anything else must be a decimal integer
    greater than ``skip`` (the current page's), so that following the header always moves
    forward and a misbehaving server cannot make a listing loop forever.

    Raises:
        ResponseValidationError: the value is not a decimal integer, or does not move forward.

    Example:
        >>> parse_paging_next("10", skip=0), parse_paging_next(None, skip=10)
        (10, None)
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not _DIGITS.fullmatch(text):
        shown = text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."
        raise ResponseValidationError(
            f"{PAGING_NEXT_HEADER} is not a non-negative integer: {shown!r}",
            path=f"headers[{PAGING_NEXT_HEADER!r}]",
        )
    next_skip = int(text)
    if next_skip <= skip:
        raise ResponseValidationError(
            f"{PAGING_NEXT_HEADER} {next_skip} does not move past skip {skip} (a paging loop)",
            path=f"headers[{PAGING_NEXT_HEADER!r}]",
        )
    return next_skip
