"""Typed calls as flexible as raw ones: per-call options, with_raw_response, typed properties."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest

from meetingbooster_async import (
    APIResponse,
    APITimeoutError,
    ConfigurationError,
    InvalidSyncTokenError,
    MeetingSynchronization,
    Page,
    RetryPolicy,
    ServerError,
    SyncProperty,
    TaskSynchronization,
)
from meetingbooster_async._retry import DEADLINE_EXTENSION, RETRY_EXTENSION
from meetingbooster_async.resources import SYNC_PROPERTIES, APIResourcesMixin
from meetingbooster_async.testing import Emulator

from .emulated import ANN, PASSWORD, URL, Client

pytestmark = pytest.mark.anyio


class Recorder(APIResourcesMixin):
    """Records the keyword arguments each typed call hands to ``request``."""

    __slots__ = ("calls",)

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def request(self, method: str, url: httpx.URL | str, **kwargs: Any) -> httpx.Response:
        self.calls.append(kwargs)
        body = b"[]" if "list" in str(url) else b'{"SyncToken": "t"}'
        return httpx.Response(200, content=body, request=httpx.Request(method, f"https://x{url}"))


# --- per-call options ------------------------------------------------------------------------


async def test_every_typed_method_passes_its_options_through() -> None:
    recorder = Recorder()
    policy = RetryPolicy(max_retries=5)
    timeout = httpx.Timeout(1.5)
    options: dict[str, Any] = {
        "timeout": timeout,
        "deadline": 9,
        "retry": policy,
        "extensions": {"trace": "on"},
        "headers": {"X-Trace": "1"},
    }
    sync = MeetingSynchronization(sync_token="t")
    await recorder.my_meetings.sync(**options)
    await recorder.my_meetings.sync_commit(sync, **options)
    await recorder.my_meetings.list_page(**options)
    _ = [m async for m in recorder.my_meetings.list(**options)]
    await recorder.my_tasks.sync(**options)
    await recorder.my_tasks.sync_commit(TaskSynchronization(sync_token="t"), **options)
    await recorder.request_model("GET", "/api/v1/users", model=None, **options)
    assert len(recorder.calls) == 7
    for kwargs in recorder.calls:
        assert kwargs["timeout"] is timeout
        assert kwargs["headers"] == {"X-Trace": "1"}
        extensions = kwargs["extensions"]
        assert extensions["trace"] == "on"
        assert extensions[DEADLINE_EXTENSION] == 9.0
        assert extensions[RETRY_EXTENSION] is policy


async def test_left_out_options_keep_the_clients_settings() -> None:
    recorder = Recorder()
    await recorder.my_meetings.sync()
    assert recorder.calls == [{"params": {}}]


async def test_a_commits_idempotency_mark_merges_with_caller_options() -> None:
    recorder = Recorder()
    safe = MeetingSynchronization(sync_token="t")  # no objects: safe to repeat
    await recorder.my_meetings.sync_commit(safe, retry=0, extensions={"x": 1})
    extensions = recorder.calls[0]["extensions"]
    assert extensions == {"meetingbooster_idempotent": True, "x": 1, RETRY_EXTENSION: 0}


@pytest.mark.parametrize(
    "options",
    [
        {"deadline": 0},
        {"deadline": -1},
        {"deadline": float("nan")},
        {"deadline": "5"},
        {"retry": -1},
        {"retry": True},
        {"retry": "2"},
        {"timout": 3},
    ],
)
async def test_bad_options_are_refused_before_sending(options: dict[str, Any]) -> None:
    recorder = Recorder()
    with pytest.raises(ConfigurationError):
        await recorder.my_meetings.sync(**options)
    with pytest.raises(ConfigurationError):
        recorder.my_meetings.list(**options)  # at once, not at the first page
    assert recorder.calls == []


async def test_a_per_call_deadline_bounds_the_call(client: Client, emulator: Emulator) -> None:
    await client.login()
    emulator.faults.set_latency("sync", 5)
    with pytest.raises(APITimeoutError, match="deadline"):
        await client.my_meetings.sync(deadline=0.05)


async def test_a_per_call_timeout_reaches_the_transport() -> None:
    seen: list[dict[str, float | None]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth":
            return httpx.Response(200, json={"access_token": "a", "expires_in": "60"})
        seen.append(request.extensions["timeout"])
        if request.extensions["timeout"]["read"] < 1:
            raise httpx.ReadTimeout("slow", request=request)  # what a real transport does
        return httpx.Response(200, json={"SyncToken": "t"})

    transport = httpx.MockTransport(answer)
    async with Client(URL, username=ANN, password=PASSWORD, transport=transport) as client:
        assert (await client.my_meetings.sync()).sync_token == "t"
        with pytest.raises(APITimeoutError):
            await client.my_meetings.sync(timeout=0.05, retry=0)
    assert seen[0]["read"] == 10.0  # the client's default
    assert seen[1] == {"connect": 0.05, "read": 0.05, "write": 0.05, "pool": 0.05}


async def test_a_per_call_retry_overrides_the_clients(client: Client, emulator: Emulator) -> None:
    emulator.faults.force("sync", status=503, times=2)
    sync = await client.my_meetings.sync(retry=RetryPolicy(max_retries=2, backoff_initial=0.001))
    assert sync.sync_token
    assert emulator.stats().requests["sync"] == {503: 2, 200: 1}
    emulator.faults.force("sync", status=503, times=1)
    with pytest.raises(ServerError):
        await client.my_meetings.sync(retry=0)


# --- with_raw_response -------------------------------------------------------------------


async def test_raw_sync_gives_status_headers_and_the_parsed_model(client: Client) -> None:
    raw = await client.my_meetings.with_raw_response.sync()
    assert isinstance(raw, APIResponse)
    assert raw.status_code == 200
    assert raw.headers["content-type"].startswith("application/json")
    assert raw.request.url.path == "/api/v1/mymeetings/sync"
    sync = raw.parse()
    assert isinstance(sync, MeetingSynchronization) and len(sync.meetings) == 3
    assert raw.parse() is sync  # parsed once
    assert repr(raw) == "<APIResponse [200] GET https://meetingbooster.test/api/v1/mymeetings/sync>"


async def test_raw_list_page_shows_paging_next(client: Client) -> None:
    raw = await client.my_meetings.with_raw_response.list_page(page_size=2)
    assert raw.headers["paging-next"] == "2"
    page = raw.parse()
    assert isinstance(page, Page) and len(page.items) == 2 and page.next_skip == 2


async def test_raw_commit_and_task_calls(client: Client) -> None:
    sync = await client.my_meetings.sync()
    raw = await client.my_meetings.with_raw_response.sync_commit(sync, retry=0)
    assert raw.status_code == 200 and raw.parse() is not None
    tasks = await client.my_tasks.with_raw_response.sync()
    task_sync = tasks.parse()
    assert isinstance(task_sync, TaskSynchronization)
    commit = await client.my_tasks.with_raw_response.sync_commit(task_sync)
    assert commit.status_code == 200


async def test_a_raw_call_still_raises_the_typed_error(client: Client) -> None:
    with pytest.raises(InvalidSyncTokenError) as info:
        await client.my_meetings.with_raw_response.sync(sync_token="garbage")
    assert info.value.response.status_code == 400


async def test_a_raw_body_that_does_not_fit_fails_only_at_parse(
    client: Client, emulator: Emulator
) -> None:
    emulator.faults.force("sync", status=200, body=[1, 2])
    raw = await client.my_meetings.with_raw_response.sync()
    assert raw.http_response.json() == [1, 2]
    with pytest.raises(Exception, match="expected"):
        raw.parse()


# --- typed properties ----------------------------------------------------------------------


def test_the_properties_literal_lists_the_documented_names() -> None:
    import typing

    assert typing.get_args(SyncProperty) == SYNC_PROPERTIES
    assert SYNC_PROPERTIES == ("Title", "Start", "End", "Invitations", "SendInvitations")


async def test_properties_are_still_checked_at_run_time(client: Client) -> None:
    unchecked: Any = ["Titel"]
    with pytest.raises(ConfigurationError, match="Titel"):
        await client.my_meetings.sync(properties=unchecked)


def test_mypy_catches_a_misspelt_property_and_reads_raw_models(tmp_path: Path) -> None:
    snippet = tmp_path / "snippet.py"
    snippet.write_text(
        textwrap.dedent(
            """
            from meetingbooster_async import MeetingBoosterClient, MeetingSynchronization, Page
            from meetingbooster_async import Meeting

            async def main(client: MeetingBoosterClient) -> None:
                await client.my_meetings.sync(properties=["Start", "End"])
                await client.my_meetings.sync(properties=["Titel"])
                raw = await client.my_meetings.with_raw_response.sync(deadline=3.0)
                sync: MeetingSynchronization = raw.parse()
                page: Page[Meeting] = (
                    await client.my_meetings.with_raw_response.list_page(timeout=2.0)
                ).parse()
                await client.my_meetings.sync(deadline="soon")
                print(sync, page)
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(snippet)],
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 2, result.stdout
    assert '"Titel"' in errors[0] or "Titel" in errors[0]
    assert "deadline" in errors[1]
