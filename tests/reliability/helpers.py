"""Shared pieces of the reliability suite: the users, the emulator flavour, small helpers."""

from __future__ import annotations

import traceback
from collections.abc import Iterable
from typing import Any

import httpx

from meetingbooster_async import MeetingBoosterClient
from meetingbooster_async.testing import Emulator, EmulatorServer

USER, PASSWORD = "ann@example.com", "correct horse battery staple"
#: More users for as_user(); each has meetings so that reads return data.
OTHER_USERS = {
    "bob@example.com": "bob's own passphrase",
    "cyd@example.com": "cyd-pass-phrase-42",
    "dee@example.com": "dee: tr0ub4dor&3",
}
LIST = "/api/v1/mymeetings/list"
SYNC_COMMIT = "/api/v1/mymeetings/synccommit"


class ReliabilityEmulator(Emulator):
    """The emulator plus one test-only knob: a ``Retry-After`` header on its 503 answers.

    ``Faults.force`` cannot set response headers, so this thin ASGI wrapper adds one; the
    rest is the stock emulator. ``retry_after = None`` (the default) changes nothing.
    """

    retry_after: str | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        header = self.retry_after
        if header is None or scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return

        async def send_with_header(message: Any) -> None:
            if message["type"] == "http.response.start" and message["status"] == 503:
                extra = [(b"retry-after", header.encode("latin-1"))]
                message = {**message, "headers": [*message["headers"], *extra]}
            await send(message)

        await super().__call__(scope, receive, send_with_header)


def new_emulator() -> ReliabilityEmulator:
    emulator = ReliabilityEmulator(users={USER: PASSWORD}, meetings_per_user=3)
    for email, password in OTHER_USERS.items():
        emulator.add_user(email, password, meetings=2)
    return emulator


#: Per-phase timeouts with no bound on waiting for a slot (the queue is the test).
QUEUE_TIMEOUT = httpx.Timeout(10.0, connect=3.0, pool=None)


def client(server: EmulatorServer, **kwargs: Any) -> MeetingBoosterClient:
    """A client of ``server`` logged in as :data:`USER` unless ``auth=`` is given."""
    if "auth" not in kwargs:
        kwargs.setdefault("username", USER)
        kwargs.setdefault("password", PASSWORD)
    # The storms queue thousands of requests behind the in-flight slots on purpose.
    kwargs.setdefault("timeout", QUEUE_TIMEOUT)
    return MeetingBoosterClient(server.url, **kwargs)


def exception_text(exc: BaseException) -> str:
    """Everything Python shows for an exception: messages and reprs of the whole chain."""
    parts = ["".join(traceback.format_exception(exc))]
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        parts += [str(current), repr(current), repr(current.args)]
        stack += [current.__cause__, current.__context__]
        if isinstance(current, BaseExceptionGroup):
            stack += list(current.exceptions)
    return "\n".join(parts)


def leaks(text: str, secrets: Iterable[str]) -> list[str]:
    """The secrets found in ``text`` (shown by their first characters only)."""
    return [f"{s[:4]}…" for s in secrets if s and s in text]


def redact(text: str, secrets: dict[str, str]) -> str:
    """``text`` with each secret replaced by its kind (``secrets``: value -> kind)."""
    for value, kind in secrets.items():
        text = text.replace(value, f"<{kind}>")
    return text
