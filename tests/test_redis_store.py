"""RedisTokenStore against a real redis-server (redis-py's client is asyncio only)."""

from __future__ import annotations

import sys
import time
from collections.abc import AsyncIterator, Iterator

import anyio
import pytest
import redis.asyncio

from meetingbooster_async import (
    RedisTokenStore,
    StoredToken,
    TokenStore,
    TokenStoreError,
)
from meetingbooster_async._store import token_key
from meetingbooster_async.testing import Emulator

from .emulated import ANN, LIST, PASSWORD, URL, make_client
from .redis_server import redis_server

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture
async def store(redis_url: str) -> AsyncIterator[RedisTokenStore]:
    client = redis.asyncio.from_url(redis_url)
    await client.flushdb()
    await client.aclose()
    store = RedisTokenStore.from_url(redis_url, lock_ttl=1.0)
    yield store
    await store.aclose()


def stored(access: str = "a", refresh: str | None = "r", ttl: float = 60) -> StoredToken:
    now = time.time()
    return StoredToken(
        access_token=access, refresh_token=refresh, refresh_at=now + ttl / 2, expires_at=now + ttl
    )


async def test_it_is_a_token_store(store: RedisTokenStore) -> None:
    assert isinstance(store, TokenStore)


async def test_compare_and_set(store: RedisTokenStore) -> None:
    first, second = stored("a1"), stored("a2")
    assert await store.get("k") is None
    assert await store.compare_and_set("k", None, first)
    assert not await store.compare_and_set("k", None, second)  # someone was first
    assert await store.get("k") == first
    assert not await store.compare_and_set("k", second, second)
    assert await store.compare_and_set("k", first, second)
    await store.delete("k")
    assert await store.get("k") is None


async def test_stored_tokens_expire_with_the_access_token(
    store: RedisTokenStore, redis_url: str
) -> None:
    await store.compare_and_set("k", None, stored(ttl=30))
    client = redis.asyncio.from_url(redis_url)
    ttl_ms = await client.pttl("k")
    await client.aclose()
    assert 25_000 < ttl_ms <= 30_000


async def test_the_password_never_goes_into_redis(
    store: RedisTokenStore, emulator: Emulator, redis_url: str
) -> None:
    async with make_client(emulator, token_store=store) as client:
        await client.get(LIST)
    raw = redis.asyncio.from_url(redis_url)
    keys = await raw.keys("*")
    values = [await raw.get(key) for key in keys]
    await raw.aclose()
    assert keys == [token_key(f"{URL}/", ANN, PASSWORD).encode()]
    assert ANN.encode() not in keys[0]
    assert all(PASSWORD.encode() not in value for value in values)


async def test_garbage_in_redis_is_a_typed_error(store: RedisTokenStore, redis_url: str) -> None:
    raw = redis.asyncio.from_url(redis_url)
    await raw.set("k", b"{not json")
    await raw.aclose()
    with pytest.raises(TokenStoreError):
        await store.get("k")


