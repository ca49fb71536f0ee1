"""Fault injection in process: latency, forced answers, drops, failures, hold gates."""

from __future__ import annotations

import anyio
import httpx
import pytest

from meetingbooster_async.testing import Emulator

from .helpers import bearer, login, password_form, refresh_form

pytestmark = pytest.mark.anyio

LIST = "/api/v1/mymeetings/list"


async def test_latency_delays_only_its_route(emulator: Emulator, client: httpx.AsyncClient) -> None:
    emulator.faults.set_latency("oauth", 0.05)

    started = anyio.current_time()
    tokens = await login(client)
    assert anyio.current_time() - started >= 0.05

    emulator.faults.set_latency("oauth", 0)
    assert emulator.faults.latency_for("oauth") == 0
    emulator.faults.set_latency("*", 0.5)
    emulator.faults.set_latency("list", 0.001)  # a route's own latency wins over "*"
    assert emulator.faults.latency_for("list") == 0.001
    assert emulator.faults.latency_for("sync") == 0.5
    emulator.faults.clear()
    assert (await client.get(LIST, headers=bearer(tokens["access_token"]))).status_code == 200


async def test_force_answers_the_next_n_requests_then_stops(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    emulator.faults.force("oauth", status=503, body="html", times=2)

    for _ in range(2):
        response = await client.post("/oauth", data=password_form())
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("text/html")
        assert response.text.startswith("<!DOCTYPE html>")
    assert (await client.post("/oauth", data=password_form())).status_code == 200
    # The handler did not run for forced answers: only one session exists.
    assert emulator.stats().sessions == 1


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("invalid_json", b'{"access_token": "abc'),
        ("empty", b""),
        (b"raw bytes", b"raw bytes"),
        ({"error": "custom"}, b'{"error": "custom"}'),
    ],
)
async def test_force_bodies(
    emulator: Emulator, client: httpx.AsyncClient, body: object, expected: bytes
) -> None:
    emulator.faults.force("oauth", body=body)  # type: ignore[arg-type]
    response = await client.post("/oauth", data=password_form())
    assert response.status_code == 200  # a body without a status answers 200
    assert response.content == expected


