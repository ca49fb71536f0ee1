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
from meetingbooster_async.testing import Emulator

from .emulated import ANN, BOB, LIST, PASSWORD, TASKS_COMMIT, URL, host_of, make_client

pytestmark = pytest.mark.anyio

CY = "cy@example.com"


async def test_each_user_has_their_own_tokens(emulator: Emulator) -> None:
    emulator.add_user(CY, "cy-pw", meetings=1)
    async with make_client(emulator) as client:
        bob, cy = client.as_user(BOB, PASSWORD), client.as_user(CY, "cy-pw")
        assert isinstance(bob, UserSession)
        assert host_of(await client.get(LIST)) == ANN
        assert host_of(await bob.get(LIST)) == BOB
        assert (await cy.post(TASKS_COMMIT, json={})).status_code == 200
        assert host_of(await cy.get(LIST)) == CY
        # Views are light: asking again reuses the same tokens.
        assert host_of(await client.as_user("BOB@example.com", PASSWORD).get(LIST)) == BOB
        assert len(client.cookies.jar) == 0
    assert emulator.stats().oauth_calls == {"password": 3, "signout": 3}
    assert emulator.stats().sessions == 0


async def test_a_user_401_refreshes_only_that_user(emulator: Emulator) -> None:
    async with make_client(emulator) as client:
        bob = client.as_user(BOB, PASSWORD)
        await client.get(LIST)
        await bob.get(LIST)
        emulator.expire_access_tokens(user=BOB)
        assert (await bob.get(LIST)).status_code == 200
        assert (await client.get(LIST)).status_code == 200
    stats = emulator.stats()
    assert stats.oauth_calls["refresh_token"] == 1
    assert stats.data_statuses == {200: 4, 401: 1}


async def test_changed_password_starts_afresh(emulator: Emulator) -> None:
    emulator.update_user(BOB, password="new-pw")
    async with make_client(emulator) as client:
        old = client.as_user(BOB, "old-pw")
        new = client.as_user(BOB, "new-pw")
        assert old.auth is not new.auth
        assert (await new.get(LIST)).status_code == 200


async def test_as_user_refuses_to_mix_cookies() -> None:
    client = MeetingBoosterClient(URL, username="a", password="b", keep_cookies=True)
    with pytest.raises(ConfigurationError):
        client.as_user("bob", "pw")


async def test_thousand_users_concurrently_through_one_client(emulator: Emulator) -> None:
    n = 1000
    for i in range(n):
        emulator.add_user(f"user{i}@example.com", f"pw{i}", meetings=1)
    seen: Counter[str] = Counter()
    async with make_client(emulator) as client:
        sessions = [client.as_user(f"user{i}@example.com", f"pw{i}") for i in range(n)]

        async def sync(session: UserSession) -> None:
            for _ in range(2):
                response = await session.get(LIST)
                assert host_of(response) == session.username  # never another's token
                seen[session.username] += 1

        async with anyio.create_task_group() as tg:
            for session in sessions:
                tg.start_soon(sync, session)
        assert emulator.stats().oauth_calls == {"password": n}
        assert len(client.cookies.jar) == 0
    assert seen == {f"user{i}@example.com": 2 for i in range(n)}
    assert emulator.stats().oauth_calls["signout"] == n  # every user signed out on close


async def test_clients_sharing_a_store_log_in_once(emulator: Emulator) -> None:
    store = MemoryTokenStore()
    a = make_client(emulator, token_store=store)
    b = make_client(emulator, token_store=store)
    async with a, b:
        await a.get(LIST)
        await b.get(LIST)
        assert emulator.stats().oauth_calls == {"password": 1}
        emulator.expire_access_tokens()  # both discover it through a 401
        await a.get(LIST)
        await b.get(LIST)
        assert emulator.stats().oauth_calls == {"password": 1, "refresh_token": 1}
    # a shared store means closing one worker must not sign out the others
    assert "signout" not in emulator.stats().oauth_calls


async def test_shared_store_single_flight_across_clients(emulator: Emulator) -> None:
    store = MemoryTokenStore()
    clients = [make_client(emulator, token_store=store) for _ in range(4)]
    for client in clients:
        await client.get(LIST)
    for expiry in range(3):
        emulator.expire_access_tokens()
        emulator.faults.hold("oauth")
        async with anyio.create_task_group() as tg:
            for client in clients:
                for _ in range(50):
                    tg.start_soon(client.get, LIST)
            with anyio.fail_after(30):  # a hang guard, not a speed limit
                await emulator.faults.wait_held(1, "oauth")
            await anyio.wait_all_tasks_blocked()
            assert emulator.faults.held("oauth") == 1  # one refresh for the four clients
            emulator.faults.release("oauth")
        assert emulator.stats().oauth_calls == {"password": 1, "refresh_token": expiry + 1}
    for client in clients:
        await client.aclose()
    assert emulator.stats().data_statuses[200] == 4 + 3 * 200


async def test_explicit_signout_with_a_store_signs_out_every_sharer(emulator: Emulator) -> None:
    store = MemoryTokenStore()
    a = make_client(emulator, token_store=store)
    b = make_client(emulator, token_store=store)
    async with a, b:
        await a.get(LIST)
        await b.get(LIST)
        await a.signout()
        assert await store.get(await a.mb_auth._exchanges.key()) is None
        assert emulator.stats().sessions == 0
        assert (await b.get(LIST)).status_code == 200  # b logs in again
    stats = emulator.stats()
    assert stats.oauth_calls == {"password": 2, "signout": 1, "refresh_token": 1}
    assert stats.oauth_outcomes["refresh_token"] == {"invalid_grant": 1}


async def test_an_idle_signed_in_user_holds_no_lock_and_no_task_set(emulator: Emulator) -> None:
    """What a fleet keeps per user once it is signed in: tokens, not machinery."""
    import threading

    async with make_client(emulator) as client:
        bob = client.as_user(BOB, PASSWORD)
        await bob.login()
        await anyio.lowlevel.checkpoint()  # the exchange's task has ended
        auth = bob.auth
        assert auth.signed_in
        assert auth._alock is None and auth._tlock is None  # made on first signout / thread use
        assert isinstance(auth._exchanges.tasks, frozenset)  # the shared empty set
        assert client.as_user(BOB, PASSWORD)._context is bob._context  # one callable for all
        made: list[threading.Lock] = []
        threads = [
            threading.Thread(target=lambda: made.append(auth._thread_lock())) for _ in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len({id(lock) for lock in made}) == 1  # threads racing make one lock
        await bob.signout()
        assert auth._alock is not None and not auth.signed_in
