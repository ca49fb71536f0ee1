"""What the emulator cannot give a test: a hand-moved clock, hand-built /oauth answers for the
TokenManager unit tests, and exceptions raised by the transport itself (respx)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import respx

from meetingbooster_async.testing import Emulator

from .emulated import URL, jsoauth_error


class FakeClock:
    """A monotonic clock that only moves when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def oauth_error(
    error: str, *, retry: float = 0, state: str | None = None, status: int = 400
) -> httpx.Response:
    """A ``JSOAuthError`` answer, built by hand (for code that never meets a server)."""
    body = jsoauth_error(error, retry=retry, state=state)
    return httpx.Response(status, content=json.dumps(body).encode())


class TransportErrors:
    """Exceptions to raise instead of sending, by path; every other request goes to the emulator."""

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator.transport()
        self._script: dict[str, list[Exception]] = {}
        #: Exceptions raised, by path (requests that never reached the emulator).
        self.raised: Counter[str] = Counter()

    def raise_next(self, path: str, *errors: Exception) -> None:
        """Raise ``errors`` for the next requests to ``path``, one each, in order."""
        self._script.setdefault(path, []).extend(errors)

    async def answer(self, request: httpx.Request) -> httpx.Response:
        """Raise the next scripted exception for the request's path, or let the emulator answer."""
        script = self._script.get(request.url.path)
        if script:
            self.raised[request.url.path] += 1
            raise script.pop(0)
        forwarded = httpx.Request(
            request.method, request.url, headers=request.headers, content=request.content
        )
        response = await self._emulator.handle_async_request(forwarded)
        content = await response.aread()
        return httpx.Response(response.status_code, headers=response.headers, content=content)


@contextmanager
def transport_errors(emulator: Emulator) -> Iterator[TransportErrors]:
    """respx in front of ``emulator``, for the one thing the emulator cannot produce: an exception
    raised by the transport itself (``httpx.ConnectError``, which says nothing was sent, or
    ``httpx.ReadTimeout``). The emulator can only lose a connection it has accepted.

    Inside ``with``, every request to :data:`~.emulated.URL` through httpx's default transport
    (build clients without ``transport=``) is answered by the emulator in process, ``/oauth``
    included, except those :meth:`TransportErrors.raise_next` scripts.
    """
    errors = TransportErrors(emulator)
    with respx.mock(base_url=URL, assert_all_called=False) as router:
        router.route(path__startswith="/").mock(side_effect=errors.answer)
        yield errors
