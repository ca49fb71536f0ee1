"""The benchmark server: the MeetingBooster emulator on uvicorn (uvloop + httptools), own process.

Run by ``benchmarks/run.py``; by hand: ``python benchmarks/server.py --user a@b.c:pw``. It binds
127.0.0.1 (port 0 picks a free one), prints one JSON line ``{"port": N}`` once it is listening,
and serves until SIGTERM / SIGINT. It is scripted over HTTP through ``/_emulator/...``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket

import uvicorn

from meetingbooster_async.testing import Emulator, EmulatorSettings


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--user", action="append", default=[], metavar="EMAIL:PASSWORD")
    parser.add_argument("--meetings-per-user", type=int, default=1)
    parser.add_argument(
        "--generated-users",
        type=int,
        default=0,
        metavar="N",
        help="also users user{n}@fleet.test with password pw-{n} and one task each (the fleet)",
    )
    parser.add_argument("--token-lifetime", type=float, default=1200.0)
    parser.add_argument("--cpu", type=int, default=None, help="pin the process to this CPU")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    users = [tuple(text.split(":", 1)) for text in args.user]
    emulator = Emulator(
        EmulatorSettings(token_lifetime=args.token_lifetime, rotate_refresh_tokens=True),
        users=users,
        meetings_per_user=args.meetings_per_user,
    )
    for n in range(args.generated_users):
        emulator.add_user(f"user{n}@fleet.test", f"pw-{n}", meetings=args.meetings_per_user)
        emulator.add_task(f"user{n}@fleet.test", Title=f"task of user {n}")
    sock = socket.create_server(("127.0.0.1", args.port), backlog=4096)
    config = uvicorn.Config(
        emulator,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        ws="none",
        log_config=None,
        log_level="warning",
        access_log=False,
        backlog=4096,
        timeout_keep_alive=60,
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    print(json.dumps({"port": sock.getsockname()[1]}), flush=True)
    try:
        server.run(sockets=[sock])  # uvicorn handles SIGINT and SIGTERM: a graceful stop
    finally:
        sock.close()


if __name__ == "__main__":
    main()
