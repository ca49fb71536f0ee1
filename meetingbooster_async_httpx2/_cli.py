# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_cli.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""The ``meetingbooster`` command line: login, meetings sync/list, signout, and the demo.

Connection settings come from flags or the environment (``MEETINGBOOSTER_URL``,
``MEETINGBOOSTER_USERNAME``, ``MEETINGBOOSTER_PASSWORD``). The password is never taken from
the command line: it is read from the environment, prompted for on a terminal, or read as one
line from standard input. Every error becomes one line on stderr and a distinct exit code.
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import json
import math
import os
import sys
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final

import anyio
import httpx2

from ._client import MeetingBoosterClient
from ._converter import unstructure
from ._errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    ConfigurationError,
    InvalidSyncTokenError,
    LoginFailedError,
    MeetingBoosterError,
    OAuthError,
    OAuthResponseError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from ._fleet_cli import FLEET_PARTIAL, add_fleet_commands
from ._models import MeetingSynchronization
from ._progress import Progress
from ._security import is_loopback, safe_url
from ._version import __version__
from .resources import parse_sync_properties

__all__ = ["EXIT_CODES", "main"]

#: Exit codes, one per kind of failure (documented in the README).
EXIT_CODES: Final = {
    "ok": 0,
    "error": 1,
    "usage": 2,
    "credentials": 3,
    "network": 4,
    "server": 5,
    "permission": 6,
    "demo-failed": 7,
    "fleet-partial": FLEET_PARTIAL,
}

Handler = Callable[[argparse.Namespace], Awaitable[int]]

#: What to install for ``meetingbooster demo`` (it serves the emulator over real HTTP).
DEMO_EXTRA: Final = "pip install 'meetingbooster-async[demo]'"


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return value


