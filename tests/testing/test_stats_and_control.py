"""Stats in process and over HTTP, and every /_emulator control route."""

from __future__ import annotations

import anyio
import httpx
import pytest

from meetingbooster_async.testing import Emulator, EmulatorSettings, EmulatorStats

from .helpers import ANN, BOB, bearer, login, password_form, refresh_form, signout_form

pytestmark = pytest.mark.anyio

LIST = "/api/v1/mymeetings/list"


async def test_stats_count_oauth_by_grant_and_outcome_and_data_by_route_and_status(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    tokens = await login(client)
    await client.post("/oauth", data=password_form(password="wrong"))
    refreshed = (await client.post("/oauth", data=refresh_form(tokens["refresh_token"]))).json()
    await client.post("/oauth", data=refresh_form("stale"))
    await client.post("/oauth", data=signout_form(refreshed["refresh_token"]))
    await client.post("/oauth", data={"grant_type": "nonsense", "app_id": "Api"})
    await client.get(LIST, headers=bearer(tokens["access_token"]))
    await client.get(LIST)
    await client.get("/api/v1/mymeetings/sync", headers={"Authorization": "Bearer x"})
    await client.get("/nowhere")

    stats = emulator.stats()

    assert stats.oauth_calls == {"other": 1, "password": 2, "refresh_token": 2, "signout": 1}
    assert stats.oauth_total == 6
    assert stats.oauth_outcomes == {
        "other": {"unauthorized_client": 1},
        "password": {"ok": 1, "unauthorized_client": 1},
        "refresh_token": {"invalid_grant": 1, "ok": 1},
        "signout": {"ok": 1},
    }
    assert stats.requests["list"] == {401: 2}  # signed out before the list calls
    assert stats.requests["sync"] == {401: 1}
    assert stats.requests["unknown"] == {404: 1}
    assert stats.data_statuses == {401: 3}
    assert stats.answered("oauth") == 6
    assert stats.answered("oauth", 400) == 3
    assert stats.sessions == 0
    assert stats.held == {}
    with pytest.raises(TypeError):
        stats.oauth_calls["password"] = 0  # type: ignore[index]

    emulator.reset_stats()
    assert emulator.stats().oauth_calls == {}


async def test_stats_over_http_match_the_in_process_snapshot(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    tokens = await login(client)
    await client.get(LIST, headers=bearer(tokens["access_token"]))

    over_http = (await client.get("/_emulator/stats")).json()

    assert over_http == emulator.stats().to_json()
    assert over_http["oauth_calls"] == {"password": 1}
    assert over_http["requests"]["list"] == {"200": 1}
    assert over_http["data_statuses"] == {"200": 1}
    assert over_http["access_tokens"] == 1
    # Control routes are not counted.
    assert "stats" not in str(emulator.stats().requests)


async def test_reset_restart_expire_and_advance_over_http(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    tokens = await login(client)
    assert (await client.post("/_emulator/stats/reset")).json() == {"ok": True}
    assert emulator.stats().oauth_calls == {}

    await client.post("/_emulator/expire-tokens")
    assert (await client.get(LIST, headers=bearer(tokens["access_token"]))).status_code == 401

    tokens, bobs = await login(client), await login(client, BOB, "bobs-password")
    await client.post("/_emulator/expire-tokens", json={"user": BOB})
    assert (await client.get(LIST, headers=bearer(bobs["access_token"]))).status_code == 401
    assert (await client.get(LIST, headers=bearer(tokens["access_token"]))).status_code == 200
    assert (await client.post("/_emulator/expire-tokens", json={"user": "x@y"})).status_code == 400

    tokens = await login(client)
    await client.post("/_emulator/restart")
    assert emulator.stats().sessions == 0

    tokens = await login(client)
    before = emulator.now()
    await client.post("/_emulator/advance", json={"seconds": 1200})
    assert emulator.now() - before >= 1200
    assert (await client.get(LIST, headers=bearer(tokens["access_token"]))).status_code == 401

    for _ in range(3):
        await client.post("/oauth", data=password_form(password="bad"))
    await client.post("/_emulator/clear-lockouts")
    assert (await client.post("/oauth", data=password_form())).status_code == 200


async def test_settings_over_http(emulator: Emulator, client: httpx.AsyncClient) -> None:
    current = (await client.get("/_emulator/settings")).json()
    assert current["token_lifetime"] == 1200.0
    assert current["sync_commit_path"] == "/api/v1/mymeetings/synccommit"

    changed = await client.post("/_emulator/settings", json={"rotate_refresh_tokens": False})
    assert changed.json()["rotate_refresh_tokens"] is False
    assert emulator.settings.rotate_refresh_tokens is False

    refused = await client.post("/_emulator/settings", json={"control_key": "x"})
    assert refused.status_code == 400
    bad = await client.post("/_emulator/settings", json={"no_such_setting": 1})
    assert bad.status_code == 400
    invalid = await client.post("/_emulator/settings", json={"token_lifetime": -1})
    assert invalid.status_code == 400


async def test_seeding_over_http(emulator: Emulator, client: httpx.AsyncClient) -> None:
    user = await client.post(
        "/_emulator/users", json={"email": "new@example.com", "password": "pw", "meetings": 2}
    )
    assert user.json()["Email"] == "new@example.com"
    assert len(emulator.meetings("new@example.com")) == 2

    meeting = await client.post(
        "/_emulator/meetings",
        json={"owner": ANN, "meeting": {"Id": "X-1", "Title": "Seeded over HTTP"}},
    )
    assert meeting.json()["Id"] == "X-1"
    assert emulator.meeting("X-1")["Title"] == "Seeded over HTTP"

    duplicate = await client.post("/_emulator/users", json={"email": ANN, "password": "x"})
    assert duplicate.status_code == 400
    wrong_type = await client.post("/_emulator/users", json={"email": 5})
    assert wrong_type.status_code == 400


async def test_faults_over_http(emulator: Emulator, client: httpx.AsyncClient) -> None:
    async def control(path: str, **body: object) -> None:
        response = await client.post(f"/_emulator/faults/{path}", json=body)
        assert response.json() == {"ok": True}, response.text

    await control("force", route="oauth", status=503, body="html")
    assert (await client.post("/oauth", data=password_form())).status_code == 503
    await control("force", route="oauth", raw="<<not json>>")
    assert (await client.post("/oauth", data=password_form())).content == b"<<not json>>"
    await control("force", route="oauth", patch={"expires_in": "-1"}, drop_keys=["refresh_token"])
    assert (await client.post("/oauth", data=password_form())).json()["expires_in"] == "-1"
    await control("drop", route="oauth", mode="reset")
    with pytest.raises(httpx.ReadError):
        await client.post("/oauth", data=password_form())
    await control("fail", route="oauth")
    assert (await client.post("/oauth", data=password_form())).status_code == 500
    await control("latency", route="oauth", seconds=0.001)
    assert emulator.faults.latency_for("oauth") == 0.001

    await control("hold", route="oauth")
    async with anyio.create_task_group() as group:
        group.start_soon(client.post, "/oauth")
        group.start_soon(client.post, "/oauth")
        waited = await client.get("/_emulator/faults/held", params={"route": "oauth", "count": 2})
        assert waited.json() == {"held": 2}
        await control("release", route="oauth")
    assert (await client.get("/_emulator/faults/held")).json() == {"held": 0}

    await control("force", route="list", times=3)
    await control("clear")
    assert emulator.faults.take("list") is None

    timeout = await client.get("/_emulator/faults/held", params={"count": 1, "timeout": 0})
    assert timeout.status_code == 408
    bad = await client.post("/_emulator/faults/force", json={"route": "nowhere"})
    assert bad.status_code == 400
    not_json = await client.post("/_emulator/faults/force", content=b"{")
    assert not_json.status_code == 400


async def test_unknown_control_routes_and_methods(client: httpx.AsyncClient) -> None:
    assert (await client.get("/_emulator/nothing")).status_code == 404
    assert (await client.get("/_emulator/restart")).status_code == 405


@pytest.mark.parametrize("settings", [EmulatorSettings(control_key="let-me-in")])
async def test_control_key_guards_the_control_routes(client: httpx.AsyncClient) -> None:
    assert (await client.get("/_emulator/stats")).status_code == 403
    wrong = await client.get("/_emulator/stats", headers={"X-Emulator-Key": "nope"})
    assert wrong.status_code == 403
    right = await client.get("/_emulator/stats", headers={"X-Emulator-Key": "let-me-in"})
    assert right.status_code == 200


@pytest.mark.parametrize("settings", [EmulatorSettings(control_prefix="/__ctl")])
async def test_control_prefix_is_a_setting(client: httpx.AsyncClient) -> None:
    assert (await client.get("/__ctl/stats")).status_code == 200
    assert (await client.get("/_emulator/stats")).status_code == 404


def test_stats_snapshot_is_frozen() -> None:
    stats = Emulator().stats()
    assert isinstance(stats, EmulatorStats)
    with pytest.raises(AttributeError):
        stats.sessions = 3  # type: ignore[misc]