async def test_redis_down_is_a_typed_error() -> None:
    from .redis_server import free_port

    dead = RedisTokenStore.from_url(f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(TokenStoreError):
        await dead.get("k")
    await dead.aclose()


async def test_lock_is_exclusive(store: RedisTokenStore) -> None:
    inside = 0
    peak = 0

    async def hold() -> None:
        nonlocal inside, peak
        async with store.lock("k"):
            inside += 1
            peak = max(peak, inside)
            await anyio.sleep(0.01)
            inside -= 1

    async with anyio.create_task_group() as tg:
        for _ in range(10):
            tg.start_soon(hold)
    assert peak == 1


async def test_a_killed_holder_frees_the_lock_after_its_ttl(
    store: RedisTokenStore, redis_url: str
) -> None:
    async with await anyio.open_process([sys.executable, "-c", HOLDER, redis_url]) as holder:
        assert holder.stdout is not None
        with anyio.fail_after(20):
            assert (await holder.stdout.receive()).startswith(b"locked")
        holder.kill()  # SIGKILL: no finally, no unlock
        await holder.wait()
    started = anyio.current_time()
    with anyio.fail_after(10):
        async with store.lock("k"):
            waited = anyio.current_time() - started
    assert waited <= 1.5  # lock_ttl is 1 s


HOLDER = """
import asyncio, sys, time
from meetingbooster_async import RedisTokenStore
async def main():
    store = RedisTokenStore.from_url(sys.argv[1], lock_ttl=1.0)
    async with store.lock("k"):
        print("locked", flush=True)
        time.sleep(60)
asyncio.run(main())
"""


async def test_clients_sharing_redis_refresh_once_per_expiry(
    store: RedisTokenStore, emulator: Emulator
) -> None:
    clients = [make_client(emulator, token_store=store) for _ in range(4)]
    for client in clients:
        await client.get(LIST)
    assert emulator.stats().oauth_calls == {"password": 1}
    for expiry in range(3):
        emulator.expire_access_tokens()
        async with anyio.create_task_group() as tg:
            for client in clients:
                for _ in range(100):
                    tg.start_soon(client.get, LIST)
        assert emulator.stats().oauth_calls == {"password": 1, "refresh_token": expiry + 1}
    for client in clients:
        await client.aclose()
    assert emulator.stats().data_statuses[200] == 4 + 3 * 400
    assert "signout" not in emulator.stats().oauth_calls


class _HungUnlockRedis:
    """A Redis client that grants the lock, then answers the unlock only after a minute."""

    async def set(self, *args: object, **kwargs: object) -> bool:
        return True

    async def eval(self, *args: object) -> object:
        await anyio.sleep(60)  # not for ever: unbounded, the test fails late instead of hanging
        return 1


async def test_an_unlock_that_hangs_is_bounded() -> None:
    from meetingbooster_async import _redis_store

    store = RedisTokenStore(_HungUnlockRedis())  # type: ignore[arg-type]
    with anyio.fail_after(10 * _redis_store.UNLOCK_TIMEOUT):  # a hang guard, not a speed limit
        async with store.lock("k"):
            pass  # the exchange's work; the unlock then hangs and is cut after UNLOCK_TIMEOUT


async def test_a_live_holder_keeps_its_lock_past_the_ttl_and_a_waiter_is_told_busy(
    store: RedisTokenStore, redis_url: str
) -> None:
    from meetingbooster_async import TokenStoreBusyError

    other = RedisTokenStore.from_url(redis_url, lock_ttl=0.3, lock_timeout=0.6)
    try:
        async with store.lock("k"):  # lock_ttl 1 s, renewed every third of it while held
            with pytest.raises(TokenStoreBusyError):  # busy, not failed: no local fallback
                async with other.lock("k"):
                    pass
            await anyio.sleep(1.5)  # the holder outlives its TTL, alive: still its lock
            with pytest.raises(TokenStoreBusyError):
                async with other.lock("k"):
                    pass
        async with other.lock("k"):  # given back: the waiter gets it at once
            pass
    finally:
        await other.aclose()


async def test_a_slow_live_holder_is_waited_for_and_its_tokens_adopted(
    store: RedisTokenStore, emulator: Emulator
) -> None:
    """The holder's /oauth takes 70% of the waiter's budget: the waiter neither gives up at
    half of it nor sends anything itself; it adopts what the holder wrote."""
    from meetingbooster_async import MeetingBoosterAuth

    def auth() -> MeetingBoosterAuth:
        return MeetingBoosterAuth(
            token_url=f"{URL}/oauth",
            username=ANN,
            password=PASSWORD,
            token_store=store,
            token_timeout=2.0,
        )

    first, second = make_client(emulator, auth=auth()), make_client(emulator, auth=auth())
    async with first, second:
        await first.get(LIST)
        await second.get(LIST)  # adopts the first's tokens: one login in all
        emulator.expire_access_tokens()
        emulator.faults.set_latency("oauth", 1.4)
        async with anyio.create_task_group() as tg:
            for client in (first, second):
                for _ in range(20):
                    tg.start_soon(client.get, LIST)
    assert emulator.stats().oauth_calls == {"password": 1, "refresh_token": 1}


async def test_a_refresh_token_marked_in_use_is_never_sent_again(
    store: RedisTokenStore, emulator: Emulator
) -> None:
    """What a takeover finds after a holder was killed mid-refresh: it logs in instead."""
    async with make_client(emulator, token_store=store) as client:
        await client.get(LIST)
        key = await client.mb_auth._exchanges.key()
        found = await store.get(key)
        assert found is not None and not found.refresh_in_use
        # A holder marked it and was killed before it wrote anything back:
        marked = StoredToken(
            access_token="dead",
            refresh_token=found.refresh_token,
            refresh_at=time.time() - 1,
            expires_at=time.time() + 60,
            refresh_in_use=True,
        )
        assert await store.compare_and_set(key, found, marked)
    async with make_client(emulator, token_store=store) as fresh:  # a new process, say
        emulator.expire_access_tokens()
        assert (await fresh.get(LIST)).status_code == 200
    assert emulator.stats().oauth_calls == {"password": 2}  # never the marked refresh token


async def test_a_holder_marks_the_refresh_token_before_sending_it(
    store: RedisTokenStore, emulator: Emulator
) -> None:
    async with make_client(emulator, token_store=store) as client:
        await client.get(LIST)
        key = await client.mb_auth._exchanges.key()
        seen: list[StoredToken | None] = []
        emulator.faults.hold("oauth")
        emulator.expire_access_tokens()
        async with anyio.create_task_group() as tg:
            tg.start_soon(client.get, LIST)
            await emulator.faults.wait_held(1, "oauth")  # the refresh is on the wire
            seen.append(await store.get(key))
            emulator.faults.release("oauth")
        after = await store.get(key)
    [during] = seen
    assert during is not None and during.refresh_in_use  # marked before it went out
    assert after is not None and not after.refresh_in_use  # the new tokens, written back
    assert emulator.stats().oauth_calls == {"password": 1, "refresh_token": 1}
