"""Scenarios 3 to 5: thousands of concurrent requests against faults, over real HTTP.

* a cancellation storm across several hidden token expiries;
* a slow-loris token endpoint under 1,000 waiting requests, each with its own deadline;
* a server restart that forgets every token while 500 requests are in flight.

Each asserts exact ``/oauth`` counts from the emulator's stats; each is bounded.
"""

from __future__ import annotations

import random
from collections import Counter
from functools import partial
from typing import Any

import anyio
import pytest

from meetingbooster_async import (
    APITimeoutError,
    MeetingBoosterAuth,
    MeetingBoosterClient,
    TokenPolicy,
)
from meetingbooster_async.testing import EmulatorServer

from ..helpers import fire
from .helpers import LIST, PASSWORD, USER, ReliabilityEmulator, client

pytestmark = [pytest.mark.anyio]

# --- the cancellation storm ----------------------------------------------------------------

STORM_TASKS = 5000
STORM_WAVES = 5  # one hidden expiry before each wave
STORM_SEED = 20240304
#: Cancels land 0 to this many seconds after a wave starts (a wave takes about 1 to 1.5 s).
STORM_MAX_CANCEL_DELAY = 1.0
#: The whole storm's bound (measured: 6 to 8 s per backend on 2 cores).
STORM_BOUND = 45.0
#: /oauth answers this slowly, so cancels also land while hundreds wait for the refresh.
OAUTH_LATENCY = 0.05


