"""A shared store's lock held by another for a whole exchange: waited for, never bypassed."""

from __future__ import annotations

import time

import pytest

from meetingbooster_async import (
    MeetingBoosterAuth,
    MeetingBoosterClient,
    MemoryTokenStore,
    StoredToken,
    TokenStoreBusyError,
)
from meetingbooster_async.testing import Emulator

from .emulated import ANN, LIST, PASSWORD, URL

pytestmark = pytest.mark.anyio


def client(emulator: Emulator, store: MemoryTokenStore) -> MeetingBoosterClient:
    auth = MeetingBoosterAuth(
        token_url=f"{URL}/oauth",
        username=ANN,
        password=PASSWORD,
        token_store=store,
        token_timeout=0.5,
    )
    return MeetingBoosterClient(URL, auth=auth, transport=emulator.transport())


async def test_a_lock_busy_for_the_whole_budget_sends_nothing(emulator: Emulator) -> None:
    store = MemoryTokenStore()
    async with client(emulator, store) as c:
        key = await c.mb_auth._exchanges.key()
        # A holder that never finishes within the budget:
        async with store.lock(key):
            with pytest.raises(TokenStoreBusyError):
                await c.get(LIST)
    assert emulator.stats().oauth_calls == {}  # not "the store failed: exchange locally"


async def test_what_the_busy_holder_wrote_is_adopted(emulator: Emulator) -> None:
    store = MemoryTokenStore()
    async with client(emulator, store) as helper:
        await helper.get(LIST)  # real tokens, in the store
        key = await helper.mb_auth._exchanges.key()
        written = await store.get(key)
    assert written is not None
    await store.delete(key)
    # The holder writes its tokens and keeps the lock:
    async with client(emulator, store) as c, store.lock(key):
        assert await store.compare_and_set(key, None, written)
        assert (await c.get(LIST)).status_code == 200  # adopted when the wait ended
    assert emulator.stats().oauth_calls == {"password": 1}  # the helper's login only
    assert isinstance(written, StoredToken) and written.expires_at > time.time()
