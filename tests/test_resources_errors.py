"""Typed calls fail with typed errors, never with error bodies as data; request_model."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from meetingbooster_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    Meeting,
    MeetingSynchronization,
    NotFoundError,
    PermissionDeniedError,
    ResponseValidationError,
    ServerError,
    SyncMeeting,
    SyncState,
    User,
)
from meetingbooster_async.resources import APIResourcesMixin, MyMeetings, MyTasks, api_error_of
from meetingbooster_async.testing import Emulator

from .emulated import ANN, BOB, Client

pytestmark = pytest.mark.anyio


class FakeRequester(APIResourcesMixin):
    """A slotted view like UserSession: records each call, answers or raises as told."""

    __slots__ = ("answer", "calls")

    def __init__(self, answer: httpx.Response | Exception) -> None:
        self.answer = answer
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    async def request(self, method: str, url: httpx.URL | str, **kwargs: Any) -> httpx.Response:
        self.calls.append((method, str(url), kwargs))
        if isinstance(self.answer, Exception):
            raise self.answer
        request = httpx.Request(method, f"https://mb.test{url}")
        return httpx.Response(
            self.answer.status_code,
            headers=self.answer.headers,
            content=self.answer.content,
            request=request,
        )


# --- request_model ---------------------------------------------------------------------------


async def test_request_model_structures_any_answer(client: Client, emulator: Emulator) -> None:
    wanted = emulator.meetings(ANN)[0]
    meeting = await client.request_model("GET", f"/api/v1/meetings/{wanted['Id']}", model=Meeting)
    assert meeting.id == wanted["Id"] and meeting.title == wanted["Title"]
    meetings = await client.request_model(
        "GET", "/api/v1/mymeetings/list", model=list[Meeting], params={"maxResults": 2}
    )
    assert [m.id for m in meetings] == [m["Id"] for m in emulator.meetings(ANN)[:2]]
    await client.request_model("GET", "/api/v1/mymeetings/sync", model=None)
    assert emulator.stats().answered("sync", 200) == 1


async def test_request_model_sends_models_as_json(client: Client, emulator: Emulator) -> None:
    body = MeetingSynchronization(
        meetings=(SyncMeeting(state=SyncState.NEW, client_sync_id="x", meeting=Meeting()),)
    )
    answer = await client.request_model(
        "POST", "/api/v1/mymeetings/synccommit", model=MeetingSynchronization, json=body
    )
    assert answer.meetings[0].client_sync_id == "x"
    assert len(emulator.meetings(ANN)) == 4


async def test_another_users_meeting_is_a_permission_error_with_the_api_error(
    client: Client, emulator: Emulator
) -> None:
    bobs = emulator.meetings(BOB)[0]["Id"]
    with pytest.raises(PermissionDeniedError) as info:
        await client.request_model("GET", f"/api/v1/meetings/{bobs}", model=Meeting)
    assert info.value.status_code == 403
    error = api_error_of(info.value)
    assert error is not None and error.message == "You do not have access to this meeting"
    assert error.raw["ErrorCode"] == "FORBIDDEN"


async def test_an_unknown_meeting_is_not_found(client: Client) -> None:
    with pytest.raises(NotFoundError) as info:
        await client.request_model("GET", "/api/v1/meetings/no-such-id", model=Meeting)
    assert api_error_of(info.value) is not None


async def test_a_general_failure_is_a_server_error(client: Client, emulator: Emulator) -> None:
    emulator.faults.fail("sync")
    with pytest.raises(ServerError) as info:
        await client.my_meetings.sync()
    assert info.value.status_code == 500
    emulator.faults.force("list", status=502, body="html")
    with pytest.raises(ServerError) as server_error:
        await client.my_meetings.list_page()
    assert server_error.value.body is None and api_error_of(server_error.value) is None


async def test_an_invalid_sync_token_is_a_status_error(client: Client) -> None:
    with pytest.raises(APIStatusError) as info:
        await client.my_meetings.sync(sync_token="bm90IGEgdG9rZW4=")
    assert info.value.status_code == 400
    error = api_error_of(info.value)
    assert error is not None and error.raw["ErrorCode"] == "INVALIDSYNCTOKEN"


@pytest.mark.parametrize("body", ["invalid_json", "html", b'{"Meetings": 5}', b"[]"])
async def test_a_200_that_is_not_the_model_is_a_validation_error(
    client: Client, emulator: Emulator, body: Any
) -> None:
    emulator.faults.force("sync", status=200, body=body)
    with pytest.raises(ResponseValidationError) as info:
        await client.my_meetings.sync()
    assert info.value.response is not None and info.value.response.status_code == 200


async def test_an_empty_200_is_a_validation_error_where_a_body_is_needed(
    client: Client, emulator: Emulator
) -> None:
    emulator.faults.force("sync", status=200, body="empty")
    with pytest.raises(ResponseValidationError, match="empty body"):
        await client.my_meetings.sync()
    emulator.faults.force("sync_commit", status=200, body=b"<html></html>")
    with pytest.raises(ResponseValidationError, match="not JSON"):
        await client.my_meetings.sync_commit(MeetingSynchronization())


async def test_a_list_answer_that_is_not_an_array_is_refused(
    client: Client, emulator: Emulator
) -> None:
    emulator.faults.force("list", status=200, body={"Meetings": []})
    with pytest.raises(ResponseValidationError) as info:
        await client.my_meetings.list_page()
    assert info.value.path == "$"


async def test_a_lost_connection_is_a_connection_error(client: Client, emulator: Emulator) -> None:
    emulator.faults.drop("sync", mode="close")
    with pytest.raises(APIConnectionError) as info:
        await client.my_meetings.sync()
    assert isinstance(info.value.__cause__, httpx.TransportError)
    assert isinstance(info.value, httpx.TransportError)  # still an httpx error
    assert not isinstance(info.value, APITimeoutError)


# --- the send path, with a fake requester ----------------------------------------------------


async def test_a_timeout_is_a_timeout_error_and_sdk_errors_pass_unchanged() -> None:
    request = httpx.Request("GET", "https://mb.test/api/v1/mymeetings/sync?synctoken=secret")
    fake = FakeRequester(httpx.ReadTimeout("read timed out", request=request))
    with pytest.raises(APITimeoutError) as info:
        await fake.my_meetings.sync(sync_token="secret")
    assert info.value.request is request and isinstance(info.value.__cause__, httpx.ReadTimeout)
    assert "secret" not in str(info.value)
    ours = APITimeoutError("deadline", request=request)
    fake.answer = ours
    with pytest.raises(APITimeoutError) as again:
        await fake.my_tasks.sync()
    assert again.value is ours
    fake.answer = httpx.ConnectError("refused")  # built without a request
    with pytest.raises(APIConnectionError):
        await fake.my_meetings.list_page()


async def test_a_paging_loop_is_refused_with_the_response() -> None:
    answer = httpx.Response(200, json=[{"Id": "1"}], headers={"paging-next": "10"})
    fake = FakeRequester(answer)
    with pytest.raises(ResponseValidationError, match="paging loop") as info:
        await fake.my_meetings.list_page(page_size=10, skip=10)
    assert info.value.response is not None
    assert fake.calls[0][2]["params"] == {"maxResults": 10, "skip": 10}


async def test_commit_extensions_merge_with_the_callers() -> None:
    fake = FakeRequester(httpx.Response(200))
    safe = MeetingSynchronization(meetings=(SyncMeeting(client_sync_id="c"),))
    assert await MyMeetings(fake).sync_commit(safe) is None
    anonymous = MeetingSynchronization(sync_token="t", meetings=(SyncMeeting(),))
    assert await MyMeetings(fake).sync_commit(anonymous) is None
    assert fake.calls[0][2]["extensions"] == {"meetingbooster_idempotent": True}
    assert "extensions" not in fake.calls[1][2]
    assert fake.calls[1][2]["json"] == {"SyncToken": "t", "Meetings": [{}]}
    await fake.request_model(
        "POST", "/x", model=None, extensions={"meetingbooster_retry": 0}, json=[User(id="1")]
    )
    assert fake.calls[2][2] == {"extensions": {"meetingbooster_retry": 0}, "json": [{"Id": "1"}]}


async def test_task_sync_and_commit_go_to_the_task_paths() -> None:
    fake = FakeRequester(httpx.Response(200, json={"SyncToken": "t", "Tasks": [], "New": 1}))
    sync = await MyTasks(fake).sync(sync_token="old")
    assert sync.extra == {"New": 1}
    await fake.my_tasks.sync_commit(sync)
    assert [(method, url) for method, url, _ in fake.calls] == [
        ("GET", "/api/v1/mytasks/sync"),
        ("POST", "/api/v1/mytasks/synccommit"),
    ]
    assert fake.calls[0][2]["params"] == {"synctoken": "old"}
    assert fake.calls[1][2]["json"] == {"SyncToken": "t", "New": 1}


def test_the_mixin_adds_no_instance_dict() -> None:
    fake = FakeRequester(httpx.Response(200))
    assert not hasattr(fake, "__dict__")
    assert isinstance(fake.my_meetings, MyMeetings) and isinstance(fake.my_tasks, MyTasks)
