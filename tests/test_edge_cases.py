"""Edge cases of the auth core found in review: deadlines, cancellation, stores, secrets."""

from __future__ import annotations

import pickle
from collections import Counter
from typing import Any

import anyio
import httpx
import pytest
import respx

from meetingbooster_async import (
    APITimeoutError,
    ConfigurationError,
    LoginFailedError,
    MeetingBoosterAuth,
    MeetingBoosterClient,
    MeetingBoosterError,
    MemoryTokenStore,
    NotFoundError,
    OAuthResponseError,
    ResponseValidationError,
    StoredToken,
)

from .fakes import BASE, FakeClock, FakeServer, oauth_error

pytestmark = pytest.mark.anyio


def auth_for(fake: FakeServer, **kwargs: Any) -> MeetingBoosterAuth:
    return MeetingBoosterAuth(
        token_url=f"{BASE}/oauth",
        username="ann",
        password=kwargs.pop("password", fake.password),
        **kwargs,
    )


async def test_a_leaders_own_deadline_does_not_fail_the_callers_behind_it(
    fake: FakeServer,
) -> None:
    fake.hold = anyio.Event()
    outcomes: Counter[object] = Counter()
    async with MeetingBoosterClient(BASE, auth=auth_for(fake)) as client:

        async def leader() -> None:
            with pytest.raises(APITimeoutError):
                await client.get("/api/v1/x", extensions={"meetingbooster_deadline": 0.05})
            outcomes["leader timed out"] += 1
            fake.hold.set()  # the server answers the next caller's attempt

        async def follower() -> None:
            outcomes[(await client.get("/api/v1/x")).status_code] += 1

        async with anyio.create_task_group() as tg:
            tg.start_soon(leader)
            await anyio.wait_all_tasks_blocked()
            for _ in range(20):
                tg.start_soon(follower)
    assert outcomes == {"leader timed out": 1, 200: 20}
    # The exchange outlives its leader's deadline: the followers share that one login.
    assert fake.grants["password"] == 1


async def test_a_cancelled_leader_still_finishes_a_two_step_exchange(
    fake: FakeServer, clock: FakeClock
) -> None:
    outcomes: Counter[object] = Counter()
    async with MeetingBoosterClient(BASE, auth=auth_for(fake, clock=clock)) as client:
        await client.get("/api/v1/x")
        fake.kill_access()
        fake.valid_refresh.clear()  # refresh → invalid_grant → password login
        fake.hold = anyio.Event()
        scope = anyio.CancelScope()

        async def leader() -> None:
            with scope:
                await client.get("/api/v1/x")

        async def follower() -> None:
            outcomes[(await client.get("/api/v1/x")).status_code] += 1

        async with anyio.create_task_group() as tg:
            tg.start_soon(leader)
            await anyio.wait_all_tasks_blocked()
            for _ in range(20):
                tg.start_soon(follower)
            await anyio.wait_all_tasks_blocked()
            scope.cancel()
            await anyio.wait_all_tasks_blocked()
            fake.hold.set()
    assert outcomes == {200: 20}
    assert fake.grants == {"password": 2, "refresh_token": 1}


class NetworkedStore(MemoryTokenStore):
    """A store whose writes yield to the loop, as a networked one (Redis) does."""

    async def compare_and_set(self, key: str, expected: Any, new: StoredToken) -> bool:
        await anyio.lowlevel.checkpoint()
        return await super().compare_and_set(key, expected, new)


async def test_a_cancelled_leader_still_writes_the_rotated_token_to_the_store(
    fake: FakeServer, clock: FakeClock
) -> None:
    store = NetworkedStore()
    a = MeetingBoosterClient(BASE, auth=auth_for(fake, clock=clock, token_store=store))
    b = MeetingBoosterClient(BASE, auth=auth_for(fake, clock=clock, token_store=store))
    async with a, b:
        await a.get("/api/v1/x")
        await b.get("/api/v1/x")
        fake.kill_access()
        fake.hold = anyio.Event()
        scope = anyio.CancelScope()

        async def leader() -> None:
            with scope:
                await a.get("/api/v1/x")

        async with anyio.create_task_group() as tg:
            tg.start_soon(leader)
            await anyio.wait_all_tasks_blocked()
            scope.cancel()
            await anyio.wait_all_tasks_blocked()
            fake.hold.set()
        fake.hold = None
        assert (await b.get("/api/v1/x")).status_code == 200
    # b adopted the rotated token: no second use of ref-1, no extra login
    assert fake.grants == {"password": 1, "refresh_token": 1}


