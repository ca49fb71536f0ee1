"""Raw socket servers on 127.0.0.1 that misbehave on purpose, for the transport conformance suite.

One :class:`MisbehavingServer` runs an asyncio loop in a thread of its own (so the client under
test may run on asyncio, uvloop or trio) with one listener per scenario. ``/oauth`` is answered
properly on every listener (a password grant or a refresh gets a token); any other request meets
the scenario's behaviour. The server counts, per scenario, the connections on which a data
request arrived (``hits``: the times the request may have reached the server) and the grants.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import threading
from collections import Counter
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

Behaviour = Callable[["Connection"], Awaitable[None]]

TOKEN = {"access_token": "AT-{n}", "refresh_token": "RT-{n}", "expires_in": 1200}


class Connection:
    """One accepted connection of one listener: read helpers and the ways to end it."""

    def __init__(
        self,
        server: MisbehavingServer,
        name: str,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.server = server
        self.name = name
        self.reader = reader
        self.writer = writer
        self.head = b""

    def hit(self) -> None:
        """Count a data request that may have reached this listener."""
        self.server.hits[self.name] += 1

    async def read_head(self) -> bytes:
        self.head = await self.reader.readuntil(b"\r\n\r\n")
        return self.head

    async def read_request(self, *, body: bool = True) -> bytes:
        """Read one request (head, and body unless ``body=False``) and count it as a hit."""
        await self.read_head()
        self.hit()
        return await self.read_body() if body else b""

    def content_length(self) -> int:
        for line in self.head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                return int(value)
        return 0

    async def read_body(self) -> bytes:
        length = self.content_length()
        if length:
            return await self.reader.readexactly(length)
        if b"transfer-encoding: chunked" in self.head.lower():
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    return body
                body += chunk[:-2]
        return b""

    async def send(self, raw: bytes) -> None:
        self.writer.write(raw)
        await self.writer.drain()

    def reset(self) -> None:
        """Close with an RST (SO_LINGER 0), not a FIN."""
        sock = self.writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()

    async def serve_tokens(self, *, lose_refresh: bool = False) -> None:
        """Answer grant requests on this connection (kept alive) until the client leaves.

        ``lose_refresh``: a refresh grant is read, counted, and answered by a close (its
        answer lost), as a server that rotated the token and then failed would.
        """
        while True:
            await self.read_head()
            form = dict(parse_qsl((await self.read_body()).decode()))
            grant = form.get("grant_type", "?")
            self.server.grants[grant] += 1
            self.server.refresh_tokens.append(form.get("refresh_token", ""))
            if lose_refresh and grant == "refresh_token":
                self.writer.close()
                return
            n = sum(self.server.grants.values())
            body = json.dumps(
                {k: v.format(n=n) if isinstance(v, str) else v for k, v in TOKEN.items()}
            )
            await self.send(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body.encode()
            )


class Unread:
    """A behaviour that must not read a byte: it gets the accepted socket itself (no transport,
    which would read whatever arrives), and the socket is closed when it returns."""

    def __init__(self, behaviour: Callable[[socket.socket, MisbehavingServer], Awaitable[None]]):
        self.behaviour = behaviour


async def wait_for_unread(sock: socket.socket, *, until: bytes, total: int = 0) -> bytes:
    """Wait until the kernel holds a whole request (``until`` seen, ``total`` bytes), unread."""
    loop = asyncio.get_running_loop()
    while True:
        ready = loop.create_future()
        loop.add_reader(sock.fileno(), ready.set_result, None)
        try:
            await ready
        finally:
            loop.remove_reader(sock.fileno())
        peeked = sock.recv(1 << 20, socket.MSG_PEEK)
        if until in peeked and len(peeked) >= total:
            return peeked
        await asyncio.sleep(0)  # more is on its way: look again when it comes


def reset_unread(sock: socket.socket) -> None:
    """Close with an RST while the request is still unread in the kernel."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


class MisbehavingServer:
    """Listeners for named behaviours, on a loop in a daemon thread; ``url(name)`` for each."""

    def __init__(self, behaviours: dict[str, Behaviour | Unread], *, recv_buffer: int = 0) -> None:
        self._behaviours = behaviours
        self.tasks: set[asyncio.Future[None]] = set()
        self._recv_buffer = recv_buffer
        self.hits: Counter[str] = Counter()
        self.grants: Counter[str] = Counter()
        self.refresh_tokens: list[str] = []
        self._ports: dict[str, int] = {}
        self._loop = asyncio.new_event_loop()
        self._servers: list[asyncio.base_events.Server] = []
        self._listeners: list[socket.socket] = []
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> MisbehavingServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self._ports[name]}"

    def reset_counts(self) -> None:
        self.hits.clear()
        self.grants.clear()
        self.refresh_tokens.clear()

    async def _start(self) -> None:
        for name, behaviour in self._behaviours.items():
            sock = socket.socket()
            if self._recv_buffer:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self._recv_buffer)
            sock.bind(("127.0.0.1", 0))
            if isinstance(behaviour, Unread):
                sock.listen()
                sock.setblocking(False)
                self._listeners.append(sock)
                self.tasks.add(asyncio.ensure_future(self._accept(sock, behaviour)))
            else:
                server = await asyncio.start_server(self._handler(name, behaviour), sock=sock)
                self._servers.append(server)
            self._ports[name] = sock.getsockname()[1]

    async def _accept(self, listener: socket.socket, unread: Unread) -> None:
        loop = asyncio.get_running_loop()
        while True:
            sock, _ = await loop.sock_accept(listener)
            sock.setblocking(False)
            self.tasks.add(asyncio.ensure_future(self._run_unread(sock, unread)))

    async def _run_unread(self, sock: socket.socket, unread: Unread) -> None:
        try:
            await unread.behaviour(sock, self)
        except (ConnectionError, OSError):
            pass
        except asyncio.CancelledError:
            return
        finally:
            sock.close()

    async def _stop(self) -> None:
        for listener in self._listeners:
            listener.close()
        for server in self._servers:
            server.close()
        for task in asyncio.all_tasks(self._loop):
            if task is not asyncio.current_task():
                task.cancel()

    def _handler(
        self, name: str, behaviour: Behaviour
    ) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                await behaviour(Connection(self, name, reader, writer))
            except (asyncio.IncompleteReadError, ConnectionError, OSError):
                pass
            except asyncio.CancelledError:
                # The server is stopping: end quietly (asyncio's stream callback would log a
                # cancelled handler as an error).
                return
            finally:
                writer.transport.abort()

        return handle
