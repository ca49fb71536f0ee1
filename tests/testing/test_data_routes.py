"""Data routes: bearer checks (401), other users' objects (403), 404, 500, list paging, MyTasks."""

from __future__ import annotations

import httpx
import pytest

from meetingbooster_async.testing import Emulator, EmulatorSettings

from .helpers import ANN, BOB, bearer, get_json, login, password_form, signout_form

pytestmark = pytest.mark.anyio

LIST = "/api/v1/mymeetings/list"
JSMEETING_KEYS = {
    "Id", "Title", "Purpose", "Location", "Start", "End", "AllDayEvent", "Host", "Invitations",
    "SendInvitations", "InvitationSendTime", "CreateTeamsMeeting", "ActualStart", "ActualEnd",
    "ModifiedTime",
}  # fmt: skip


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}],
    ids=["missing", "unknown", "not-bearer"],
)
async def test_data_routes_answer_401_without_a_valid_bearer(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get(LIST, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["Message"] == "Authorization has been denied for this request."


async def test_expired_restarted_and_hidden_expiry_tokens_answer_401(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    tokens = await login(client)
    emulator.expire_access_tokens()  # the client still believes its token is valid
    assert (await client.get(LIST, headers=bearer(tokens["access_token"]))).status_code == 401

    tokens = await login(client)
    emulator.restart()  # forgets access AND refresh tokens
    assert (await client.get(LIST, headers=bearer(tokens["access_token"]))).status_code == 401
    refreshed = await client.post(
        "/oauth",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "app_id": "Api",
        },
    )
    assert refreshed.json()["error"] == "invalid_grant"
    assert emulator.stats().sessions == 0


async def test_list_returns_the_users_own_jsmeetings(client: httpx.AsyncClient) -> None:
    token = (await login(client))["access_token"]
    meetings = await get_json(client, token, LIST)

    assert len(meetings) == 3
    assert all(set(m) == JSMEETING_KEYS for m in meetings)
    assert {m["Host"]["Email"] for m in meetings} == {ANN}
    assert [m["Start"] for m in meetings] == sorted(m["Start"] for m in meetings)
    assert meetings[0]["Start"].endswith("Z")
    assert meetings[0]["ActualStart"] is None
    assert meetings[0]["Invitations"][0]["Status"] == "PENDING"


@pytest.mark.parametrize("settings", [EmulatorSettings(null_unset_values=False)])
async def test_unset_datetimes_can_be_left_out(client: httpx.AsyncClient) -> None:
    token = (await login(client))["access_token"]
    meeting = (await get_json(client, token, LIST))[0]
    assert "ActualStart" not in meeting
    assert "InvitationSendTime" not in meeting


async def _pages(client: httpx.AsyncClient, token: str, size: int) -> list[list[str]]:
    pages: list[list[str]] = []
    skip: str | None = "0"
    while skip is not None:
        response = await client.get(
            LIST, headers=bearer(token), params={"maxResults": size, "skip": skip}
        )
        assert response.status_code == 200
        pages.append([m["Id"] for m in response.json()])
        skip = response.headers.get("paging-next")
    return pages


async def test_list_paging_with_no_meetings_is_one_empty_page(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    emulator.add_user("empty@example.com", "pw")
    token = (await login(client, "empty@example.com", "pw"))["access_token"]
    assert await _pages(client, token, 10) == [[]]


async def test_list_paging_with_one_page_has_no_paging_next(client: httpx.AsyncClient) -> None:
    token = (await login(client))["access_token"]
    pages = await _pages(client, token, 3)
    assert [len(page) for page in pages] == [3]


async def test_list_paging_follows_paging_next_like_the_docs_example(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    emulator.add_user("many@example.com", "pw", meetings=17)
    token = (await login(client, "many@example.com", "pw"))["access_token"]

    first = await client.get(LIST, headers=bearer(token), params={"maxResults": 10})
    assert len(first.json()) == 10
    assert first.headers["paging-next"] == "10"
    second = await client.get(LIST, headers=bearer(token), params={"maxResults": 10, "skip": 10})
    assert len(second.json()) == 7
    assert "paging-next" not in second.headers

    pages = await _pages(client, token, 4)
    assert [len(page) for page in pages] == [4, 4, 4, 4, 1]
    ids = [meeting_id for page in pages for meeting_id in page]
    assert ids == [m["Id"] for m in emulator.meetings("many@example.com")]


@pytest.mark.parametrize(
    "settings", [EmulatorSettings(list_default_page_size=2, list_max_page_size=4)]
)
async def test_list_page_size_default_and_maximum_are_settings(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    emulator.add_user("many@example.com", "pw", meetings=10)
    token = (await login(client, "many@example.com", "pw"))["access_token"]
    default = await client.get(LIST, headers=bearer(token))
    assert len(default.json()) == 2
    clamped = await client.get(LIST, headers=bearer(token), params={"maxResults": 100})
    assert len(clamped.json()) == 4
    assert clamped.headers["paging-next"] == "4"


@pytest.mark.parametrize(
    "params",
    [{"maxResults": "ten"}, {"maxResults": "0"}, {"skip": "-1"}, {"skip": "1.5"}],
)
async def test_list_refuses_bad_paging_parameters(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    token = (await login(client))["access_token"]
    response = await client.get(LIST, headers=bearer(token), params=params)
    assert response.status_code == 400
    assert response.json()["ErrorCode"] == "BADREQUEST"


async def test_query_parameters_and_paths_are_case_insensitive(client: httpx.AsyncClient) -> None:
    token = (await login(client))["access_token"]
    response = await client.get(
        "/API/v1/MyMeetings/List/", headers=bearer(token), params={"MAXRESULTS": 1}
    )
    assert response.status_code == 200
    assert len(response.json()) == 1


async def test_a_meeting_of_another_user_is_403_with_a_jsapierror(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    token = (await login(client))["access_token"]
    own = emulator.meetings(ANN)[0]["Id"]
    other = emulator.meetings(BOB)[0]["Id"]

    assert (await get_json(client, token, f"/api/v1/meetings/{own}"))["Id"] == own
    assert (await get_json(client, token, f"/api/v1/meetings/{own.upper()}"))["Id"] == own
    forbidden = await client.get(f"/api/v1/meetings/{other}", headers=bearer(token))
    assert forbidden.status_code == 403
    assert forbidden.json() == {
        "Message": "You do not have access to this meeting",
        "ErrorCode": "FORBIDDEN",
    }
    missing = await client.get("/api/v1/meetings/no-such-id", headers=bearer(token))
    assert missing.status_code == 404


@pytest.mark.parametrize(
    "settings",
    [EmulatorSettings(api_error_message_key="message", api_error_code_key=None)],
)
async def test_jsapierror_shape_is_a_setting(emulator: Emulator, client: httpx.AsyncClient) -> None:
    token = (await login(client))["access_token"]
    other = emulator.meetings(BOB)[0]["Id"]
    response = await client.get(f"/api/v1/meetings/{other}", headers=bearer(token))
    assert response.json() == {"message": "You do not have access to this meeting"}


@pytest.mark.parametrize("settings", [EmulatorSettings(meetings_path="/api/v1/meeting")])
async def test_meeting_path_is_a_setting(emulator: Emulator, client: httpx.AsyncClient) -> None:
    token = (await login(client))["access_token"]
    own = emulator.meetings(ANN)[0]["Id"]
    assert (await client.get(f"/api/v1/meeting/{own}", headers=bearer(token))).status_code == 200
    assert (await client.get(f"/api/v1/meetings/{own}", headers=bearer(token))).status_code == 404


async def test_a_general_failure_is_a_500(emulator: Emulator, client: httpx.AsyncClient) -> None:
    token = (await login(client))["access_token"]
    emulator.faults.fail("list")

    response = await client.get(LIST, headers=bearer(token))

    assert response.status_code == 500
    assert response.json() == {"Message": "An error has occurred.", "ErrorCode": "SERVERERROR"}
    assert (await client.get(LIST, headers=bearer(token))).status_code == 200


async def test_unknown_paths_are_404_and_wrong_methods_405(client: httpx.AsyncClient) -> None:
    token = (await login(client))["access_token"]
    assert (await client.get("/api/v1/nothing", headers=bearer(token))).status_code == 404
    response = await client.post(LIST, headers=bearer(token))
    assert response.status_code == 405
    assert (await client.delete("/api/v1/meetings/x", headers=bearer(token))).status_code == 405


async def test_too_large_bodies_are_413(emulator: Emulator, client: httpx.AsyncClient) -> None:
    emulator.configure(max_body_bytes=10)
    response = await client.post("/oauth", data=password_form())
    assert response.status_code == 413


async def test_mytasks_sync_and_synccommit_answer_an_empty_task_list(
    client: httpx.AsyncClient,
) -> None:
    token = (await login(client))["access_token"]
    first = await get_json(client, token, "/api/v1/mytasks/sync")
    assert first["Tasks"] == []

    again = await get_json(client, token, "/api/v1/mytasks/sync", synctoken=first["SyncToken"])
    assert again["Tasks"] == []
    committed = await client.post("/api/v1/mytasks/synccommit", headers=bearer(token), json=first)
    assert committed.status_code == 200
    assert committed.json()["Tasks"] == []

    bad = await client.get(
        "/api/v1/mytasks/sync", headers=bearer(token), params={"synctoken": "garbage"}
    )
    assert bad.status_code == 400
    not_json = await client.post(
        "/api/v1/mytasks/synccommit", headers=bearer(token), content=b"<xml/>"
    )
    assert not_json.status_code == 400


async def test_a_signed_out_session_is_401_on_data_routes(client: httpx.AsyncClient) -> None:
    tokens = await login(client)
    await client.post("/oauth", data=signout_form(tokens["refresh_token"]))
    assert (await client.get(LIST, headers=bearer(tokens["access_token"]))).status_code == 401


async def test_each_user_sees_only_their_own_meetings(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    ann = (await login(client))["access_token"]
    bob = (await login(client, BOB, "bobs-password"))["access_token"]
    ann_ids = {m["Id"] for m in await get_json(client, ann, LIST)}
    bob_ids = {m["Id"] for m in await get_json(client, bob, LIST)}
    assert len(ann_ids) == 3
    assert len(bob_ids) == 2
    assert not ann_ids & bob_ids


def test_seeded_meetings_are_deterministic() -> None:
    first = Emulator(users={ANN: "x"}, meetings_per_user=2).meetings(ANN)
    second = Emulator(users={ANN: "y"}, meetings_per_user=2).meetings(ANN)
    strip = [{k: v for k, v in m.items() if k != "ModifiedTime"} for m in first]
    assert strip == [{k: v for k, v in m.items() if k != "ModifiedTime"} for m in second]


def test_emulator_seeding_api() -> None:
    emulator = Emulator(users=[(ANN, "pw")])
    user = emulator.add_user("New.Person@Example.com", "pw", title="Boss")
    assert user["Email"] == "new.person@example.com"
    assert user["Name"] == "New Person"
    assert user["Title"] == "Boss"
    assert [u["Email"] for u in emulator.users()] == [ANN, "new.person@example.com"]
    with pytest.raises(ValueError, match="exists"):
        emulator.add_user(ANN.upper(), "pw")

    meeting = emulator.add_meeting(
        ANN, meeting_id="M-1", Title="Plan", Start="2024-03-05T10:00:00+01:00", Location="Here"
    )
    assert meeting["Id"] == "M-1"
    assert meeting["Start"] == "2024-03-05T09:00:00Z"  # stored and sent in UTC
    assert meeting["Host"]["Email"] == ANN
    assert emulator.update_meeting("m-1", Title="Plan B")["Title"] == "Plan B"
    with pytest.raises(ValueError, match="Start"):
        emulator.add_meeting(ANN, Start="yesterday")
    emulator.delete_meeting("M-1")
    assert emulator.meetings(ANN) == []
    with pytest.raises(KeyError):
        emulator.delete_meeting("M-1")
