"""A cancelled send must leave nothing to the garbage collector (trio warns when it must).

httpx 0.28 iterates a request body through an async generator (``ByteStream.__aiter__``);
when the task is cancelled while that body is being written, httpcore drops the generator
unclosed, and trio reports it as a ``ResourceWarning`` once it is collected
(encode/httpx#3686). Under this project's ``filterwarnings = ["error"]`` that surfaces as a
``PytestUnraisableExceptionWarning`` in whichever trio test happens to collect it, so every
deadline or cancellation the SDK applies on trio is a potential flaky failure.

Deterministic here: a listener on 127.0.0.1 that never reads, a body larger than the socket
buffers, a deadline while the write is blocked.
"""

from __future__ import annotations

import gc
import socket
import warnings
from collections.abc import Iterator

import anyio
import anyio.lowlevel
import pytest

from meetingbooster_async import APITimeoutError
from meetingbooster_async.testing import EmulatorServer

from .helpers import ReliabilityEmulator, client

pytestmark = pytest.mark.anyio

BODY = b"x" * (64 * 1024 * 1024)  # far beyond loopback socket buffers


@pytest.fixture
def deaf_port() -> Iterator[int]:
    """A TCP port on 127.0.0.1 whose listener accepts connections but never reads."""
    with socket.create_server(("127.0.0.1", 0), backlog=8) as listener:
        yield int(listener.getsockname()[1])


async def test_a_request_cancelled_mid_body_leaves_no_unclosed_generator(
    server: EmulatorServer, emulator: ReliabilityEmulator, deaf_port: int
) -> None:
    async with client(server) as c:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with anyio.fail_after(10), pytest.raises(APITimeoutError):
                await c.put(
                    f"http://127.0.0.1:{deaf_port}/upload",  # another origin: no token needed
                    content=BODY,
                    extensions={"meetingbooster_deadline": 0.3, "meetingbooster_retry": 0},
                )
            gc.collect()
            await anyio.lowlevel.checkpoint()  # let the loop run any finalizer it scheduled
            gc.collect()
    unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert unclosed == []
