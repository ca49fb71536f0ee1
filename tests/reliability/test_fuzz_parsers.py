"""Scenario 6: hypothesis fuzzing of every parser, with no event loop.

Whatever a server (or a token store) hands us, each parser returns a value or raises a
:class:`MeetingBoosterError` (where its contract says so), and nothing else: no ``KeyError``,
``ValueError``, ``JSONDecodeError``, ``RecursionError`` or ``OverflowError`` escapes.
"""

from __future__ import annotations

import email.utils
import enum
import json
import math
import types
import typing
from datetime import UTC, datetime
from typing import Any

import attrs
import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import meetingbooster_async as mb
from meetingbooster_async import (
    APIStatusError,
    MeetingBoosterError,
    OAuthError,
    OAuthResponseError,
    ResponseValidationError,
    RetryPolicy,
    StoredToken,
    structure,
    unstructure,
)
from meetingbooster_async._converter import wire_key
from meetingbooster_async._errors import status_error_for
from meetingbooster_async._oauth import (
    MAX_LIFETIME,
    TokenGrant,
    parse_expires_in,
    parse_oauth_error,
    parse_token_response,
)
from meetingbooster_async._paging import parse_paging_next
from meetingbooster_async._retry import parse_retry_after
from meetingbooster_async.resources._send import read_model

from ..helpers import assert_json_path

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ_PER_MODEL = settings(FUZZ, max_examples=40)

#: JSON nested deeper than Python's recursion limit: ``json.loads`` raises ``RecursionError``
#: (neither a ``ValueError`` nor a ``UnicodeDecodeError``). A proxy or a broken server can send
#: this; hypothesis does not build it by itself, so it is tested explicitly below.
DEEP = {"array": b"[" * 10_000, "object": b'{"error": ' * 10_000}

# --- strategies ------------------------------------------------------------------------------

texts = st.text(max_size=20)
numbers = st.one_of(
    st.integers(),
    st.integers(min_value=10**300, max_value=10**400),  # beyond float range
    st.integers(max_value=-(10**300), min_value=-(10**400)),
    st.floats(),  # NaN and ±Infinity too (json.dumps writes them, json.loads reads them)
)
numeric_strings = st.one_of(
    numbers.map(str),
    st.sampled_from(["", " 60 ", "6e1", "1e999", "-0", "0x10", "NaN", "Infinity", "1_000"]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts, numeric_strings)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)
oauth_keys = [
    "access_token",
    "refresh_token",
    "expires_in",
    "token_type",
    "error",
    "error_description",
    "error_state",
    "retry_in_seconds",
]
oauth_objects = st.fixed_dictionaries(
    {}, optional=dict.fromkeys(oauth_keys, json_values | numeric_strings)
)


def _dumps(value: Any) -> bytes:
    return json.dumps(value).encode()


