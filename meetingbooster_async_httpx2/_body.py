# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_body.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""A bytes request body whose async iterator is a plain object, not an async generator.

httpx2 0.28's ``ByteStream.__aiter__`` is an async generator; httpcore2 leaves it unclosed when
a send is cancelled mid-body, and trio warns when it is collected (encode/httpx#3686). The
SDK cancels sends on purpose (deadlines), so it swaps the stream; it stays replayable.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2

__all__ = ["plain_async_body"]


class _OneChunk:
    __slots__ = ("_chunk",)

    def __init__(self, chunk: bytes) -> None:
        self._chunk: bytes | None = chunk

    def __aiter__(self) -> _OneChunk:
        return self

    async def __anext__(self) -> bytes:
        chunk, self._chunk = self._chunk, None
        if chunk is None:
            raise StopAsyncIteration
        return chunk


class _PlainByteStream(httpx2.ByteStream):
    def __aiter__(self) -> AsyncIterator[bytes]:
        return _OneChunk(self._stream)


def plain_async_body(request: httpx2.Request) -> httpx2.Request:
    """Give ``request`` a body stream that trio will not find unclosed."""
    if type(request.stream) is httpx2.ByteStream:
        request.stream = _PlainByteStream(request.content)
    return request
