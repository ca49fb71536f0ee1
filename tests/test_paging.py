"""The pure paging rules: query parameters, the paging-next header, Page. No event loop."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from meetingbooster_async._errors import ConfigurationError, ResponseValidationError
from meetingbooster_async._paging import Page, check_page_size, page_params, parse_paging_next


def test_the_docs_example_parameters() -> None:
    # GET /api/v1/mymeetings/list?maxResults=10, then ...?maxResults=10&skip=10
    assert page_params(10) == {"maxResults": 10}
    assert page_params(10, 10) == {"maxResults": 10, "skip": 10}


@pytest.mark.parametrize("size", [0, -1, True, 2.0, "10", None])
def test_a_page_size_must_be_a_positive_integer(size: object) -> None:
    with pytest.raises(ConfigurationError, match="page_size"):
        check_page_size(size)  # type: ignore[arg-type]


@pytest.mark.parametrize("skip", [-1, False, 1.5, "3"])
def test_skip_must_be_a_non_negative_integer(skip: object) -> None:
    with pytest.raises(ConfigurationError, match="skip"):
        page_params(10, skip)  # type: ignore[arg-type]


@pytest.mark.parametrize(("value", "skip", "expected"), [("10", 0, 10), (" 17 ", 10, 17)])
def test_paging_next_is_the_next_skip(value: str, skip: int, expected: int) -> None:
    assert parse_paging_next(value, skip=skip) == expected


@pytest.mark.parametrize("value", [None, "", "  "])
def test_no_paging_next_means_the_last_page(value: str | None) -> None:
    assert parse_paging_next(value, skip=10) is None


@pytest.mark.parametrize(
    "value", ["ten", "-10", "+10", "1_0", "10.0", "10, 20", "0x10", "\u0661\u0660", "9" * 19]
)
def test_a_paging_next_that_is_not_a_plain_integer_is_refused(value: str) -> None:
    with pytest.raises(ResponseValidationError) as info:
        parse_paging_next(value, skip=0)
    assert info.value.path == "headers['paging-next']"


@pytest.mark.parametrize(("value", "skip"), [("0", 0), ("10", 10), ("5", 10)])
def test_a_paging_next_that_does_not_move_forward_is_a_loop(value: str, skip: int) -> None:
    with pytest.raises(ResponseValidationError, match="paging loop"):
        parse_paging_next(value, skip=skip)


def test_a_long_bad_value_is_not_echoed_in_full() -> None:
    with pytest.raises(ResponseValidationError) as info:
        parse_paging_next("x" * 1000, skip=0)
    assert len(str(info.value)) < 200


@given(value=st.text(), skip=st.integers(min_value=0, max_value=10**6))
def test_any_header_value_is_a_forward_skip_none_or_a_typed_error(value: str, skip: int) -> None:
    result: int | ResponseValidationError | None
    try:
        result = parse_paging_next(value, skip=skip)
    except ResponseValidationError as exc:
        result = exc
    if isinstance(result, ResponseValidationError):
        assert result.path == "headers['paging-next']"
    else:
        assert result is None or (type(result) is int and result > skip)
        assert (result is None) == (not value.strip())


@given(skip=st.integers(0, 10**17), step=st.integers(1, 10**17))
def test_every_forward_integer_is_accepted(skip: int, step: int) -> None:
    assert parse_paging_next(str(skip + step), skip=skip) == skip + step


@given(data=st.data(), skip=st.integers(0, 10**17))
def test_every_integer_that_does_not_move_forward_is_a_paging_loop(
    data: st.DataObject, skip: int
) -> None:
    next_skip = data.draw(st.integers(0, skip), label="next_skip")
    with pytest.raises(ResponseValidationError, match="paging loop") as info:
        parse_paging_next(str(next_skip), skip=skip)
    assert info.value.path == "headers['paging-next']"


def test_a_page_is_a_frozen_tuple_of_items() -> None:
    page = Page(items=(1, 2), next_skip=2)
    assert (len(page), page.has_next) == (2, True)
    assert not Page(items=()).has_next
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        page.next_skip = 3  # type: ignore[misc]
    assert hash(page) == hash(Page(items=(1, 2), next_skip=2))