bodies = st.one_of(
    st.binary(max_size=64),
    json_values.map(_dumps),
    oauth_objects.map(_dumps),
    oauth_objects.map(_dumps).map(lambda b: b[: len(b) // 2]),  # cut short
    st.sampled_from([b"", b"null", b"<html>oops</html>", b"\xef\xbb\xbf{}", b"{}" * 2]),
)
content_types = st.sampled_from(
    [None, "application/json", "application/json; charset=utf-8", "text/html", "text/plain"]
)
statuses = st.integers(min_value=100, max_value=599)
grant_types = st.sampled_from(["password", "refresh_token", "signout"])


def _response(status: int, body: bytes, content_type: str | None) -> httpx.Response:
    headers = {"content-type": content_type} if content_type else {}
    request = httpx.Request("POST", "https://mb.example.com/oauth")
    return httpx.Response(status, content=body, headers=headers, request=request)


# --- OAuth bodies ----------------------------------------------------------------------------


@FUZZ
@given(status=statuses, body=bodies, content_type=content_types, grant=grant_types)
def test_parse_token_response_gives_a_grant_or_a_typed_error(
    status: int, body: bytes, content_type: str | None, grant: Any
) -> None:
    response = _response(status, body, content_type)
    try:
        result = parse_token_response(response, grant_type=grant)
    except (OAuthError, OAuthResponseError) as exc:
        refused: OAuthError | OAuthResponseError = exc
    else:
        refused = None  # type: ignore[assignment]
    if refused is not None:
        # The error keeps a redacted copy of the answer: same status, no secrets.
        assert refused.response is not None
        assert refused.response.status_code == response.status_code
        return
    assert isinstance(result, TokenGrant) and 200 <= status < 300
    assert isinstance(result.access_token, str) and result.access_token
    assert result.refresh_token is None or isinstance(result.refresh_token, str)
    assert result.expires_in is None or 0 < result.expires_in <= MAX_LIFETIME


@FUZZ
@given(status=statuses, body=bodies, content_type=content_types, grant=st.none() | grant_types)
def test_parse_oauth_error_gives_an_error_or_none(
    status: int, body: bytes, content_type: str | None, grant: Any
) -> None:
    error = parse_oauth_error(_response(status, body, content_type), grant_type=grant)
    if error is not None:
        assert isinstance(error, OAuthError) and isinstance(error.error, str)
        assert math.isfinite(error.retry_in_seconds) and error.retry_in_seconds >= 0
        assert str(error)  # the message can be built


@FUZZ
@given(value=json_values | numeric_strings)
@example(value=10**400)
@example(value="1" * 5000)
def test_parse_expires_in_gives_seconds_or_its_documented_value_error(value: object) -> None:
    try:
        seconds = parse_expires_in(value)
    except ValueError:
        return  # documented; parse_token_response turns it into OAuthResponseError
    assert seconds is None or (isinstance(seconds, float) and 0 < seconds <= MAX_LIFETIME)


# --- headers ---------------------------------------------------------------------------------

http_dates = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.just(UTC)
).map(lambda d: email.utils.format_datetime(d, usegmt=True))
header_values = st.one_of(
    st.none(),
    texts,
    numeric_strings,
    http_dates,
    http_dates.map(lambda d: d.replace("GMT", "+2359")),
    http_dates.map(lambda d: d.replace("GMT", "")),  # no zone: unusable
    st.sampled_from(["Mon, 01 Jan 0001 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 -2359"]),
)
unix_times = st.floats(min_value=0, max_value=4e9)


@FUZZ
@given(value=header_values, now=unix_times)
def test_parse_retry_after_gives_non_negative_seconds_or_none(
    value: str | None, now: float
) -> None:
    seconds = parse_retry_after(value, now=now)
    assert seconds is None or (math.isfinite(seconds) and seconds >= 0)


@FUZZ
@given(
    when=st.datetimes(
        min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    ),
    now=unix_times,
)
def test_parse_retry_after_reads_an_http_date_exactly(when: datetime, now: float) -> None:
    when = when.replace(microsecond=0)
    value = email.utils.format_datetime(when, usegmt=True)
    assert parse_retry_after(value, now=now) == max(0.0, when.timestamp() - now)


@FUZZ
@given(
    status=statuses,
    value=header_values,
    attempt=st.integers(min_value=0, max_value=10),
    now=unix_times,
)
def test_a_retry_delay_never_exceeds_its_caps(
    status: int, value: str | None, attempt: int, now: float
) -> None:
    policy = RetryPolicy(max_retries=5, max_retry_after=60.0, backoff_max=8.0)
    headers = {} if value is None else {"Retry-After": value}
    request = httpx.Request("GET", "https://mb.example.com/api/v1/mymeetings/list")
    delay = policy.delay_after_status(request, status, headers, attempt, now=now)
    assert delay is None or 0 <= delay <= 60.0


@FUZZ
@given(value=header_values, skip=st.integers(min_value=0, max_value=10**18))
@example(value="٣", skip=0)  # a non-ASCII digit
@example(value="9" * 19, skip=0)
def test_parse_paging_next_moves_forward_or_fails_typed(value: str | None, skip: int) -> None:
    try:
        next_skip = parse_paging_next(value, skip=skip)
    except ResponseValidationError:
        return
    assert next_skip is None or (isinstance(next_skip, int) and next_skip > skip)


# --- API JSON: every exported model ----------------------------------------------------------

MODELS = sorted(
    (
        obj
        for name in mb.__all__
        if attrs.has(obj := getattr(mb, name)) and obj.__module__.endswith("._models")
    ),
    key=lambda cls: cls.__name__,
)
assert len(MODELS) >= 20, MODELS  # the filter must not go vacuous

iso_datetimes = st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat())
datetime_texts = st.one_of(
    iso_datetimes,
    iso_datetimes.map(lambda s: s.replace("+00:00", "Z")),
    iso_datetimes.map(lambda s: s.replace("+00:00", "+23:59")),
    iso_datetimes.map(lambda s: s.replace("+00:00", "-23:59")),
    st.sampled_from(["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2024-02-30"]),
    texts,
)


