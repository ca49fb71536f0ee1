# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/testing/_server.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""Run an emulator as a real HTTP server (uvicorn, in a background thread with its own loop)."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import attrs

from ._emulator import Emulator
from ._http import ASGIApp, Message, Receive, Scope, Send
from ._inject import ABORT_EXTENSION

__all__ = ["EmulatorServer", "aserve", "serve"]

_STARTUP_TIMEOUT = 30.0


@attrs.frozen
class EmulatorServer:
    """A running emulator server.

    Attributes:
        url: The base URL, e.g. ``http://127.0.0.1:54321``.
        emulator: The emulator it serves (script faults or read stats on it directly).
        host: The address it listens on.
        port: The port it listens on (the ephemeral port when started with ``port=0``).
    """

    url: str
    emulator: Emulator
    host: str
    port: int


def _abort_for(send: Send) -> Any:
    """An ``abort(reset)`` for the connection behind uvicorn's ``send``, or ``None``.

    uvicorn passes a bound method of its per-request cycle, which holds the asyncio transport.
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        return None

    def abort(reset: bool) -> None:
        if reset:
            sock = transport.get_extra_info("socket")
            with contextlib.suppress(OSError, AttributeError):
                # Linger 0: close() sends a TCP RST instead of a FIN.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()

    return abort


def _wrap(app: ASGIApp, ready: threading.Event) -> ASGIApp:
    """Add the connection-abort extension, and report lifespan startup through ``ready``."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            abort = _abort_for(send)
            if abort is not None:
                extensions = {**(scope.get("extensions") or {}), ABORT_EXTENSION: abort}
                scope = {**scope, "extensions": extensions}
            await app(scope, receive, send)
            return
        if scope["type"] == "lifespan":

            async def send_and_report(message: Message) -> None:
                await send(message)
                if message["type"] == "lifespan.startup.complete":
                    ready.set()

            await app(scope, receive, send_and_report)
            return
        await app(scope, receive, send)

    return wrapped


class _Runner:
    """Owns the listening socket, the uvicorn server and its thread."""

    def __init__(self, emulator: Emulator, host: str, port: int, options: dict[str, Any]) -> None:
        self.emulator = emulator
        self._host = host
        self._port = port
        self._options = options
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> EmulatorServer:
        try:
            import uvicorn  # a lazy import: uvicorn is the optional "emulator" extra
        except ImportError as exc:
            msg = "the emulator server needs uvicorn: pip install 'meetingbooster-async[emulator]'"
            raise RuntimeError(msg) from exc
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        # Binding here (port 0 = ephemeral) tells us the port before the server starts.
        sock = socket.create_server((self._host, self._port), family=family)
        port = int(sock.getsockname()[1])
        options = {
            # Not "auto": with uvloop installed, older uvicorn (0.30, our lowest) sets uvloop's loop
            # policy for the whole process, and the tests' own loops became uvloop's.
            "loop": "asyncio",
            "lifespan": "on",
            "ws": "none",
            "log_config": None,
            "log_level": "warning",
            "access_log": False,
            "timeout_graceful_shutdown": 5,
            **self._options,
        }
        config = uvicorn.Config(_wrap(self.emulator, self._ready), **options)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._run, args=(sock,), name=f"meetingbooster-emulator-{port}", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(_STARTUP_TIMEOUT) or self._error is not None:
            self.stop()
            msg = "the emulator server did not start"
            raise RuntimeError(msg) from self._error
        host = f"[{self._host}]" if family == socket.AF_INET6 else self._host
        return EmulatorServer(
            url=f"http://{host}:{port}", emulator=self.emulator, host=self._host, port=port
        )

    def _run(self, sock: socket.socket) -> None:
        try:
            self._server.run(sockets=[sock])
        except BaseException as exc:  # reported to the starting thread; never lost
            self._error = exc
        finally:
            sock.close()
            self._ready.set()

    def stop(self) -> None:
        # Held requests would otherwise keep uvicorn's graceful shutdown waiting.
        self.emulator.faults.release()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join()


@contextlib.contextmanager
def serve(
    emulator: Emulator | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    **uvicorn_options: Any,
) -> Iterator[EmulatorServer]:
    """Serve ``emulator`` over real HTTP for the duration of a ``with`` block.

    Args:
        emulator: The emulator to serve; a new one with default settings when ``None``.
        host: Address to listen on.
        port: Port to listen on; 0 picks a free ephemeral port.
        **uvicorn_options: Extra ``uvicorn.Config`` options (e.g. ``http="h11"``).

    Yields:
        The running :class:`EmulatorServer` (``.url`` is the base URL).

    Example:
        >>> with serve(Emulator(users={"ann@example.com": "secret"})) as server:
        ...     httpx2.post(f"{server.url}/oauth", data={...})  # doctest: +SKIP
    """
    runner = _Runner(emulator or Emulator(), host, port, uvicorn_options)
    server = runner.start()
    try:
        yield server
    finally:
        runner.stop()


@contextlib.asynccontextmanager
async def aserve(
    emulator: Emulator | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    **uvicorn_options: Any,
) -> AsyncIterator[EmulatorServer]:
    """:func:`serve` for async code: starting and stopping never block the event loop.

    The server runs in its own thread and loop, so it works under asyncio and trio alike.

    Example:
        >>> async with aserve(Emulator(users={"ann@example.com": "secret"})) as server:
        ...     ...  # doctest: +SKIP
    """
    runner = _Runner(emulator or Emulator(), host, port, uvicorn_options)
    server = await anyio.to_thread.run_sync(runner.start)
    try:
        yield server
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(runner.stop)
