"""Memory and CPU per idle user of ``client.as_user`` (10,000 users, no network).

Run: ``python benchmarks/users_memory.py``. Prints bytes per user (tracemalloc) and the
microseconds one ``as_user`` call costs, for a fresh user and for a known one.
"""

from __future__ import annotations

import gc
import time
import tracemalloc

from meetingbooster_async import MeetingBoosterClient

USERS = 10_000


def main() -> None:
    client = MeetingBoosterClient("https://mb.example.com", username="admin", password="pw")
    names = [(f"user{i}@example.com", f"password-{i}") for i in range(USERS)]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    started = time.perf_counter()
    for username, password in names:
        client.as_user(username, password)
    fresh_us = (time.perf_counter() - started) / USERS * 1e6
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    started = time.perf_counter()
    for username, password in names:
        client.as_user(username, password)
    known_us = (time.perf_counter() - started) / USERS * 1e6
    print(f"users: {USERS:,}")
    print(f"memory per idle user: {grown / USERS:,.0f} bytes")
    print(f"as_user, new user: {fresh_us:.1f} us; known user: {known_us:.1f} us")


if __name__ == "__main__":
    main()
