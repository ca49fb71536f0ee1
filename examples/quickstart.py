"""Quick start: the SDK against the bundled emulator, in process (no server, no network).

Run: ``pip install . && python examples/quickstart.py``
"""

from __future__ import annotations

import anyio

from meetingbooster_async import LoginFailedError, MeetingBoosterClient
from meetingbooster_async.testing import Emulator, EmulatorSettings

USER, PASSWORD = "ann@example.com", "correct horse battery staple"


async def main() -> None:
    emulator = Emulator(
        EmulatorSettings(token_lifetime=60), users={USER: PASSWORD}, meetings_per_user=25
    )
    async with MeetingBoosterClient(
        "https://meetingbooster.example",
        username=USER,
        password=PASSWORD,
        transport=emulator.transport(),
    ) as client:
        sync = (await client.get("/api/v1/mymeetings/sync")).json()
        print(f"first sync: {len(sync['Meetings'])} meetings, token {sync['SyncToken'][:12]}…")

        # 1,000 concurrent requests across a token expiry: one login, one refresh.
        emulator.advance(61)
        statuses: list[int] = []

        async def one() -> None:
            response = await client.get("/api/v1/mymeetings/list", params={"maxResults": 5})
            statuses.append(response.status_code)

        async with anyio.create_task_group() as tg:
            for _ in range(1000):
                tg.start_soon(one)
        print(f"1,000 concurrent requests: {statuses.count(200)} OK")

    bad = MeetingBoosterClient(
        "https://meetingbooster.example",
        username=USER,
        password="wrong",
        transport=emulator.transport(),
    )
    async with bad:
        try:
            await bad.login()
        except LoginFailedError as exc:
            print(f"wrong password: {exc.error_state}, retry in {exc.retry_in_seconds:g}s")
    print(f"/oauth calls by grant: {dict(emulator.stats().oauth_calls)}")


if __name__ == "__main__":
    anyio.run(main)
