"""The emulator over real HTTP: serve() / aserve(), drops on a socket, gates across threads."""

from __future__ import annotations

import sys
import threading

import anyio
import httpx
import pytest

from meetingbooster_async.testing import Emulator, EmulatorSettings, aserve, serve

from .helpers import ANN, PASSWORD, bearer, password_form

LIST = "/api/v1/mymeetings/list"


def test_serve_runs_a_real_server_on_an_ephemeral_port(emulator: Emulator) -> None:
    with serve(emulator) as server, httpx.Client(base_url=server.url) as client:
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert server.port > 0
        assert server.emulator is emulator
        tokens = client.post("/oauth", data=password_form()).json()
        meetings = client.get(LIST, headers=bearer(tokens["access_token"])).json()
        assert len(meetings) == 3
        assert client.get("/_emulator/stats").json()["oauth_calls"] == {"password": 1}
        # The test thread changes state the server thread reads.
        emulator.advance(1200)
        assert client.get(LIST, headers=bearer(tokens["access_token"])).status_code == 401

    with pytest.raises(httpx.ConnectError), httpx.Client() as client:
        client.get(f"{server.url}/_emulator/stats")


def test_serve_without_an_emulator_makes_one() -> None:
    with serve() as server, httpx.Client(base_url=server.url) as client:
        assert client.get("/_emulator/stats").status_code == 200
        assert server.emulator.users() == []


@pytest.mark.parametrize("http", ["h11", "httptools"])
def test_dropped_connections_over_a_real_socket(emulator: Emulator, http: str) -> None:
    with serve(emulator, http=http) as server, httpx.Client(base_url=server.url) as client:
        emulator.faults.drop("oauth", mode="close")
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            client.post("/oauth", data=password_form())

        emulator.faults.drop("oauth", mode="reset")
        with pytest.raises(httpx.ReadError):
            client.post("/oauth", data=password_form())

        emulator.faults.drop("oauth", mode="mid_body")
        with pytest.raises(httpx.RemoteProtocolError, match=r"incomplete|complete message body"):
            client.post("/oauth", data=password_form())

        assert client.post("/oauth", data=password_form()).status_code == 200
    assert emulator.stats().requests["oauth"] == {0: 3, 200: 1}
    assert emulator.stats().sessions == 1


@pytest.mark.anyio
async def test_aserve_gates_oauth_across_threads(emulator: Emulator) -> None:
    async with aserve(emulator) as server, httpx.AsyncClient(base_url=server.url) as client:
        emulator.faults.hold("oauth")
        statuses: list[int] = []

        async def log_in() -> None:
            response = await client.post("/oauth", data=password_form())
            statuses.append(response.status_code)

        async with anyio.create_task_group() as group:
            for _ in range(5):
                group.start_soon(log_in)
            # The waiter runs on this test's loop; the held requests on the server's loop.
            await emulator.faults.wait_held(5, "oauth")
            held = await client.get("/_emulator/faults/held", params={"route": "oauth"})
            assert held.json() == {"held": 5}
            assert statuses == []
            emulator.faults.release("oauth")

        assert statuses == [200] * 5
        assert emulator.stats().oauth_calls == {"password": 5}


@pytest.mark.anyio
async def test_a_stalled_request_is_abandoned_when_the_client_times_out(
    emulator: Emulator,
) -> None:
    async with aserve(emulator) as server:
        emulator.faults.stall("oauth")
        async with httpx.AsyncClient(base_url=server.url, timeout=0.2) as client:
            with pytest.raises(httpx.ReadTimeout):
                await client.post("/oauth", data=password_form())
        await emulator.faults.wait_released("oauth")
        assert emulator.stats().oauth_outcomes == {"password": {"abandoned": 1}}
        assert emulator.stats().requests["oauth"] == {0: 1}


def test_stopping_the_server_releases_held_requests(emulator: Emulator) -> None:
    results: list[int] = []
    with serve(emulator) as server:
        emulator.faults.hold("oauth")

        def log_in() -> None:
            with httpx.Client(base_url=server.url) as client:
                results.append(client.post("/oauth", data=password_form()).status_code)

        thread = threading.Thread(target=log_in)
        thread.start()
        anyio.run(emulator.faults.wait_held, 1)
    thread.join()
    assert results == [200]


@pytest.mark.parametrize(
    "settings", [EmulatorSettings(token_lifetime=5, rotate_refresh_tokens=False)]
)
def test_the_served_emulator_uses_its_settings(emulator: Emulator) -> None:
    with serve(emulator) as server, httpx.Client(base_url=server.url) as client:
        body = client.post("/oauth", data=password_form(ANN, PASSWORD)).json()
        assert body["expires_in"] == "5"


def test_serve_explains_a_missing_uvicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    with pytest.raises(RuntimeError, match=r"meetingbooster-async\[emulator\]"), serve():
        pass
