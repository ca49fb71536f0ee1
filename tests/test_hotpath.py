"""The hot path keeps httpx's behaviour: URLs, params, headers, hooks, redirects, streaming,
cookies, URL credentials; with httpx's privates present and without them (the fallback).

Over real HTTP against a small echo server, on the default transport (asyncio and trio) and
on the fast transport (asyncio only).
"""

from __future__ import annotations

import gc
import json
import socket
import threading
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from http.cookiejar import CookieJar
from typing import Any

import httpx
import pytest
import uvicorn

from meetingbooster_async import MeetingBoosterClient, _hotpath
from meetingbooster_async._aiohttp_transport import AiohttpTransport
from meetingbooster_async._hotpath import URL_CACHE_SIZE, HotPathMixin, UnkeptCookies

pytestmark = pytest.mark.anyio

Scope = dict[str, Any]
Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]


async def echo_app(scope: Scope, receive: Receive, send: Send) -> None:
    """``/echo`` answers what it got; ``/cookie`` sets one; ``/redirect``; ``/chunks``."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    path = scope["path"]
    headers: list[tuple[bytes, bytes]] = []
    if path == "/cookie":
        headers.append((b"set-cookie", b"flavour=oat; Path=/"))
    if path == "/redirect":
        headers.append((b"location", b"/echo?from=redirect"))
        await send({"type": "http.response.start", "status": 302, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    if path == "/chunks":  # no Content-Length: streamed in pieces
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for i in range(5):
            await send(
                {"type": "http.response.body", "body": bytes([65 + i]) * 1000, "more_body": True}
            )
        await send({"type": "http.response.body", "body": b""})
        return
    seen = {
        "method": scope["method"],
        "path": path,
        "query": scope["query_string"].decode(),
        "headers": [[k.decode(), v.decode()] for k, v in scope["headers"]],
        "body": body.decode(),
    }
    payload = json.dumps(seen).encode()
    headers += [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    """The echo app on uvicorn in a thread of its own, on a free port of 127.0.0.1."""
    sock = socket.create_server(("127.0.0.1", 0))
    config = uvicorn.Config(echo_app, lifespan="off", log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    started = threading.Event()
    for _ in range(200):
        if server.started:
            started.set()
            break
        started.wait(0.05)
    assert server.started, "the echo server did not start"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture(
    params=[("asyncio", "default"), ("trio", "default"), ("asyncio", "fast")],
    ids=["asyncio", "trio", "asyncio-fast"],
)
def backend_and_mode(request: pytest.FixtureRequest) -> tuple[str, str]:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def anyio_backend(backend_and_mode: tuple[str, str]) -> str:
    return backend_and_mode[0]


@pytest.fixture(params=[True, False], ids=["hooks", "fallback"])
def private_hooks(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Run each test with httpx's privates used, and as if an upgrade had moved them."""
    monkeypatch.setattr(_hotpath, "PRIVATE_HOOKS", request.param)
    return bool(request.param)


@pytest.fixture
async def make(
    base: str, backend_and_mode: tuple[str, str], private_hooks: bool
) -> AsyncIterator[Callable[..., HotPathMixin]]:
    clients: list[HotPathMixin] = []

    def build(**kwargs: Any) -> HotPathMixin:
        if backend_and_mode[1] == "fast":
            kwargs["transport"] = AiohttpTransport()
        kwargs.setdefault("base_url", base)
        client = HotPathMixin(**kwargs)
        clients.append(client)
        return client

    yield build
    for client in clients:
        await client.aclose()


def echoed(response: httpx.Response) -> dict[str, Any]:
    data: dict[str, Any] = response.json()
    return data


def header(seen: dict[str, Any], name: str) -> list[str]:
    return [v for k, v in seen["headers"] if k == name]


async def test_params_and_headers_merge_as_httpx(make: Callable[..., HotPathMixin]) -> None:
    client = make(params={"a": "1", "b": "2"}, headers={"X-Default": "d", "X-Over": "old"})
    response = await client.get(
        "/echo?u=0", params={"b": "3", "c": "4"}, headers={"X-Over": "new", "X-Call": "c"}
    )
    seen = echoed(response)
    plain = httpx.AsyncClient(base_url=client.base_url, params={"a": "1", "b": "2"})
    expected = plain.build_request("GET", "/echo?u=0", params={"b": "3", "c": "4"}).url
    assert str(response.request.url) == str(expected)
    assert seen["query"] == expected.query.decode()
    assert header(seen, "x-default") == ["d"]
    assert header(seen, "x-over") == ["new"]
    assert header(seen, "x-call") == ["c"]
    assert response.elapsed.total_seconds() >= 0


