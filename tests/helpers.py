"""Helpers shared by test modules (test modules import from here, never from each other)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import anyio

from meetingbooster_async import LoginFailedError, MeetingBoosterClient

LIST = "/api/v1/mymeetings/list"


async def fire(
    client: MeetingBoosterClient,
    n: int,
    outcomes: Counter[Any],
    *,
    path: str = LIST,
    count: tuple[type[Exception], ...] = (LoginFailedError,),
) -> None:
    """Send ``n`` GETs of ``path`` at once (one task group) and count how each ended.

    An answer counts under its status code; an exception of a ``count`` type under its class
    name (any other fails the task group, and so the test).
    """

    async def one() -> None:
        try:
            response = await client.get(path)
        except count as exc:
            outcomes[type(exc).__name__] += 1
        else:
            outcomes[response.status_code] += 1

    async with anyio.create_task_group() as tg:
        for _ in range(n):
            tg.start_soon(one)
