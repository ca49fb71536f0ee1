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
