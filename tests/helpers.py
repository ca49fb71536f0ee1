"""Helpers shared by test modules (test modules import from here, never from each other)."""

from __future__ import annotations

import ast
import re
from collections import Counter
from typing import Any

import anyio

from meetingbooster_async import LoginFailedError, MeetingBoosterClient
from meetingbooster_async.testing import Emulator

from .emulated import LIST


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


async def held_storm(client: MeetingBoosterClient, emulator: Emulator, n: int) -> Counter[Any]:
    """:func:`fire` ``n`` GETs with ``/oauth`` held at ``emulator`` until every one of them
    waits, then release it; asserts that one ``/oauth`` call was all that went out meanwhile."""
    outcomes: Counter[Any] = Counter()
    before = emulator.stats().oauth_total
    emulator.faults.hold("oauth")
    async with anyio.create_task_group() as tg:
        tg.start_soon(fire, client, n, outcomes)
        with anyio.fail_after(30):  # a hang guard, not a speed limit
            await emulator.faults.wait_held(1, "oauth")
        await anyio.wait_all_tasks_blocked()
        assert emulator.faults.held("oauth") == 1  # one /oauth call, the rest wait
        assert emulator.stats().oauth_total == before + 1
        emulator.faults.release("oauth")
    return outcomes


_PATH_STEP = re.compile(
    r"\.([A-Za-z_][A-Za-z0-9_]*)"  # .Key
    r"|\[(\d+)\]"  # [index]
    r"""|\[('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\]"""  # ['any key'] (a repr)
)
#: A path names the key a field is written under; the data may hold an accepted misspelling.
_READ_AS = {"Occurences": ("Occurrences",), "CalendarEntries": ("CalendaerEntries",)}


def assert_json_path(data: Any, path: str, *, missing_key: bool = False) -> None:
    """Fail the test unless each step of the JSON path (``$.Key[0]['odd key']``) is in ``data``.

    With ``missing_key`` (a "required key missing" error) the last step names a key that the
    object it leads to must lack.
    """
    assert path.startswith("$"), path
    nodes, rest = [data], path[1:]
    while rest:
        step = _PATH_STEP.match(rest)
        assert step is not None, (path, rest)
        rest = rest[step.end() :]
        node = nodes[-1]
        if step[2] is not None:
            assert isinstance(node, list) and int(step[2]) < len(node), (path, node)
            nodes.append(node[int(step[2])])
            continue
        key = step[1] if step[1] is not None else ast.literal_eval(step[3])
        assert isinstance(node, dict), (path, node)
        present = [k for k in (key, *_READ_AS.get(key, ())) if k in node]
        if missing_key and not rest:
            assert not present, (path, sorted(node))
            return
        assert present, (path, sorted(node))
        nodes.append(node[present[0]])
