"""The in-process emulator and the clients that behaviour tests share (fixtures in conftest.py).

The emulator answers every request, ``/oauth`` included; tests script it through its fault
controls and read what it saw from ``emulator.stats()``. :class:`Wire` also keeps a copy of
each request a client sent, for tests that check a grant's form or a replayed body.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import attrs
import httpx

from meetingbooster_async import Meeting, MeetingBoosterAuth, MeetingBoosterClient
from meetingbooster_async.testing import Emulator, EmulatorSettings

URL = "https://meetingbooster.test"  # in process: no network, any https URL works
ANN, BOB, PASSWORD = "ann@example.com", "bob@example.com", "secret"
LIST = "/api/v1/mymeetings/list"
#: MyTasks SyncCommit: a POST that takes any JSON object (for bodies and replays).
TASKS_COMMIT = "/api/v1/mytasks/synccommit"
#: One meeting by id: a second GET route, for faults that must leave LIST alone.
MEETING = "/api/v1/meetings/{}"

Client = MeetingBoosterClient


def make_emulator(
    settings: EmulatorSettings | None = None, *, clock: Callable[[], float] = time.monotonic
) -> Emulator:
    """Ann with 3 meetings, Bob with 2; tokens and lockouts run on ``clock``."""
    emulator = Emulator(settings, users={ANN: PASSWORD}, meetings_per_user=3, clock=clock)
    emulator.add_user(BOB, PASSWORD, meetings=2)
    return emulator


def make_auth(
    user: str = ANN, password: str = PASSWORD, *, base: str = URL, **kwargs: Any
) -> MeetingBoosterAuth:
    """An auth for ``user`` at ``{base}/oauth`` (``clock=`` etc. in ``kwargs``)."""
    return MeetingBoosterAuth(token_url=f"{base}/oauth", username=user, password=password, **kwargs)


def make_client(
    emulator: Emulator, user: str = ANN, password: str = PASSWORD, **kwargs: Any
) -> Client:
    """A client for ``user`` (or for ``auth=``) talking to ``emulator`` in process."""
    if "auth" not in kwargs:
        kwargs.update(username=user, password=password)
    kwargs.setdefault("transport", emulator.transport())
    return Client(URL, **kwargs)


def clocked_client(
    emulator: Emulator,
    clock: Callable[[], float],
    *,
    password: str = PASSWORD,
    wire: Wire | None = None,
    **auth_kwargs: Any,
) -> Client:
    """Ann's client with an auth of its own on ``clock`` (so not signed out on close)."""
    auth = make_auth(password=password, clock=clock, **auth_kwargs)
    return make_client(emulator, auth=auth, transport=wire or emulator.transport())


@contextmanager
def reset(emulator: Emulator) -> Iterator[Emulator]:
    """``emulator`` as new for one test (no tokens, lockouts, faults or counts; settings are
    kept), and with no fault left behind after it: for a server shared by a module."""
    emulator.restart()
    emulator.clear_lockouts()
    emulator.faults.clear()
    emulator.reset_stats()
    try:
        yield emulator
    finally:
        emulator.faults.clear()


def new_meeting(title: str) -> Meeting:
    """A meeting with a fresh GUID id, on 6 May 2024, 9:00 to 10:00 UTC."""
    start = datetime(2024, 5, 6, 9, tzinfo=UTC)
    return Meeting(id=str(uuid.uuid4()), title=title, start=start, end=start.replace(hour=10))


def jsoauth_error(error: str, *, retry: float = 0, state: str | None = None) -> dict[str, object]:
    """A ``JSOAuthError`` body, e.g. for ``emulator.faults.force("oauth", body=...)``."""
    body: dict[str, object] = {
        "error": error,
        "error_description": f"{error} happened",
        "retry_in_seconds": retry,
    }
    if state is not None:
        body["error_state"] = state
    return body


def host_of(response: httpx.Response) -> str:
    """Whose meetings a list answer holds (every seeded user has some)."""
    hosts = {meeting["Host"]["Email"] for meeting in response.json()}
    assert len(hosts) == 1, hosts
    return hosts.pop()


@attrs.frozen
class Sent:
    """One request as it left the client (a copy: later changes to the request do not show)."""

    method: str
    url: httpx.URL
    headers: httpx.Headers
    #: ``None`` for a streamed body, which is not read here.
    body: bytes | None

    @property
    def authorization(self) -> str | None:
        """The ``Authorization`` header, if any."""
        return self.headers.get("Authorization")

    def form(self) -> dict[str, str]:
        """The body as form fields (a grant)."""
        assert self.body is not None
        return dict(parse_qsl(self.body.decode()))


class Wire(httpx.AsyncBaseTransport):
    """The emulator's in-process transport, keeping a copy of every request sent through it."""

    def __init__(self, emulator: Emulator) -> None:
        self._transport = emulator.transport()
        self.sent: list[Sent] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = request.content if isinstance(request.stream, httpx.ByteStream) else None
        self.sent.append(Sent(request.method, request.url, request.headers.copy(), body))
        return await self._transport.handle_async_request(request)

    async def aclose(self) -> None:
        await self._transport.aclose()

    def grants(self) -> list[dict[str, str]]:
        """The form of every ``/oauth`` request, in order."""
        return [sent.form() for sent in self.sent if sent.url.path == "/oauth"]

    def data(self) -> list[Sent]:
        """Every other request, in order."""
        return [sent for sent in self.sent if sent.url.path != "/oauth"]