def _connection_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("connection (flags or environment)")
    group.add_argument(
        "--url",
        default=os.environ.get("MEETINGBOOSTER_URL"),
        help="server root, e.g. https://mb.example.com ($MEETINGBOOSTER_URL)",
    )
    group.add_argument(
        "--username",
        default=os.environ.get("MEETINGBOOSTER_USERNAME"),
        help="user email ($MEETINGBOOSTER_USERNAME)",
    )
    group.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help="permit plain http:// to a host that is not this machine (passwords and "
        "tokens then travel in clear text)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="meetingbooster",
        description="MeetingBooster from the shell. The password comes from "
        "$MEETINGBOOSTER_PASSWORD, a prompt, or one line on stdin; never from the command line.",
    )
    parser.add_argument(
        "--version", action="version", version=f"meetingbooster-async {__version__}"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    login = commands.add_parser("login", help="check the credentials; show who and for how long")
    _connection_args(login)
    login.set_defaults(handler=_login)

    meetings = commands.add_parser("meetings", help="the user's own meetings")
    meeting_commands = meetings.add_subparsers(
        dest="meetings_command", required=True, metavar="SUBCOMMAND"
    )
    sync = meeting_commands.add_parser(
        "sync", help="the changes since a sync token (every meeting, without one)"
    )
    _connection_args(sync)
    sync.add_argument(
        "--sync-token", help="the token printed by the previous sync (leave out: full sync)"
    )
    sync.add_argument(
        "--properties",
        help="comma-separated properties whose change counts: "
        "Title,Start,End,Invitations,SendInvitations (all when left out)",
    )
    sync.add_argument("--json", action="store_true", help="print the synchronization as JSON")
    sync.set_defaults(handler=_sync)
    listing = meeting_commands.add_parser("list", help="every meeting, following all pages")
    _connection_args(listing)
    listing.add_argument(
        "--page-size",
        type=_positive_int,
        default=100,
        help="meetings per request (maxResults; default 100)",
    )
    listing.add_argument("--json", action="store_true", help="JSON instead of a table")
    listing.set_defaults(handler=_list)

    signout = commands.add_parser("signout", help="log in, then dispose of the tokens")
    _connection_args(signout)
    signout.set_defaults(handler=_signout)

    add_fleet_commands(commands, _connection_args, _check_url)

    demo = commands.add_parser(
        "demo", help=f"run a realistic job on the embedded emulator (needs: {DEMO_EXTRA})"
    )
    demo.add_argument(
        "what",
        nargs="?",
        choices=["fleet"],
        help="fleet: a company's sync into a mirror, killed mid-round and resumed",
    )
    demo.add_argument(
        "--users",
        type=_positive_int,
        default=1000,
        help="demo fleet: how many users (default 1000)",
    )
    demo.add_argument(
        "--requests",
        type=_positive_int,
        default=1000,
        help="concurrent tasks, each making 3 requests (default 1000)",
    )
    demo.add_argument(
        "--token-lifetime",
        type=_positive_seconds,
        default=2.0,
        help="the emulator's access-token lifetime in seconds (default 2)",
    )
    demo.set_defaults(handler=_demo)
    return parser


def _password(username: str) -> str:
    password = os.environ.get("MEETINGBOOSTER_PASSWORD")
    if password:
        return password
    if sys.stdin.isatty():
        return getpass.getpass(f"Password for {username}: ")
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise ConfigurationError("no password: set MEETINGBOOSTER_PASSWORD or pipe it on stdin")
    return line


def _check_url(text: str, *, allow_insecure_http: bool) -> None:
    """Refuse, in the command line's own words, a URL the client would refuse or misread."""
    try:
        url = httpx2.URL(text)
    except httpx2.InvalidURL:
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        shown = text if len(text) <= 60 else text[:57] + "..."
        raise ConfigurationError(
            f"the URL needs https:// (got {shown!r}); e.g. --url https://mb.example.com"
        )
    if url.scheme == "http" and not allow_insecure_http and not is_loopback(url.host):
        raise ConfigurationError(
            f"{safe_url(url)} is not https: the password and tokens would travel in clear "
            "text. Use https://, or add --allow-insecure-http if you mean it."
        )


def _client(args: argparse.Namespace) -> MeetingBoosterClient:
    if not args.url:
        raise ConfigurationError("no server URL: give --url or set MEETINGBOOSTER_URL")
    _check_url(args.url, allow_insecure_http=args.allow_insecure_http)
    if not args.username:
        raise ConfigurationError("no username: give --username or set MEETINGBOOSTER_USERNAME")
    return MeetingBoosterClient(
        args.url,
        username=args.username,
        password=_password(args.username),
        allow_insecure_http=args.allow_insecure_http,
    )


async def _login(args: argparse.Namespace) -> int:
    async with _client(args) as client:
        await client.login()
        lifetime = client.mb_auth.token_lifetime
        valid = f"token valid for {lifetime:.0f} s" if lifetime else "token lifetime unknown"
        print(f"logged in as {client.mb_auth.username} at {client.base_url} ({valid})")
    return 0


async def _sync(args: argparse.Namespace) -> int:
    properties = parse_sync_properties(args.properties) if args.properties else None
    async with _client(args) as client:
        sync = await client.my_meetings.sync(sync_token=args.sync_token, properties=properties)
    if args.json:
        print(json.dumps(unstructure(sync), indent=2))
        return 0
    for line in sync_lines(sync):
        print(line)
    return 0


def sync_lines(sync: MeetingSynchronization) -> list[str]:
    """A summary, one line per changed meeting (change, start, id, title), the sync token."""
    states = Counter(str(change.state) for change in sync.meetings)
    summary = ", ".join(f"{n} {state}" for state, n in sorted(states.items())) or "no changes"
    lines = [f"{len(sync.meetings)} meeting changes ({summary})"]
    for change in sync.meetings:
        meeting = change.meeting
        start = meeting.start if meeting is not None else None
        when = start.strftime("%Y-%m-%d %H:%M") if start else "-"
        meeting_id = (meeting.id if meeting is not None else None) or change.client_sync_id
        title = (meeting.title if meeting is not None else None) or ""
        lines.append(f"  {change.state!s:<9} {when:<17} {meeting_id or '-'}  {title}".rstrip())
    lines.append(f"sync token: {sync.sync_token}")
    return lines


async def _list(args: argparse.Namespace) -> int:
    rows: list[Any] = []
    async with _client(args) as client:
        with Progress("meetings") as progress:
            async for meeting in client.my_meetings.list(page_size=args.page_size):
                rows.append(meeting)
                progress.advance()
    if args.json:
        print(json.dumps([unstructure(meeting) for meeting in rows], indent=2))
        return 0
    print(f"{'Start (UTC)':<17} {'End':<17} {'Title':<40} Id")
    for m in rows:
        start = m.start.strftime("%Y-%m-%d %H:%M") if m.start else "-"
        end = m.end.strftime("%Y-%m-%d %H:%M") if m.end else "-"
        print(f"{start:<17} {end:<17} {(m.title or '')[:40]:<40} {m.id}")
    print(f"{len(rows)} meetings")
    return 0


async def _signout(args: argparse.Namespace) -> int:
    async with _client(args) as client:
        await client.login()
        await client.signout()
        print(f"signed out {client.mb_auth.username}")
    return 0


async def _demo(args: argparse.Namespace) -> int:
    try:
        importlib.import_module("uvicorn")  # the demo serves the emulator over real HTTP
    except ImportError:
        raise ConfigurationError(f"the demo needs the [demo] extra: {DEMO_EXTRA}") from None
    if args.what == "fleet":
        from ._demo_fleet import run_fleet_demo

        return 0 if await run_fleet_demo(users=args.users) else 7
    from ._demo import run_demo

    return 0 if await run_demo(tasks=args.requests, lifetime=args.token_lifetime) else 7


def _login_refused(exc: OAuthError) -> str:
    wait = f"; retry allowed in {exc.retry_in_seconds:g} s" if exc.retry_in_seconds else ""
    words = f": {exc.error_description}" if exc.error_description else ""
    if isinstance(exc, LoginFailedError) and exc.locked:
        return f"login refused: the account is locked after too many failed logins{wait}"
    return f"login refused ({exc.error_state or exc.error}){words}{wait}"


def _status_line(exc: APIStatusError) -> tuple[int, str]:
    if isinstance(exc, AuthenticationError):
        return EXIT_CODES["credentials"], "the server keeps refusing our token (HTTP 401)"
    if isinstance(exc, PermissionDeniedError):
        return EXIT_CODES["permission"], f"permission denied: {exc}"
    if isinstance(exc, InvalidSyncTokenError):
        hint = "; leave out --sync-token for a full sync"
        return EXIT_CODES["error"], f"the server refused the sync token: {exc}{hint}"
    if isinstance(exc, (ServerError, RateLimitError)):
        return EXIT_CODES["server"], f"the server failed: {exc}"
    return EXIT_CODES["error"], f"the server refused the request: {exc}"


def describe_error(exc: BaseException) -> tuple[int, str]:
    """The exit code and the one line that tell a shell user what went wrong."""
    if isinstance(exc, OAuthError):
        return EXIT_CODES["credentials"], _login_refused(exc)
    if isinstance(exc, APIStatusError):
        return _status_line(exc)
    if isinstance(exc, APIConnectionError):
        return EXIT_CODES["network"], f"cannot reach the server: {exc}"
    if isinstance(exc, OAuthResponseError):
        if exc.status_code == 404 and exc.response is not None:
            where = safe_url(exc.response.request.url)
            return EXIT_CODES["usage"], (
                f"no token endpoint at {where} (HTTP 404): check --url (the server's root; "
                "token_url when the endpoint lives elsewhere)"
            )
        return EXIT_CODES["server"], f"the server failed: {exc}"
    if isinstance(exc, ConfigurationError):
        return EXIT_CODES["usage"], str(exc)
    return EXIT_CODES["error"], str(exc)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return anyio.run(handler, args)
    except MeetingBoosterError as exc:
        code, line = describe_error(exc)
        print(f"meetingbooster: {line}", file=sys.stderr)
        return code
    except KeyboardInterrupt:
        print("meetingbooster: interrupted", file=sys.stderr)
        return 130


def entry_point() -> None:
    """The ``meetingbooster`` console script."""
    sys.exit(main())
