# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_fleet_cli.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""``meetingbooster fleet run`` and ``fleet status``: a whole company's sync from the shell.

``fleet run --users FILE --db sqlite:///fleet.db`` runs one round for every user of the CSV
file into the SQLite mirror and prints the report (``--every 15m`` keeps going until
interrupted, finishing the round in flight). ``fleet status --db ...`` shows each user's last
successful round and last failure. The server comes from ``--url`` or ``MEETINGBOOSTER_URL``.
Exit codes: 0 when every user synced, ``fleet-partial`` (8) when some failed (they are
named), and the command line's usual codes for a bad file, URL or database.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import re
import signal
import socket
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

import anyio

from ._checkpoints import SQLiteCheckpointStore
from ._client import MeetingBoosterClient
from ._credentials import CommandPasswords, CsvPasswords, read_users
from ._errors import ConfigurationError
from ._fleet import SyncFleet
from ._fleet_report import FleetEvent, FleetReport
from ._progress import Progress

__all__ = ["FLEET_PARTIAL", "add_fleet_commands", "parse_every", "sqlite_path"]

#: The exit code of a round in which some users failed (the others synced).
FLEET_PARTIAL: Final = 8

_EVERY: Final = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*$")


def parse_every(text: str) -> float:
    """``90``, ``90s``, ``15m``, ``2h`` → seconds."""
    match = _EVERY.match(text)
    if match is None or float(match[1]) <= 0:
        raise argparse.ArgumentTypeError(f"expected a period like 90s, 15m or 2h, got {text!r}")
    return float(match[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[match[2]]


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///path`` URL (``sqlite:////abs/path`` for an absolute one)."""
    if not url.startswith("sqlite:///") or len(url) == len("sqlite:///"):
        raise ConfigurationError(
            f"--db {url!r} is not a database URL this version knows: use sqlite:///fleet.db"
        )
    return Path(url[len("sqlite:///") :])


def add_fleet_commands(
    commands: Any,
    connection_args: Callable[[argparse.ArgumentParser], None],
    check_url: Callable[..., None],
) -> None:
    """Register ``fleet run`` and ``fleet status`` on the ``meetingbooster`` parser (with the
    command line's connection flags and URL rules)."""
    fleet = commands.add_parser("fleet", help="sync every user of a company into a mirror")
    sub = fleet.add_subparsers(dest="fleet_command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="one round for every user (or one every --every)")
    connection_args(run)
    run.add_argument("--users", required=True, type=Path, help="CSV: username[,password]")
    run.add_argument("--db", default="sqlite:///fleet.db", help="sqlite:///fleet.db (default)")
    run.add_argument(
        "--password-command",
        help="run CMD USERNAME and read the password from its output (else the CSV's column)",
    )
    run.add_argument("--every", type=parse_every, help="keep going: a round every 15m, 1h…")
    run.add_argument("--concurrency", type=int, default=16, help="users in flight (16)")
    run.add_argument(
        "--owner",
        help="this runner's lease name (default: this machine and database; a restart after "
        "a crash takes its leases back)",
    )
    run.add_argument(
        "--resources", default="meetings,tasks", help="what to sync per user (meetings,tasks)"
    )
    run.set_defaults(handler=_run, check_url=check_url)
    status = sub.add_parser("status", help="each user's last round and last failure")
    status.add_argument("--db", default="sqlite:///fleet.db", help="sqlite:///fleet.db (default)")
    status.set_defaults(handler=_status)


_GRANT_WORDS = {"password": "logins", "refresh_token": "refreshes", "signout": "signouts"}


def _oauth_line(report: FleetReport) -> str:
    """``/oauth`` grants by grant, each with what did not succeed: ``3 logins (1 refused)``."""
    parts = []
    for grant, outcomes in sorted(report.oauth.items()):
        total = sum(outcomes.values())
        bad = ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items()) if o != "ok")
        parts.append(f"{total} {_GRANT_WORDS.get(grant, grant)}" + (f" ({bad})" if bad else ""))
    return ", ".join(parts) or "none"


def report_lines(report: FleetReport) -> list[str]:
    """The report as the command prints it."""
    changes = ", ".join(f"{n} {r}" for r, n in sorted(report.changes.items())) or "none"
    lines = [
        f"users: {report.users}, ok: {report.ok}, failed: {len(report.failed_users)}, "
        f"skipped: {report.skipped}",
        f"changes applied: {changes}",
        f"/oauth calls: {_oauth_line(report)}; {report.seconds:.1f} s",
    ]
    lines += [f"failed ({reason}): {', '.join(users)}" for reason, users in report.failed.items()]
    return lines


async def _run(args: argparse.Namespace) -> int:
    if not args.url:
        raise ConfigurationError("no server URL: give --url or set MEETINGBOOSTER_URL")
    args.check_url(args.url, allow_insecure_http=args.allow_insecure_http)
    users = read_users(args.users)
    path = sqlite_path(args.db)
    credentials = (
        CommandPasswords(args.password_command)
        if args.password_command
        else CsvPasswords(args.users)
    )
    resources: Any = tuple(r.strip() for r in args.resources.split(",") if r.strip())
    progress = Progress("user rounds", len(users) * len(resources), stream=sys.stderr)
    path = path.resolve()  # one lock file and one lease name per database, links or not
    with _one_run_per_database(path) as alone:
        owner = args.owner or (_owner(path) if alone else f"{_owner(path)}:{uuid.uuid4().hex}")
        return await _run_locked(args, users, path, credentials, resources, progress, owner)


@contextlib.contextmanager
def _one_run_per_database(path: Path) -> Iterator[bool]:
    """One ``fleet run`` per database on this machine at a time (a lock file the OS frees
    when the process dies); runs on other machines are kept apart by the per-user leases.
    Yields whether the run is known to be alone here (False where there is no ``fcntl``)."""
    try:
        import fcntl
    except ImportError:  # Windows: no lock file; a lease name per run keeps runs apart
        yield False
        return
    lock_path = path.with_name(path.name + ".lock")
    try:
        handle = lock_path.open("a")
    except OSError as exc:
        raise ConfigurationError(f"--db {path}: cannot write beside it ({exc.strerror})") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ConfigurationError(
                f"another `fleet run` is using {path} on this machine; let it finish"
            ) from None
        yield True


def _owner(path: Path) -> str:
    """This machine's lease name for ``path``: a run restarted after a crash takes its own
    leases back at once (the lock file makes it the only run here)."""
    return f"{socket.gethostname()}:{path.resolve()}"


async def _run_locked(
    args: argparse.Namespace,
    users: list[str],
    path: Path,
    credentials: Any,
    resources: Any,
    progress: Progress,
    owner: str,
) -> int:
    def on_event(event: FleetEvent) -> None:
        if event.kind in ("checkpointed", "skipped", "failed"):
            progress.advance()

    store = SQLiteCheckpointStore(path)
    await store.open()
    try:
        async with MeetingBoosterClient(
            args.url,
            username=args.username or "fleet",
            password="",  # the client's own user is never used: every request is as_user's
            allow_insecure_http=args.allow_insecure_http,
            signout_on_close=False,
            limits=_limits(args.concurrency),
        ) as client:
            fleet = SyncFleet(
                client,
                users,
                credentials=credentials,
                store=store,
                resources=resources,
                concurrency=args.concurrency,
                owner=owner,
                on_event=on_event,
            )
            if args.every is None:
                report = await fleet.run_round()
                progress.close()
                return _print_report(report)
            stop = anyio.Event()
            async with anyio.create_task_group() as tg:
                if sys.platform != "win32":  # no signal handlers there: Ctrl-C stops at once
                    tg.start_soon(_stop_on_signal, stop)
                await fleet.run_forever(args.every, stop=stop, on_report=_print_report)
                tg.cancel_scope.cancel()
            return 0
    finally:
        await store.aclose()


async def _stop_on_signal(stop: anyio.Event) -> None:
    """SIGINT or SIGTERM: no new round; the one in flight finishes (its users stay consistent)."""
    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async for _ in signals:
            print("meetingbooster: stopping after this round", file=sys.stderr)
            stop.set()
            return


def _limits(concurrency: int) -> Any:
    import httpx2

    return httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)


def _print_report(report: FleetReport) -> int:
    for line in report_lines(report):
        print(line)
    return FLEET_PARTIAL if report.failed_users else 0


def _when(at: float | None) -> str:
    if at is None:
        return "-"
    return datetime.datetime.fromtimestamp(at, datetime.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


async def _status(args: argparse.Namespace) -> int:
    path = sqlite_path(args.db)
    if not path.exists():
        raise ConfigurationError(f"--db {args.db}: no such database (run `fleet run` first)")
    async with SQLiteCheckpointStore(path) as store:
        states = await store.users()
    print(f"{'user':<32} {'last ok':<21} {'last failure':<21} reason")
    for state in states:
        reason = state.reason if state.last_failure else ""
        ok, failure = _when(state.last_ok), _when(state.last_failure)
        print(f"{state.username:<32} {ok:<21} {failure:<21} {reason}")
    return 0
