"""The default transport's faster idle-connection check (see _transport.py).

Besides the speed-up itself, these pin its two portability promises: where the platform has no
``select.poll`` (Windows) the check falls back to ``select.select``, and where httpx/httpcore no
longer have the private the speed-up needs, the client keeps httpcore's own check. Both paths
run real requests over a real socket.
"""

from __future__ import annotations

import select
import socket
from typing import Any

import httpcore
import httpx
import pytest

from meetingbooster_async import MeetingBoosterClient, _transport
from meetingbooster_async._transport import (
    CachedSocketBackend,
    CachedSocketStream,
    _readable,
    _readable_poll,
    _readable_select,
    readable_check,
    speed_up_pool,
)
from meetingbooster_async.testing import Emulator, aserve

from .emulated import URL

USER, PASSWORD = "ann@x.test", "pw"


def backend_of(client: httpx.AsyncClient) -> Any:
    return client._transport._pool._network_backend  # type: ignore[attr-defined]


async def five_requests_on_one_connection(client: MeetingBoosterClient) -> None:
    for _ in range(5):
        assert (await client.get("/api/v1/mymeetings/list")).status_code == 200
    pool = client._transport._pool  # type: ignore[attr-defined]
    assert len(pool.connections) == 1  # one kept-alive connection, reused


def test_the_default_transport_gets_the_caching_backend() -> None:
    # Pins httpx/httpcore privates: an upgrade that renames them must fail here, not
    # silently lose the speed-up.
    client = MeetingBoosterClient(URL, username="a", password="b")
    assert isinstance(backend_of(client), CachedSocketBackend)


def test_a_transport_of_the_users_own_is_left_alone() -> None:
    transport = httpx.AsyncHTTPTransport()
    MeetingBoosterClient(URL, username="a", password="b", transport=transport)
    assert not isinstance(transport._pool._network_backend, CachedSocketBackend)


def test_other_transports_are_not_touched() -> None:
    assert not speed_up_pool(httpx.MockTransport(lambda request: httpx.Response(200)))


def test_wrapping_twice_is_harmless() -> None:
    transport = httpx.AsyncHTTPTransport()
    assert speed_up_pool(transport) and speed_up_pool(transport)
    backend = transport._pool._network_backend
    assert isinstance(backend, CachedSocketBackend)
    assert not isinstance(backend._backend, CachedSocketBackend)


@pytest.mark.parametrize("check", [_readable_poll, _readable_select])
def test_readable_means_the_peer_closed_an_idle_connection(check: Any) -> None:
    if check is _readable_poll and not hasattr(select, "poll"):
        pytest.fail("this platform has no select.poll: the poll check cannot run here")
    ours, peer = socket.socketpair()
    with ours, peer:
        assert not _readable(ours, check)  # idle and open: reusable
        peer.close()
        assert _readable(ours, check)  # EOF waiting: expired
    assert _readable(ours, check)  # closed (fileno -1): expired
    assert _readable(None, check)


def test_the_check_uses_poll_where_the_platform_has_it() -> None:
    assert hasattr(select, "poll")  # Linux and macOS, where CI runs
    assert readable_check() is _readable_poll


def test_without_select_poll_the_check_falls_back_to_select(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(select, "poll")  # as on Windows
    assert readable_check() is _readable_select
    assert CachedSocketBackend(httpcore.AnyIOBackend())._check is _readable_select


class NoSocketStream(httpcore.AsyncNetworkStream):
    """A stream with no raw socket to hand out; its own answer to ``is_readable`` is False."""

    def get_extra_info(self, info: str) -> Any:
        return {"is_readable": False}.get(info)


def test_a_stream_without_a_raw_socket_asks_httpcores_own_check() -> None:
    # Without the fallback it would read as "expired" and the pool would never reuse it.
    assert CachedSocketStream(NoSocketStream()).get_extra_info("is_readable") is False


@pytest.mark.anyio
async def test_keep_alive_reuse_still_works_over_a_real_socket() -> None:
    emulator = Emulator(users={USER: PASSWORD})
    async with (
        aserve(emulator) as server,
        MeetingBoosterClient(server.url, username=USER, password=PASSWORD) as client,
    ):
        assert isinstance(backend_of(client), CachedSocketBackend)
        await five_requests_on_one_connection(client)


@pytest.mark.anyio
async def test_real_requests_without_select_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    # The first request on Windows used to raise AttributeError: no select.poll.
    emulator = Emulator(users={USER: PASSWORD})
    async with aserve(emulator) as server:
        monkeypatch.delattr(select, "poll")
        async with MeetingBoosterClient(server.url, username=USER, password=PASSWORD) as client:
            assert backend_of(client)._check is _readable_select
            await five_requests_on_one_connection(client)
            # httpcore's idle check, answered by select(): open and idle is reusable, a
            # connection whose socket reads EOF is not. Where the pool asks differs by version
            # (httpcore 1 and httpcore2 2.16 in has_expired(); httpcore2 2.17 when it assigns
            # the connection, has_expired() then meaning the keep-alive expiry only), so the
            # behaviour is what is checked: the dead connection is closed, never sent on.
            [connection] = client._transport._pool.connections  # type: ignore[attr-defined]
            assert not connection.has_expired()
            shut_down(connection)
            assert (await client.get("/api/v1/mymeetings/list")).status_code == 200
            assert connection.is_closed()
            assert connection not in client._transport._pool.connections  # type: ignore[attr-defined]


def shut_down(connection: Any) -> None:
    """Shut a pooled connection's socket down: it then reads EOF, as after the server closed it."""
    sock = connection._connection._network_stream.get_extra_info("socket")
    with socket.socket(fileno=socket.dup(sock.fileno())) as duplicate:
        duplicate.shutdown(socket.SHUT_RDWR)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "attribute", [_transport.POOL_ATTRIBUTE, _transport.BACKEND_ATTRIBUTE], ids=["pool", "backend"]
)
async def test_a_newer_httpcore_without_the_private_loses_only_the_speed_up(
    monkeypatch: pytest.MonkeyPatch, attribute: str
) -> None:
    # Play a release that renamed the private: the client must still work, on httpcore's check.
    name = "POOL_ATTRIBUTE" if attribute == "_pool" else "BACKEND_ATTRIBUTE"
    monkeypatch.setattr(_transport, name, attribute + "_renamed_in_a_newer_release")
    emulator = Emulator(users={USER: PASSWORD})
    async with (
        aserve(emulator) as server,
        MeetingBoosterClient(server.url, username=USER, password=PASSWORD) as client,
    ):
        assert not isinstance(backend_of(client), CachedSocketBackend)
        await five_requests_on_one_connection(client)


class DuckTypedBackend:
    """A backend of a newer httpcore that no longer derives from ``AsyncNetworkBackend``."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_backend_of_an_unexpected_type_is_left_alone() -> None:
    transport = httpx.AsyncHTTPTransport()
    duck = DuckTypedBackend(transport._pool._network_backend)
    transport._pool._network_backend = duck
    assert not speed_up_pool(transport)
    assert transport._pool._network_backend is duck
