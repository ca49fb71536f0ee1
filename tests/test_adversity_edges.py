"""The core under adversity, part two: a failing token store, and httpx semantics at the edges.

The store tests run against the emulator in process (its ASGI transport), on asyncio and trio;
the httpx-semantics tests use ``httpx.MockTransport`` apps, as httpx's own tests do, so a
second origin needs no DNS.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import anyio
import httpx
import pytest

from meetingbooster_async import (
    APIConnectionError,
    MeetingBoosterAuth,
    MeetingBoosterClient,
    MemoryTokenStore,
    OAuthResponseError,
    StoredToken,
    TokenStoreError,
)
from meetingbooster_async.testing import Emulator

from .emulated import make_auth
from .fakes import FakeClock

pytestmark = pytest.mark.anyio

USER, PASSWORD = "ann@example.com", "correct horse"
BASE = "http://127.0.0.1"
LIST = "/api/v1/mymeetings/list"


class BrokenStore(MemoryTokenStore):
    """A store that works until told to fail, or to hang, on every call."""

    def __init__(self) -> None:
        super().__init__()
        self.mode = "ok"
        self.calls = 0

    async def _enter(self) -> None:
        self.calls += 1
        if self.mode == "fail":
            raise TokenStoreError("redis is down")
        if self.mode == "hang":
            await anyio.sleep_forever()

    async def get(self, key: str) -> StoredToken | None:
        await self._enter()
        return await super().get(key)

    async def compare_and_set(
        self, key: str, expected: StoredToken | None, new: StoredToken
    ) -> bool:
        await self._enter()
        return await super().compare_and_set(key, expected, new)

    def lock(self, key: str) -> AbstractAsyncContextManager[None]:
        @asynccontextmanager
        async def locked() -> AsyncIterator[None]:
            await self._enter()
            async with super(BrokenStore, self).lock(key):
                yield

        return locked()


def client_on(
    emulator: Emulator, store: MemoryTokenStore, clock: FakeClock, **kwargs: object
) -> MeetingBoosterClient:
    auth = MeetingBoosterAuth(
        token_url=f"{BASE}/oauth",
        username=USER,
        password=PASSWORD,
        token_store=store,
        clock=clock,
        transport=emulator.transport(),
        **kwargs,  # type: ignore[arg-type]
    )
    return MeetingBoosterClient(BASE, auth=auth, transport=emulator.transport())


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(users={USER: PASSWORD}, meetings_per_user=1)


async def test_a_valid_token_needs_no_store_so_a_store_outage_fails_nothing(
    emulator: Emulator,
) -> None:
    store, clock = BrokenStore(), FakeClock()
    async with client_on(emulator, store, clock) as client:
        await client.login()
        store.mode, store.calls = "fail", 0
        for _ in range(20):
            assert (await client.get(LIST)).status_code == 200
        assert store.calls == 0
        # Inside the refresh margin too: the refresh runs aside, the valid token goes out.
        clock.advance(1200 - 30)
        assert (await client.get(LIST)).status_code == 200
        await client.mb_auth.settle()
        assert (await client.get(LIST)).status_code == 200


async def test_a_failing_store_falls_back_to_a_local_exchange(emulator: Emulator) -> None:
    store, clock = BrokenStore(), FakeClock()
    store.mode = "fail"
    async with client_on(emulator, store, clock) as client:
        statuses: list[int] = []

        async def one() -> None:
            statuses.append((await client.get(LIST)).status_code)

        async with anyio.create_task_group() as tg:
            for _ in range(50):
                tg.start_soon(one)
        assert statuses == [200] * 50
    assert store.calls >= 1  # the store was asked, failed, and the exchange ran locally
    assert emulator.stats().oauth_calls["password"] == 1  # still single flight


async def test_a_hung_store_is_bounded_by_the_exchange_budget(emulator: Emulator) -> None:
    store, clock = BrokenStore(), FakeClock()
    store.mode = "hang"
    async with client_on(emulator, store, clock, token_timeout=0.4) as client:
        with anyio.fail_after(10):
            # Half the budget waits for the store, then the exchange runs locally.
            assert (await client.get(LIST)).status_code == 200
    assert store.calls >= 1  # the store was asked and hung: the budget cut it short
    assert emulator.stats().oauth_calls["password"] == 1


async def test_an_access_token_no_header_can_carry_is_refused_at_login(
    emulator: Emulator,
) -> None:
    emulator.faults.force("oauth", patch={"access_token": "sekrit\nX-Injected: 1"})
    async with MeetingBoosterClient(
        BASE, username=USER, password=PASSWORD, transport=emulator.transport()
    ) as client:
        with pytest.raises(OAuthResponseError) as info:
            await client.get(LIST)
    assert "sekrit" not in str(info.value) and "Injected" not in str(info.value)
    assert info.value.response is not None
    assert b"Injected" not in info.value.response.content


async def test_the_auth_repr_shows_no_query_of_the_token_url() -> None:
    auth = MeetingBoosterAuth(
        token_url="https://mb.example/oauth?api_key=secret-key", username=USER, password="pw"
    )
    assert "secret-key" not in repr(auth) and "mb.example/oauth" in repr(auth)


# -- httpx semantics at the edges (MockTransport apps) -------------------------------------


def app(seen: list[httpx.Request]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/oauth":
            return httpx.Response(200, json={"access_token": "t1", "expires_in": "1200"})
        if request.url.host == "other.example" and request.url.path == "/digest":
            return httpx.Response(401, headers={"WWW-Authenticate": 'Digest realm="x"'})
        if request.url.host == "other.example":
            return httpx.Response(401)
        if request.url.path == "/away":
            return httpx.Response(302, headers={"Location": "https://other.example/x"})
        return httpx.Response(200)

    return httpx.MockTransport(handle)


async def test_another_origin_gets_basic_auth_from_its_url_as_on_plain_httpx() -> None:
    seen: list[httpx.Request] = []
    async with MeetingBoosterClient(
        "https://mb.example", username=USER, password=PASSWORD, transport=app(seen)
    ) as client:
        await client.get("https://bob:secret@other.example/files")
    foreign = [r for r in seen if r.url.host == "other.example"]
    assert foreign[0].headers["Authorization"] == httpx.BasicAuth("bob", "secret")._auth_header
    assert not any(r.url.path == "/oauth" for r in seen)  # no login for a foreign request


async def test_a_401_from_a_redirect_target_triggers_no_refresh() -> None:
    seen: list[httpx.Request] = []
    async with MeetingBoosterClient(
        "https://mb.example", username=USER, password=PASSWORD, transport=app(seen)
    ) as client:
        response = await client.get("/away", follow_redirects=True)
    assert response.status_code == 401 and response.url.host == "other.example"
    assert [r.url.path for r in seen].count("/oauth") == 1  # the login, no refresh
    assert "Authorization" not in seen[-1].headers  # httpx strips it across origins


async def test_a_malformed_digest_challenge_goes_out_once() -> None:
    seen: list[httpx.Request] = []
    async with MeetingBoosterClient(
        "https://mb.example", username=USER, password=PASSWORD, transport=app(seen)
    ) as client:
        with pytest.raises(httpx.ProtocolError):
            await client.get("https://other.example/digest", auth=httpx.DigestAuth("bob", "secret"))
    assert [r.url.path for r in seen] == ["/digest"]


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # detached tasks are asyncio's
async def test_an_exchange_cancelled_before_its_first_step_is_not_left_pending(
    anyio_backend: str, emulator: Emulator
) -> None:
    # asyncio never runs the body (nor the finally) of a task cancelled before it started:
    # the exchange must still end, or its callers would wait on it for ever.
    from meetingbooster_async._exchange import SendContext

    auth = make_auth()
    context = SendContext(transport=emulator.transport(), timeout=httpx.Timeout(5.0))
    ex, spawned = auth._exchanges.start(None, context)
    assert spawned
    await auth._exchanges.cancel()  # before the task took its first step
    assert ex.done.is_set() and auth._exchanges.inflight is None
    assert isinstance(ex.error, APIConnectionError)
    assert emulator.stats().oauth_calls == {}
    await auth.aclose()