async def test_a_wrong_password_never_adopts_stored_tokens(fake: FakeServer) -> None:
    store = MemoryTokenStore()
    good = MeetingBoosterClient(BASE, auth=auth_for(fake, token_store=store))
    bad = MeetingBoosterClient(BASE, auth=auth_for(fake, token_store=store, password="guess"))
    async with good, bad:
        assert (await good.get("/api/v1/x")).status_code == 200
        with pytest.raises(LoginFailedError):
            await bad.get("/api/v1/x")
        with pytest.raises(LoginFailedError):
            await good.as_user("ANN", "guess").get("/api/v1/x")


async def test_the_token_goes_to_the_api_origin_too() -> None:
    with respx.mock(assert_all_called=False) as router:
        router.post("https://login.mb.test/oauth").respond(
            200, json={"access_token": "a", "refresh_token": "r", "expires_in": "60"}
        )
        api = router.get("https://api.mb.test/api/v1/x").respond(200)
        async with MeetingBoosterClient(
            "https://api.mb.test",
            username="u",
            password="p",
            token_url="https://login.mb.test/oauth",
        ) as client:
            await client.get("/api/v1/x")
    assert api.calls.last.request.headers["Authorization"] == "Bearer a"


async def test_errors_keep_no_grant_body(fake: FakeServer) -> None:
    fake.script["password"] = [oauth_error("unauthorized_client", state="FAILEDLOGIN")]
    async with MeetingBoosterClient(BASE, auth=auth_for(fake)) as client:
        with pytest.raises(LoginFailedError) as info:
            await client.get("/api/v1/x")
    assert info.value.response is not None
    assert info.value.response.request.content == b""  # no password riding on the error


async def test_token_connection_errors_keep_no_grant_body(fake: FakeServer) -> None:
    def refuse() -> httpx.Response:
        raise httpx.ConnectError("refused")

    fake.script["password"] = [refuse] * 3
    async with MeetingBoosterClient(BASE, auth=auth_for(fake)) as client:
        with pytest.raises(MeetingBoosterError) as info:
            await client.get("/api/v1/x")
    cause = info.value.__cause__
    assert isinstance(cause, httpx.ConnectError)
    assert cause.request.content == b""
    assert "refused" in str(info.value)


def test_user_info_in_urls_stays_out_of_messages() -> None:
    with pytest.raises(ConfigurationError) as info:
        MeetingBoosterClient("http://svc:Hunter2@mb.example.com", username="a", password="b")
    assert "Hunter2" not in str(info.value)
    client = MeetingBoosterClient("https://svc:Hunter2@mb.example.com", username="a", password="b")
    assert "Hunter2" not in repr(client) and "Hunter2" not in repr(client.mb_auth)


def test_one_auth_serves_one_world(fake: FakeServer) -> None:
    auth = auth_for(fake)
    auth._enter("async")
    with httpx.Client(base_url=BASE, auth=auth) as client, pytest.raises(ConfigurationError):
        client.get("/api/v1/x")


def test_max_in_flight_must_be_positive() -> None:
    with pytest.raises(ConfigurationError):
        MeetingBoosterClient(BASE, username="a", password="b", max_in_flight=0)


def test_errors_survive_pickling() -> None:
    errors: list[MeetingBoosterError] = [
        LoginFailedError(error="unauthorized_client", retry_in_seconds=5),
        NotFoundError("HTTP 404", response=httpx.Response(404)),
        APITimeoutError("slow"),
        ResponseValidationError("bad", path="$.x"),
        OAuthResponseError("html"),
    ]
    for error in errors:
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error)


async def test_a_retry_after_longer_than_the_deadline_answers_at_once(fake: FakeServer) -> None:
    hits = [0]

    async def busy(request: httpx.Request) -> httpx.Response:
        hits[0] += 1
        return httpx.Response(503, headers={"Retry-After": "30"})

    fake.overrides["/api/v1/busy"] = busy
    async with MeetingBoosterClient(BASE, auth=auth_for(fake), deadline=5) as client:
        with anyio.fail_after(2):
            response = await client.get("/api/v1/busy")
    assert response.status_code == 503 and hits == [1]


async def test_deeply_nested_json_is_a_typed_error(fake: FakeServer) -> None:
    fake.script["password"] = [httpx.Response(200, content=b"[" * 100_000)]
    async with MeetingBoosterClient(BASE, auth=auth_for(fake)) as client:
        with pytest.raises(OAuthResponseError):
            await client.get("/api/v1/x")