async def _storm_wave(
    c: MeetingBoosterClient, rng: random.Random, size: int, outcomes: Counter[Any]
) -> None:
    async def request(scope: anyio.CancelScope) -> None:
        with scope:
            response = await c.get(LIST)
            outcomes[response.status_code] += 1  # awaited first, then counted
            return
        outcomes["cancelled"] += 1

    async def cancel_later(scope: anyio.CancelScope, delay: float) -> None:
        await anyio.sleep(delay)
        scope.cancel()

    doomed = set(rng.sample(range(size), size // 3))
    async with anyio.create_task_group() as tg:
        for index in range(size):
            scope = anyio.CancelScope()
            if index in doomed:
                tg.start_soon(cancel_later, scope, rng.uniform(0, STORM_MAX_CANCEL_DELAY))
            tg.start_soon(request, scope)


async def test_cancellation_storm_across_expiries(
    server: EmulatorServer, emulator: ReliabilityEmulator, anyio_backend: str
) -> None:
    """5,000 requests in 5 waves, each after a hidden expiry; a seeded third is cancelled at
    random points (queued at the gate, waiting for or leading the refresh, in flight).

    Every survivor succeeds, each expiry costs exactly one refresh and no login, and nothing
    stays held afterwards.
    """
    rng = random.Random(STORM_SEED)
    outcomes: Counter[Any] = Counter()
    emulator.faults.set_latency("oauth", OAUTH_LATENCY)
    async with client(server) as c:
        await c.login()
        started = anyio.current_time()
        with anyio.fail_after(STORM_BOUND):
            for _ in range(STORM_WAVES):
                emulator.expire_access_tokens()  # only a 401 tells the client
                await _storm_wave(c, rng, STORM_TASKS // STORM_WAVES, outcomes)
        elapsed = anyio.current_time() - started
        stats = emulator.stats()
        # Nothing stays held: not the token lock, not an in-flight slot.
        lock = c.mb_auth._alock  # made on first signout only
        assert lock is None or not lock.locked()
        assert c._gate is not None and c._gate.free == 100
        with anyio.fail_after(2):
            assert (await c.get(LIST)).status_code == 200
        # And the next expiry is still one refresh.
        emulator.expire_access_tokens()
        with anyio.fail_after(2):
            assert (await c.get(LIST)).status_code == 200
        after = emulator.stats()
    cancelled = outcomes["cancelled"]
    print(
        f"\ncancellation storm [{anyio_backend}]: {STORM_TASKS} tasks, "
        f"{STORM_TASKS // STORM_WAVES // 3 * STORM_WAVES} doomed, {cancelled} cancelled, "
        f"{outcomes[200]} succeeded, /oauth {dict(stats.oauth_calls)}, {elapsed:.2f}s"
    )
    assert set(outcomes) <= {200, "cancelled"}  # every survivor succeeded
    assert outcomes[200] + cancelled == STORM_TASKS
    assert 0 < cancelled <= STORM_TASKS // STORM_WAVES // 3 * STORM_WAVES
    assert stats.oauth_calls == {"password": 1, "refresh_token": STORM_WAVES}
    assert after.oauth_calls == {"password": 1, "refresh_token": STORM_WAVES + 1}
    assert elapsed < STORM_BOUND


# --- the slow-loris token endpoint ---------------------------------------------------------

LORIS_REQUESTS = 1000
LORIS_DEADLINE = 1.0
#: A call may end this much after its deadline (a bound on a hang, not a speed test).
LORIS_TOLERANCE = 1.5
#: The whole /oauth exchange's bound (default 30 s): long enough to see a hang past the
#: callers' deadlines, short enough to keep the suite quick when one happens.
LORIS_TOKEN_TIMEOUT = 3.0


async def _loris(c: MeetingBoosterClient) -> tuple[Counter[Any], list[float]]:
    outcomes: Counter[Any] = Counter()
    elapsed: list[float] = []
    extensions = {"meetingbooster_deadline": LORIS_DEADLINE}

    async def request() -> None:
        started = anyio.current_time()
        try:
            await c.get(LIST, extensions=extensions)
        except APITimeoutError:
            outcomes["APITimeoutError"] += 1
        except Exception as exc:  # counted, so the assertion shows what it was
            outcomes[type(exc).__name__] += 1
        else:
            outcomes["ok"] += 1
        elapsed.append(anyio.current_time() - started)

    async with anyio.create_task_group() as tg:
        for _ in range(LORIS_REQUESTS):
            tg.start_soon(request)
    return outcomes, elapsed


@pytest.mark.parametrize(
    ("start", "gate"), [("cold", "gated"), ("cold", "ungated"), ("after-401", "gated")]
)
async def test_slow_loris_token_endpoint_fails_everyone_at_the_deadline(
    server: EmulatorServer,
    emulator: ReliabilityEmulator,
    start: str,
    gate: str,
    anyio_backend: str,
) -> None:
    """1,000 requests wait on a token endpoint that never answers: all fail at their deadline.

    The exchange belongs to no caller: every caller leaves at its own deadline while the one
    exchange runs on to its ``token_timeout`` (its attempts hang, one at a time). ``ungated``
    (``max_in_flight=None``) puts all 1,000 in the token queue at once. (Not ``after-401``
    ungated: 1,000 requests then fill httpcore's pool and the refresh queues behind them.)
    """
    kwargs: dict[str, Any] = {"max_in_flight": None} if gate == "ungated" else {}
    # A short token_timeout keeps a caller held past its deadline visible but brief.
    kwargs["auth"] = MeetingBoosterAuth(
        token_url=f"{server.url}/oauth",
        username=USER,
        password=PASSWORD,
        token_timeout=LORIS_TOKEN_TIMEOUT,
        token_policy=TokenPolicy(failure_backoff=0),  # recovery checked at once below
    )
    async with client(server, **kwargs) as c:
        with anyio.fail_after(LORIS_DEADLINE + 20):
            if start == "after-401":
                await c.login()
                emulator.expire_access_tokens()
            emulator.faults.hold("oauth")  # /oauth takes the call and never answers
            outcomes, elapsed = await _loris(c)
            await emulator.faults.wait_released("oauth")  # the server saw every hang-up
            emulator.faults.release()
            # The stall is over: the next request recovers with one more /oauth call.
            assert (await c.get(LIST)).status_code == 200
            stats = emulator.stats()
    grant = "password" if start == "cold" else "refresh_token"
    at_server = stats.oauth_outcomes[grant]
    hung = at_server.get("abandoned", 0)
    print(
        f"\nslow loris [{anyio_backend}, {start}, {gate}]: {dict(outcomes)}, "
        f"elapsed {min(elapsed):.2f}..{max(elapsed):.2f}s, /oauth {dict(stats.oauth_calls)}, "
        f"{grant} at the server {dict(at_server)}"
    )
    assert outcomes == {"APITimeoutError": LORIS_REQUESTS}
    assert max(elapsed) < LORIS_DEADLINE + LORIS_TOLERANCE
    assert min(elapsed) >= LORIS_DEADLINE - 0.5  # nobody failed long before the deadline
    # Every /oauth call is accounted for: hung and abandoned by its caller, or answered.
    assert hung >= 1 and sum(at_server.values()) == stats.oauth_calls[grant]
    # An attempt may reach the server only after the stall is lifted, answered into a closed
    # connection ("ok"). The client's part is exact: the recovery costs one exchange.
    assert set(at_server) <= {"abandoned", "ok"}
    if start == "cold":
        assert set(stats.oauth_calls) == {"password"}
    else:
        # the first login, the fallback login inside the hung exchange, the recovery
        assert stats.oauth_calls["password"] in (1, 2, 3)
        # The hung refresh token was spent: never sent again, so never invalid_grant.
        assert at_server.get("invalid_grant", 0) == 0


# --- a restart that forgets every token ----------------------------------------------------

RESTART_REQUESTS = 500


async def test_restart_with_requests_in_flight_costs_one_login(
    server: EmulatorServer, emulator: ReliabilityEmulator
) -> None:
    outcomes: Counter[Any] = Counter()
    async with client(server) as c:
        with anyio.fail_after(30):
            await c.login()
            emulator.faults.hold("list")
            async with anyio.create_task_group() as tg:
                tg.start_soon(partial(fire, c, RESTART_REQUESTS, outcomes, count=(Exception,)))
                # A full pool of requests sits at the server, 400 more queue in the client.
                await emulator.faults.wait_held(100, "list")
                emulator.restart()
                emulator.faults.release("list")
            stats = emulator.stats()
    assert outcomes == {200: RESTART_REQUESTS}
    assert stats.oauth_calls == {"password": 2, "refresh_token": 1}
    assert stats.oauth_outcomes["refresh_token"] == {"invalid_grant": 1}
    # Only the 100 held requests carried a forgotten token; the queued ones got the new one.
    assert stats.data_statuses == {200: RESTART_REQUESTS, 401: 100}


async def test_restart_while_the_refresh_is_in_flight_costs_one_login(
    server: EmulatorServer, emulator: ReliabilityEmulator
) -> None:
    outcomes: Counter[Any] = Counter()
    async with client(server) as c:
        with anyio.fail_after(30):
            await c.login()
            emulator.expire_access_tokens()
            emulator.faults.hold("oauth")
            async with anyio.create_task_group() as tg:
                tg.start_soon(partial(fire, c, RESTART_REQUESTS, outcomes, count=(Exception,)))
                await emulator.faults.wait_held(1, "oauth")  # the refresh is at the server
                await anyio.wait_all_tasks_blocked()
                emulator.restart()  # ...and the refresh token it carries is forgotten
                emulator.faults.release("oauth")
            stats = emulator.stats()
    assert outcomes == {200: RESTART_REQUESTS}
    assert stats.oauth_calls == {"password": 2, "refresh_token": 1}
    assert stats.oauth_outcomes["refresh_token"] == {"invalid_grant": 1}
    assert stats.data_statuses == {200: RESTART_REQUESTS, 401: 100}