def _for_type(tp: Any, depth: int) -> st.SearchStrategy[Any]:
    """Data shaped like ``tp`` on the wire, often slightly (or wildly) wrong."""
    anything = json_values if depth > 0 else scalars
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if attrs.has(tp):
        shaped = _shaped(tp, depth - 1) if depth > 0 else st.just({})
        return st.one_of(shaped, anything)
    if origin in (typing.Union, types.UnionType):
        return st.one_of([_for_type(a, depth) for a in args if a is not type(None)] + [st.none()])
    if origin in (tuple, list):
        return st.one_of(st.lists(_for_type(args[0], depth), max_size=3), anything)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.one_of(st.sampled_from([m.value for m in tp]), anything)
    if tp is datetime:
        return st.one_of(datetime_texts, anything)
    return anything


def _shaped(cls: type, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    hints = typing.get_type_hints(cls)
    optional = {
        wire_key(cls, f.name): _for_type(hints[f.name], depth)
        for f in attrs.fields(cls)
        if f.name != "extra"
    }
    return st.fixed_dictionaries({}, optional=optional).flatmap(
        lambda d: st.dictionaries(texts, scalars, max_size=2).map(lambda extra: {**extra, **d})
    )


def _model_data(cls: type) -> st.SearchStrategy[Any]:
    return st.one_of(_shaped(cls, 3), json_values)


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])
def test_structure_gives_a_model_or_a_validation_error(cls: type, strict: bool) -> None:
    @FUZZ_PER_MODEL
    @given(data=_model_data(cls))
    def check(data: Any) -> None:
        try:
            model = structure(data, cls, strict=strict)
        except ResponseValidationError as exc:
            # The reason stands before the path; a key of the body may spell the same words.
            reason = str(exc).removesuffix(f" (at {exc.path})")
            path, missing = exc.path, reason.endswith("required key missing")
        else:
            path, missing = None, False
        if path is not None:
            # The path leads into this body, past the root whenever the root is an object.
            assert_json_path(data, path, missing_key=missing)
            assert path != "$" or not isinstance(data, dict), data
            return
        assert isinstance(model, cls)
        # What we accepted we can send back (a Sync answer goes back in a SyncCommit).
        unstructure(model)

    check()


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
def test_read_model_gives_a_model_or_a_validation_error(cls: type) -> None:
    raw = st.one_of(bodies, _model_data(cls).map(_dumps), st.sampled_from(list(DEEP.values())))

    @FUZZ_PER_MODEL
    @given(body=raw, status=st.integers(min_value=200, max_value=299))
    def check(body: bytes, status: int) -> None:
        response = _response(status, body, "application/json")
        for model in (cls, list[cls]):  # type: ignore[valid-type]
            try:
                result = read_model(response, model, optional=True)
            except ResponseValidationError as exc:
                failed_on: httpx.Response | None = exc.response
            else:
                failed_on = response
                if result is None:  # optional=True: only for an empty or a JSON null body
                    assert not body.strip() or json.loads(body) is None, body
                elif model is cls:
                    assert isinstance(result, cls)
                else:
                    assert isinstance(result, list)
                    assert all(isinstance(item, cls) for item in result)
            assert failed_on is response  # an error carries the answer it is about

    check()


@FUZZ
@given(status=st.integers(min_value=300, max_value=599), body=bodies, ctype=content_types)
def test_an_error_answer_maps_to_a_status_error(
    status: int, body: bytes, ctype: str | None
) -> None:
    response = _response(status, body, ctype)
    error = status_error_for(response)
    assert isinstance(error, APIStatusError) and error.status_code == status


@pytest.mark.parametrize("nesting", DEEP)
@pytest.mark.parametrize("status", [200, 400, 503])
def test_a_deeply_nested_body_is_typed_everywhere(nesting: str, status: int) -> None:
    response = _response(status, DEEP[nesting], "application/json")
    with pytest.raises(OAuthResponseError):
        parse_token_response(response, grant_type="refresh_token")
    assert parse_oauth_error(response) is None
    assert isinstance(status_error_for(response), APIStatusError)
    with pytest.raises(ResponseValidationError):
        read_model(response, mb.MeetingSynchronization)


# --- token stores ----------------------------------------------------------------------------

stored_objects = st.fixed_dictionaries(
    {},
    optional={
        "access_token": json_values,
        "refresh_token": json_values,
        "refresh_at": numbers | json_values,
        "expires_at": numbers | json_values,
    },
)


@FUZZ
@given(data=st.one_of(stored_objects, json_values))
@example(data={"access_token": "a", "refresh_token": None, "refresh_at": 10**400, "expires_at": 1})
def test_stored_token_from_json_gives_a_token_or_a_typed_error(data: object) -> None:
    try:
        token = StoredToken.from_json(data)
    except MeetingBoosterError:
        return
    assert isinstance(token, StoredToken)
    assert math.isfinite(token.refresh_at) and math.isfinite(token.expires_at)
    assert StoredToken.from_json(token.to_json()) == token
