"""The default transport's faster idle-connection check (see _transport.py)."""

from __future__ import annotations

import socket

import httpx
import pytest

from meetingbooster_async import MeetingBoosterClient
from meetingbooster_async._transport import CachedSocketBackend, _readable, speed_up_pool

from .fakes import BASE


def test_the_default_transport_gets_the_caching_backend() -> None:
    # Pins httpx/httpcore privates: an upgrade that renames them must fail here, not
    # silently lose the speed-up.
    client = MeetingBoosterClient(BASE, username="a", password="b")
    assert isinstance(client._transport._pool._network_backend, CachedSocketBackend)  # type: ignore[attr-defined]


def test_a_transport_of_the_users_own_is_left_alone() -> None:
    transport = httpx.AsyncHTTPTransport()
    MeetingBoosterClient(BASE, username="a", password="b", transport=transport)
    assert not isinstance(transport._pool._network_backend, CachedSocketBackend)


def test_other_transports_are_not_touched() -> None:
    assert not speed_up_pool(httpx.MockTransport(lambda request: httpx.Response(200)))


def test_wrapping_twice_is_harmless() -> None:
    transport = httpx.AsyncHTTPTransport()
    assert speed_up_pool(transport) and speed_up_pool(transport)
    backend = transport._pool._network_backend
    assert isinstance(backend, CachedSocketBackend)
    assert not isinstance(backend._backend, CachedSocketBackend)


def test_readable_means_the_peer_closed_an_idle_connection() -> None:
    ours, peer = socket.socketpair()
    with ours, peer:
        assert not _readable(ours)  # idle and open: reusable
        peer.close()
        assert _readable(ours)  # EOF waiting: expired
    assert _readable(None)


@pytest.mark.anyio
async def test_keep_alive_reuse_still_works_over_a_real_socket() -> None:
    from meetingbooster_async.testing import Emulator, aserve

    emulator = Emulator(users={"ann@x.test": "pw"})
    async with (
        aserve(emulator) as server,
        MeetingBoosterClient(server.url, username="ann@x.test", password="pw") as c,
    ):
        for _ in range(5):
            assert (await c.get("/api/v1/mymeetings/list")).status_code == 200
        pool = c._transport._pool  # type: ignore[attr-defined]
        assert len(pool.connections) == 1  # one kept-alive connection, reused
