"""Many users through one client and pool; tokens shared through a store (asyncio and trio)."""

from __future__ import annotations

from collections import Counter

import anyio
import pytest

from meetingbooster_async import (
    ConfigurationError,
    MeetingBoosterClient,
    MemoryTokenStore,
    UserSession,
)

from .fakes import BASE, FakeServer

pytestmark = pytest.mark.anyio


async def test_each_user_has_their_own_tokens(fake: FakeServer) -> None:
    fake.users = {"bob@x": "bob-pw", "cy@x": "cy-pw"}
    async with MeetingBoosterClient(BASE, username="ann@x", password=fake.password) as client:
        bob, cy = client.as_user("bob@x", "bob-pw"), client.as_user("cy@x", "cy-pw")
        assert isinstance(bob, UserSession)
        assert (await client.get("/api/v1/x")).json()["user"] == "ann@x"
        assert (await bob.get("/api/v1/x")).json()["user"] == "bob@x"
        assert (await cy.post("/api/v1/x", json={})).json()["user"] == "cy@x"
        # Views are light: asking again reuses the same tokens.
        assert (await client.as_user("BOB@x", "bob-pw").get("/api/v1/x")).json()["user"] == "bob@x"
        assert len(client.cookies.jar) == 0
    assert fake.grants == {"password": 3, "signout": 3}


async def test_a_user_401_refreshes_only_that_user(fake: FakeServer) -> None:
    fake.users = {"bob@x": "bob-pw"}
    async with MeetingBoosterClient(BASE, username="ann@x", password=fake.password) as client:
        bob = client.as_user("bob@x", "bob-pw")
        await client.get("/api/v1/x")
        await bob.get("/api/v1/x")
        bob_token = bob.auth._tokens.usable()
        assert bob_token is not None
        fake.valid_access.discard(bob_token.value)
        assert (await bob.get("/api/v1/x")).status_code == 200
        assert (await client.get("/api/v1/x")).status_code == 200
    assert fake.grants["refresh_token"] == 1


async def test_changed_password_starts_afresh(fake: FakeServer) -> None:
    fake.users = {"bob@x": "new-pw"}
    async with MeetingBoosterClient(BASE, username="ann@x", password=fake.password) as client:
        old = client.as_user("bob@x", "old-pw")
        new = client.as_user("bob@x", "new-pw")
        assert old.auth is not new.auth
        assert (await new.get("/api/v1/x")).status_code == 200


async def test_as_user_refuses_to_mix_cookies() -> None:
    client = MeetingBoosterClient(BASE, username="a", password="b", keep_cookies=True)
    with pytest.raises(ConfigurationError):
        client.as_user("bob", "pw")


async def test_thousand_users_concurrently_through_one_client(fake: FakeServer) -> None:
    n = 1000
    fake.users = {f"user{i}@x": f"pw{i}" for i in range(n)}
    seen: Counter[str] = Counter()
    async with MeetingBoosterClient(BASE, username="ann@x", password=fake.password) as client:
        sessions = [client.as_user(f"user{i}@x", f"pw{i}") for i in range(n)]

        async def sync(session: UserSession) -> None:
            for _ in range(2):
                response = await session.get("/api/v1/mymeetings/sync")
                assert response.json()["user"] == session.username  # never another's token
                seen[session.username] += 1

        async with anyio.create_task_group() as tg:
            for session in sessions:
                tg.start_soon(sync, session)
        assert fake.grants == {"password": n}
        assert len(client.cookies.jar) == 0
    assert seen == {f"user{i}@x": 2 for i in range(n)}
    assert fake.grants["signout"] == n  # every user signed out on close


async def test_clients_sharing_a_store_log_in_once(fake: FakeServer) -> None:
    store = MemoryTokenStore()
    a = MeetingBoosterClient(BASE, username="ann", password=fake.password, token_store=store)
    b = MeetingBoosterClient(BASE, username="ann", password=fake.password, token_store=store)
    async with a, b:
        await a.get("/api/v1/x")
        await b.get("/api/v1/x")
        assert fake.grants == {"password": 1}
        fake.kill_access()  # both discover it through a 401
        await a.get("/api/v1/x")
        await b.get("/api/v1/x")
        assert fake.grants == {"password": 1, "refresh_token": 1}
    # a shared store means closing one worker must not sign out the others
    assert "signout" not in fake.grants


async def test_shared_store_single_flight_across_clients(fake: FakeServer) -> None:
    store = MemoryTokenStore()
    clients = [
        MeetingBoosterClient(BASE, username="ann", password=fake.password, token_store=store)
        for _ in range(4)
    ]
    for client in clients:
        await client.get("/api/v1/x")
    for expiry in range(3):
        fake.kill_access()
        fake.hold = anyio.Event()
        async with anyio.create_task_group() as tg:
            for client in clients:
                for _ in range(50):
                    tg.start_soon(client.get, "/api/v1/x")
            await anyio.wait_all_tasks_blocked()
            fake.hold.set()
        assert fake.grants == {"password": 1, "refresh_token": expiry + 1}
    for client in clients:
        await client.aclose()
    assert fake.api_statuses[200] == 4 + 3 * 200


async def test_explicit_signout_with_a_store_signs_out_every_sharer(fake: FakeServer) -> None:
    store = MemoryTokenStore()
    a = MeetingBoosterClient(BASE, username="ann", password=fake.password, token_store=store)
    b = MeetingBoosterClient(BASE, username="ann", password=fake.password, token_store=store)
    async with a, b:
        await a.get("/api/v1/x")
        await b.get("/api/v1/x")
        await a.signout()
        assert await store.get(await a.mb_auth._exchanges.key()) is None
        fake.kill_access()
        assert (await b.get("/api/v1/x")).status_code == 200  # b logs in again
    assert fake.grants == {"password": 2, "signout": 1, "refresh_token": 1}


async def test_thousand_users_against_the_emulator_see_only_their_own_data() -> None:
    from meetingbooster_async.testing import Emulator

    n = 1000
    accounts = {f"user{i}@example.com": f"pw-{i}" for i in range(n)}
    emulator = Emulator(users=accounts, meetings_per_user=1)
    hosts: dict[str, set[str]] = {}
    async with MeetingBoosterClient(
        "https://mb.test",
        username="user0@example.com",
        password="pw-0",
        transport=emulator.transport(),
    ) as client:

        async def sync(email: str, password: str) -> None:
            response = await client.as_user(email, password).get("/api/v1/mymeetings/list")
            hosts[email] = {meeting["Host"]["Email"] for meeting in response.json()}

        async with anyio.create_task_group() as tg:
            for email, password in accounts.items():
                tg.start_soon(sync, email, password)
        assert len(client.cookies.jar) == 0
        logins = emulator.stats().oauth_calls["password"]
    assert hosts == {email: {email} for email in accounts}
    assert logins == n