async def test_assigning_inputs_after_construction_takes_effect(
    make: Callable[..., HotPathMixin], base: str
) -> None:
    client = make(base_url=base + "/nowhere")
    first = await client.get("/echo")
    assert echoed(first)["path"] == "/nowhere/echo"
    client.base_url = httpx.URL(base)
    client.params = {"p": "1"}
    client.headers = {"X-New": "yes"}
    client.timeout = httpx.Timeout(7.0)
    response = await client.get("/echo")
    seen = echoed(response)
    assert seen["path"] == "/echo"
    assert seen["query"] == "p=1"
    assert header(seen, "x-new") == ["yes"]
    assert response.request.extensions["timeout"]["read"] == 7.0
    client.headers["X-Mutated"] = "in place"  # headers are never cached
    assert header(echoed(await client.get("/echo")), "x-mutated") == ["in place"]


def test_setters_survive_a_patched_httpx_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """Code that replaces ``httpx.AsyncClient`` (with our class, say) sends no setter into
    itself: they call the class httpx had when our module was imported."""
    client = MeetingBoosterClient("https://h.example", username="u", password="p")
    monkeypatch.setattr(httpx, "AsyncClient", MeetingBoosterClient)
    client.base_url = httpx.URL("https://other.example/api")
    client.params = {"p": "1"}
    client.timeout = httpx.Timeout(7.0)
    assert (str(client.base_url), str(client.params), client.timeout.read) == (
        "https://other.example/api/",
        "p=1",
        7.0,
    )


async def test_url_cache_is_bounded_and_agrees_with_httpx(
    make: Callable[..., HotPathMixin],
) -> None:
    client = make(params={"k": "v"})
    plain = httpx.AsyncClient(base_url=client.base_url, params={"k": "v"})
    for i in range(URL_CACHE_SIZE + 20):
        url = f"/p/{i}?q={i}"
        assert client.build_request("GET", url).url == plain.build_request("GET", url).url
    assert len(client._hot_urls) == URL_CACHE_SIZE
    absolute = "https://other.example/x?y=1"
    assert client.build_request("GET", absolute).url == plain.build_request("GET", absolute).url


async def test_request_bodies_and_timeouts_as_httpx(make: Callable[..., HotPathMixin]) -> None:
    client = make()
    seen = echoed(await client.post("/echo", json={"n": 1}, timeout=3.0))
    assert seen["body"] == '{"n":1}' or json.loads(seen["body"]) == {"n": 1}
    assert header(seen, "content-type") == ["application/json"]
    request = client.build_request("PUT", "/echo", data={"f": "v"}, extensions={"x": 1})
    assert request.extensions == {"x": 1, "timeout": client.timeout.as_dict()}
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"


async def test_event_hooks_run(make: Callable[..., HotPathMixin]) -> None:
    calls: list[str] = []

    async def on_request(request: httpx.Request) -> None:
        calls.append(f"request {request.url.path}")

    async def on_response(response: httpx.Response) -> None:
        await response.aread()
        calls.append(f"response {response.status_code} {len(response.content) > 0}")

    client = make(event_hooks={"request": [on_request], "response": [on_response]})
    await client.get("/echo")
    assert calls == ["request /echo", "response 200 True"]


async def test_redirects_followed_as_httpx(make: Callable[..., HotPathMixin]) -> None:
    client = make(follow_redirects=True)
    response = await client.get("/redirect")
    assert [r.status_code for r in response.history] == [302]
    assert echoed(response)["query"] == "from=redirect"
    not_followed = await make().get("/redirect")
    assert not_followed.status_code == 302


