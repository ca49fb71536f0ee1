# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/testing/_pytest_plugin.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""Pytest fixtures that give a test a running MeetingBooster emulator (loaded automatically).

The emulator has one user, ``user@example.com`` with the password ``password`` (the default
``meetingbooster_credentials``), and 3 meetings. Override ``meetingbooster_settings`` or
``meetingbooster_credentials`` in a ``conftest.py`` to change the emulator every fixture
builds. Emulator classes are imported inside the fixtures, so loading this plugin costs
nothing for test runs that do not use them.

``meetingbooster_client`` runs on the test's anyio backend (asyncio or trio) even when
pytest-asyncio runs in ``auto`` mode: it is a plain fixture that drives its async setup and
teardown on anyio's test runner itself, so pytest-asyncio never moves it to its own loop.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterator
from typing import TYPE_CHECKING, Any, Final

import pytest

if TYPE_CHECKING:
    from . import Emulator, EmulatorServer, EmulatorSettings

#: The base URL the in-process client uses (no network: any https URL works).
IN_PROCESS_URL: Final = "https://meetingbooster.test"
#: The fixture user: ``(email, password)`` unless ``meetingbooster_credentials`` is overridden.
DEFAULT_CREDENTIALS: Final = ("user@example.com", "password")


@pytest.fixture
def meetingbooster_settings() -> EmulatorSettings:
    """The emulator's settings (override this fixture to change them)."""
    from . import EmulatorSettings

    return EmulatorSettings()


@pytest.fixture
def meetingbooster_credentials() -> tuple[str, str]:
    """``(email, password)`` of the user the emulator fixtures create.

    Default: ``("user@example.com", "password")``. Override this fixture to change them.
    """
    return DEFAULT_CREDENTIALS


@pytest.fixture
def meetingbooster_emulator(
    meetingbooster_settings: EmulatorSettings, meetingbooster_credentials: tuple[str, str]
) -> Emulator:
    """A fresh emulator with one user (``meetingbooster_credentials``) and 3 meetings.

    Use it in process with ``httpx2.ASGITransport(app=meetingbooster_emulator)``; script
    faults with ``meetingbooster_emulator.faults``; read counters with ``.stats()``.
    """
    from . import Emulator

    email, password = meetingbooster_credentials
    return Emulator(meetingbooster_settings, users={email: password}, meetings_per_user=3)


@pytest.fixture
def meetingbooster_server(meetingbooster_emulator: Emulator) -> Iterator[EmulatorServer]:
    """``meetingbooster_emulator`` served over real HTTP on 127.0.0.1 (``.url``); needs uvicorn."""
    from . import serve

    with serve(meetingbooster_emulator) as server:
        yield server


@pytest.fixture
def meetingbooster_client(
    request: pytest.FixtureRequest,
    meetingbooster_emulator: Emulator,
    meetingbooster_credentials: tuple[str, str],
    anyio_backend: Any,
) -> Iterator[Any]:
    """A ``MeetingBoosterClient`` for the fixture user, talking to the emulator in process.

    It logs in (as ``meetingbooster_credentials``, by default ``user@example.com`` /
    ``password``) on its first request and signs out at teardown. Mark the test
    ``@pytest.mark.anyio``: the client lives on the loop that runs the test, the
    ``anyio_backend`` one (asyncio or trio). Under pytest-asyncio's ``auto`` mode,
    pytest-asyncio runs every async test on asyncio (a ``[trio]`` variant too) and the client
    follows it there; use ``asyncio_mode = "strict"`` to run trio variants on trio.
    """
    # A plain fixture that runs its async part on the runner of the test's own loop: as an
    # async fixture, anyio would set it up on trio while pytest-asyncio (auto mode) runs the
    # test on asyncio, and the client's locks would belong to the wrong loop.
    email, password = meetingbooster_credentials
    client = _client(meetingbooster_emulator, email, password)
    asyncio_runner = _pytest_asyncio_runner(request)
    if asyncio_runner is not None:
        yield asyncio_runner.run(client.__anext__())
        _finish(lambda: asyncio_runner.run(client.__anext__()))
        return
    from anyio.pytest_plugin import extract_backend_and_options, get_runner

    backend, options = extract_backend_and_options(anyio_backend)
    with get_runner(backend, options) as runner:
        yield from runner.run_asyncgen_fixture(lambda: client, {})


def _pytest_asyncio_runner(request: pytest.FixtureRequest) -> Any:
    """pytest-asyncio's runner for this test, if pytest-asyncio runs it; else ``None``."""
    node = request.node
    if type(node).__module__ != "pytest_asyncio.plugin":
        return None  # anyio (or nothing) runs the test
    scope = getattr(node, "_loop_scope", "function")
    try:
        return request.getfixturevalue(f"_{scope}_scoped_runner")
    except pytest.FixtureLookupError:  # a pytest-asyncio without per-scope runners
        return None


def _finish(step: Any) -> None:
    try:
        step()
    except StopAsyncIteration:
        return
    raise RuntimeError("the meetingbooster_client generator yielded twice")


async def _client(emulator: Emulator, email: str, password: str) -> AsyncGenerator[Any, None]:
    from meetingbooster_async_httpx2 import MeetingBoosterClient  # type: ignore[attr-defined,unused-ignore]

    async with MeetingBoosterClient(
        IN_PROCESS_URL, username=email, password=password, transport=emulator.transport()
    ) as client:
        yield client
