"""A worker process for the cross-process token test: one client on a shared Redis store.

Reads a line per phase from stdin, fires N concurrent requests, prints a JSON line of status
counts. Exits on EOF. Run by tests/test_shared_tokens_processes.py, not by pytest itself.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

import anyio
import httpx

from meetingbooster_async import MeetingBoosterClient, RedisTokenStore


async def main(url: str, redis_url: str, user: str, password: str, n: int) -> None:
    store = RedisTokenStore.from_url(redis_url)
    # 500 requests queue behind the in-flight slots on purpose: no pool timeout on that queue.
    timeout = httpx.Timeout(10.0, connect=3.0, pool=None)
    async with MeetingBoosterClient(
        url, username=user, password=password, token_store=store, timeout=timeout
    ) as c:
        print(json.dumps({"ready": True}), flush=True)
        while await anyio.to_thread.run_sync(sys.stdin.readline):
            outcomes: Counter[str] = Counter()

            async def one(outcomes: Counter[str]) -> None:
                try:
                    response = await c.get("/api/v1/mymeetings/list", params={"maxResults": 1})
                    outcomes[str(response.status_code)] += 1
                except Exception as exc:  # counted, reported: the test asserts there are none
                    outcomes[type(exc).__name__] += 1

            async with anyio.create_task_group() as tg:
                for _ in range(n):
                    tg.start_soon(one, outcomes)
            print(json.dumps(outcomes), flush=True)
    await store.aclose()


if __name__ == "__main__":
    url, redis_url, user, password, n = sys.argv[1:6]
    anyio.run(main, url, redis_url, user, password, int(n))