async def test_stream_streams(make: Callable[..., HotPathMixin]) -> None:
    client = make()
    async with client.stream("GET", "/chunks") as response:
        assert not response.is_stream_consumed
        chunks = [chunk async for chunk in response.aiter_raw()]
    assert b"".join(chunks) == b"".join(bytes([65 + i]) * 1000 for i in range(5))
    async with client.stream("GET", "/echo") as small:  # small bodies stream too
        assert not isinstance(small.stream, httpx.ByteStream)
        assert json.loads(await small.aread())["path"] == "/echo"
    assert small.is_closed
    # send(stream=True) without client.stream(): streamed as well, raw bytes still to read.
    sent = await client.send(client.build_request("GET", "/echo"), stream=True)
    assert not sent.is_stream_consumed
    assert json.loads(b"".join([chunk async for chunk in sent.aiter_raw()]))["path"] == "/echo"
    await sent.aclose()
    read = await client.get("/echo")  # not streamed: read, closed, timed
    assert read.is_closed and read.elapsed.total_seconds() > 0


async def test_cookies_kept_only_when_asked(make: Callable[..., HotPathMixin]) -> None:
    kept = make(keep_cookies=True)
    await kept.get("/cookie")
    assert kept.cookies.get("flavour") == "oat"
    assert header(echoed(await kept.get("/echo")), "cookie") == ["flavour=oat"]
    unkept = make(keep_cookies=False)
    await unkept.get("/cookie")
    assert isinstance(unkept.cookies, UnkeptCookies)
    assert not unkept.cookies
    assert header(echoed(await unkept.get("/echo")), "cookie") == []
    unkept.cookies.set("by", "hand")  # set by hand: sent, as httpx does
    assert header(echoed(await unkept.get("/echo")), "cookie") == ["by=hand"]
    jar = CookieJar()
    shared = make(keep_cookies=True, cookies=jar)  # httpx fills the caller's own jar
    await shared.get("/cookie")
    assert [cookie.name for cookie in jar] == ["flavour"]


async def test_elapsed_covers_the_whole_exchange(make: Callable[..., HotPathMixin]) -> None:
    client = make()
    async with client.stream("GET", "/chunks") as response:
        await response.aread()
    assert response.elapsed.total_seconds() > 0


async def test_url_credentials_become_basic_auth(
    make: Callable[..., HotPathMixin], base: str
) -> None:
    client = make()
    url = httpx.URL(base).copy_with(username="ann", password="pw", path="/echo")
    seen = echoed(await client.get(str(url)))
    assert header(seen, "authorization") == [httpx.BasicAuth("ann", "pw")._auth_header]


async def test_no_cycle_left_once_the_body_is_read(
    make: Callable[..., HotPathMixin], private_hooks: bool
) -> None:
    client = make()
    await client.get("/echo")  # warm: connections, caches
    gc.collect()
    gc.disable()
    try:
        response = await client.get("/echo")
        assert response.status_code == 200
        ref = weakref.ref(response)
        del response
        freed_by_refcount = ref() is None
    finally:
        gc.enable()
    # httpx's own path (the fallback) leaves the response/stream cycle to the collector.
    # Our path must free it by refcount; httpx's own path (the fallback) may leave the cycle
    # to the collector (httpx 0.28 does, httpx2 does not): only ours is a promise.
    assert freed_by_refcount or not private_hooks


def test_private_hooks_are_there() -> None:
    """Pinned: an httpx upgrade that moves them turns this red (and the fallback runs)."""
    assert _hotpath.PRIVATE_HOOKS
    assert callable(httpx.AsyncClient._send_single_request)
    assert callable(httpx.AsyncClient._transport_for_url)


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
@pytest.mark.parametrize("keep", [True, False])
async def test_client_wires_keep_cookies(keep: bool) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth":
            tokens = {"access_token": "a" * 20, "refresh_token": "r", "expires_in": "1200"}
            return httpx.Response(200, json=tokens)
        return httpx.Response(200, headers={"set-cookie": "s=1; Path=/"}, json={})

    async with MeetingBoosterClient(
        "https://mb.example.com",
        username="ann@example.com",
        password="pw",
        keep_cookies=keep,
        signout_on_close=False,
        transport=httpx.MockTransport(handler),
    ) as client:
        await client.get("/api/v1/mymeetings/list")
        assert dict(client.cookies) == ({"s": "1"} if keep else {})
        assert isinstance(client.cookies, UnkeptCookies) is not keep