async def test_force_status_alone_answers_an_injected_jsapierror(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    emulator.faults.force("list")
    response = await client.get(LIST)
    assert response.status_code == 500
    assert response.json()["ErrorCode"] == "INJECTED"


async def test_forced_headers_replace_or_join_the_answers_own(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    emulator.faults.force("list", status=429, headers={"Retry-After": "30"})
    emulator.faults.force("oauth", status=200, body=b"<p/>", headers={"Content-Type": "text/html"})
    response = await client.get(LIST)
    assert response.status_code == 429
    assert response.headers.get_list("retry-after") == ["30"]
    assert response.json()["ErrorCode"] == "INJECTED"
    page = await client.post("/oauth", data=password_form())
    assert page.headers.get_list("content-type") == ["text/html"]  # replaced, not doubled
    tokens = await login(client)
    emulator.faults.force("list", headers={"Retry-After": "5"}, run_handler=True)
    real = await client.get(LIST, headers=bearer(tokens["access_token"]))
    assert real.status_code == 200 and len(real.json()) == 3
    assert real.headers["retry-after"] == "5"


@pytest.mark.parametrize("expires_in", ["abc", "-60", "99999999999999999999", ""])
async def test_patch_bends_a_real_token_answer(
    emulator: Emulator, client: httpx.AsyncClient, expires_in: str
) -> None:
    emulator.faults.force("oauth", patch={"expires_in": expires_in})

    body = (await client.post("/oauth", data=password_form())).json()

    assert body["expires_in"] == expires_in
    # The handler ran, so the token is real.
    assert (await client.get(LIST, headers=bearer(body["access_token"]))).status_code == 200


async def test_drop_keys_removes_access_token_from_a_real_answer(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    emulator.faults.force("oauth", drop_keys=["access_token"])
    body = (await client.post("/oauth", data=password_form())).json()
    assert set(body) == {"refresh_token", "expires_in"}
    assert emulator.stats().sessions == 1


async def test_a_lost_refresh_answer_still_rotated_the_token(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    tokens = await login(client)
    emulator.faults.force("oauth", status=502, run_handler=True)

    lost = await client.post("/oauth", data=refresh_form(tokens["refresh_token"]))

    assert lost.status_code == 502
    retry = await client.post("/oauth", data=refresh_form(tokens["refresh_token"]))
    assert retry.json()["error"] == "invalid_grant"


async def test_wildcard_faults_apply_to_every_route_after_the_routes_own(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    emulator.faults.force("*", status=503, times=2)
    emulator.faults.force("list", status=418)
    assert (await client.get(LIST)).status_code == 418
    assert (await client.get(LIST)).status_code == 503
    assert (await client.post("/oauth", data=password_form())).status_code == 503
    assert (await client.post("/oauth", data=password_form())).status_code == 200


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("close", httpx.RemoteProtocolError),
        ("reset", httpx.ReadError),
        ("mid_body", httpx.RemoteProtocolError),
    ],
)
async def test_dropped_connections_raise_what_httpx_raises_for_a_socket(
    emulator: Emulator, client: httpx.AsyncClient, mode: str, error: type[httpx.TransportError]
) -> None:
    emulator.faults.drop("oauth", mode=mode)  # type: ignore[arg-type]

    with pytest.raises(error) as raised:
        await client.post("/oauth", data=password_form())
    assert raised.value.request.url.path == "/oauth"

    assert (await client.post("/oauth", data=password_form())).status_code == 200
    stats = emulator.stats()
    assert stats.requests["oauth"] == {0: 1, 200: 1}
    assert stats.oauth_outcomes["password"] == {"dropped": 1, "ok": 1}
    assert stats.sessions == 1


async def test_a_drop_after_the_handler_ran_loses_a_rotation(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    tokens = await login(client)
    emulator.faults.drop("oauth", run_handler=True)
    with pytest.raises(httpx.RemoteProtocolError):
        await client.post("/oauth", data=refresh_form(tokens["refresh_token"]))
    retry = await client.post("/oauth", data=refresh_form(tokens["refresh_token"]))
    assert retry.json()["error"] == "invalid_grant"


async def test_fail_makes_oauth_a_general_failure(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    emulator.faults.fail("oauth")
    response = await client.post("/oauth", data=password_form())
    assert response.status_code == 500
    assert emulator.stats().oauth_outcomes["password"] == {"error": 1}


async def test_hold_gates_oauth_until_n_requests_wait_then_release(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    emulator.faults.hold("oauth")
    statuses: list[int] = []

    async def log_in() -> None:
        response = await client.post("/oauth", data=password_form())
        statuses.append(response.status_code)  # awaited first, then recorded

    async with anyio.create_task_group() as group:
        for _ in range(10):
            group.start_soon(log_in)
        await emulator.faults.wait_held(10, "oauth")
        assert emulator.faults.held("oauth") == 10
        assert emulator.faults.held() == 10
        assert emulator.stats().held == {"oauth": 10}
        assert emulator.stats().oauth_calls == {"password": 10}  # counted on arrival
        assert statuses == []
        emulator.faults.release("oauth")

    assert statuses == [200] * 10
    assert emulator.faults.held() == 0
    # The gate is open again.
    assert (await client.post("/oauth", data=password_form())).status_code == 200


async def test_hold_times_holds_only_the_next_requests(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    tokens = await login(client)
    emulator.faults.stall("list", times=1)
    done: list[int] = []

    async def get_list() -> None:
        response = await client.get(LIST, headers=bearer(tokens["access_token"]))
        done.append(response.status_code)

    async with anyio.create_task_group() as group:
        group.start_soon(get_list)
        await emulator.faults.wait_held(1, "list")
        await get_list()  # the second request passes the gate
        assert done == [200]
        assert emulator.faults.held_by_route() == {"list": 1}
        emulator.faults.release()
    assert done == [200, 200]


async def test_a_cancelled_held_request_leaves_the_gate(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    emulator.faults.hold("oauth")
    async with anyio.create_task_group() as group:
        group.start_soon(client.post, "/oauth")
        await emulator.faults.wait_held(1)
        group.cancel_scope.cancel()  # the client gives up
    assert emulator.faults.held() == 0


def test_fault_arguments_are_checked(emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="unknown route"):
        emulator.faults.force("logon")
    with pytest.raises(ValueError, match="times"):
        emulator.faults.force("oauth", times=0)
    with pytest.raises(ValueError, match="preset"):
        emulator.faults.force("oauth", body="xml")
    with pytest.raises(ValueError, match="Content-Length"):
        emulator.faults.force("oauth", headers={"Content-Length": "0"})
    with pytest.raises(ValueError, match="mode"):
        emulator.faults.drop("oauth", mode="explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="times"):
        emulator.faults.hold("oauth", times=0)


async def test_clear_removes_scripted_faults(emulator: Emulator, client: httpx.AsyncClient) -> None:
    emulator.faults.force("oauth", status=500, times=5)
    emulator.faults.drop("oauth")
    emulator.faults.clear()
    assert emulator.faults.take("oauth") is None
    assert (await client.post("/oauth", data=password_form())).status_code == 200
