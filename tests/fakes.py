"""A scriptable fake MeetingBooster for unit tests: respx side effects plus exact counters."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs

import anyio
import httpx
import respx

BASE = "https://mb.test"


class FakeClock:
    """A monotonic clock that only moves when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeServer:
    """Issues tokens from /oauth and checks them on /api/…; every call is counted.

    ``script[grant]`` is a list of responses (or callables) used before the default behaviour.
    ``hold`` (an ``anyio.Event``) makes /oauth wait until it is set.
    """

    def __init__(self, *, lifetime: object = "1200", rotate: bool = True) -> None:
        self.lifetime = lifetime
        self.rotate = rotate
        self.grants: Counter[str] = Counter()
        self.forms: list[dict[str, str]] = []
        self.api_statuses: Counter[int] = Counter()
        self.api_bodies: list[bytes] = []
        self.api_auth: list[str | None] = []
        self.valid_access: set[str] = set()
        self.valid_refresh: set[str] = set()
        self.password = "s3cret-pw"
        #: extra users: username -> password (anyone else logs in with ``password``)
        self.users: dict[str, str] = {}
        #: token -> username it was issued to
        self.owner: dict[str, str] = {}
        self.script: dict[str, list[httpx.Response | Callable[[], httpx.Response]]] = {}
        self.hold: anyio.Event | None = None
        self.oauth_entered = 0
        self.api_hold: anyio.Event | None = None
        #: path -> async handler that answers instead of the default API behaviour
        self.overrides: dict[str, Callable[[httpx.Request], Awaitable[httpx.Response]]] = {}
        self.api_entered = 0
        self._ids = itertools.count(1)

    def issue(self, username: str = "?") -> httpx.Response:
        n = next(self._ids)
        access, refresh = f"acc-{n}-tok", f"ref-{n}-tok"
        self.owner[access] = self.owner[refresh] = username
        self.valid_access.add(access)
        self.valid_refresh.add(refresh)
        body: dict[str, object] = {"access_token": access, "refresh_token": refresh}
        if self.lifetime is not None:
            body["expires_in"] = self.lifetime
        return httpx.Response(200, json=body, headers={"Set-Cookie": "MBSession=abc; Path=/"})

    def kill_access(self) -> None:
        self.valid_access.clear()

    async def oauth(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        grant = form.get("grant_type", "?")
        self.grants[grant] += 1
        self.forms.append(form)
        self.oauth_entered += 1
        if self.hold is not None:
            await self.hold.wait()
        scripted = self.script.get(grant)
        if scripted:
            item = scripted.pop(0)
            return item() if callable(item) else item
        if grant == "password":
            username = form.get("username", "")
            if form.get("password") != self.users.get(username, self.password):
                return oauth_error("unauthorized_client", retry=10, state="FAILEDLOGIN")
            return self.issue(username)
        if grant == "refresh_token":
            token = form.get("refresh_token", "")
            if token not in self.valid_refresh:
                return oauth_error("invalid_grant", retry=0)
            if self.rotate:
                self.valid_refresh.discard(token)
            return self.issue(self.owner.get(token, "?"))
        if grant == "signout":
            self.valid_refresh.discard(form.get("refresh_token", ""))
            return httpx.Response(200, json={})
        return oauth_error("unsupported_grant_type")

    async def api(self, request: httpx.Request) -> httpx.Response:
        override = self.overrides.get(request.url.path)
        if override is not None:
            return await override(request)
        return await self.default_api(request)

    async def default_api(self, request: httpx.Request) -> httpx.Response:
        self.api_entered += 1
        header = request.headers.get("Authorization")
        self.api_auth.append(header)
        self.api_bodies.append(request.content if not _is_stream(request) else b"<stream>")
        if self.api_hold is not None:
            await self.api_hold.wait()
        token = (header or "").removeprefix("Bearer ")
        status = 200 if token in self.valid_access else 401
        self.api_statuses[status] += 1
        if status == 401:
            return httpx.Response(401, json={"Message": "Authorization has been denied"})
        body = {"ok": True, "user": self.owner.get(token)}
        return httpx.Response(200, json=body, headers={"Set-Cookie": "Other=1; Path=/"})

    def mock(self, base: str = BASE) -> respx.MockRouter:
        router = respx.mock(base_url=base, assert_all_called=False)
        router.post("/oauth").mock(side_effect=self.oauth)
        router.route(path__startswith="/api/").mock(side_effect=self.api)
        return router


def _is_stream(request: httpx.Request) -> bool:
    return not isinstance(request.stream, httpx.ByteStream)


def oauth_error(
    error: str, *, retry: object = 0, state: str | None = None, status: int = 400
) -> httpx.Response:
    body: dict[str, object] = {
        "error": error,
        "error_description": f"{error} happened",
        "retry_in_seconds": retry,
    }
    if state is not None:
        body["error_state"] = state
    return httpx.Response(status, content=json.dumps(body).encode())
