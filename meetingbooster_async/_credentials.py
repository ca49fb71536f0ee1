"""Where a sync fleet gets its users and their passwords: a CSV file, or a command.

A credentials provider is ``async (username) -> password``, asked only when a login is needed.
Neither provider here holds a password in memory between logins: the CSV provider reads the
file again for the one user it is asked about; the command provider runs the command with the
username as its one argument and reads the password from its standard output.
"""

from __future__ import annotations

import csv
import shlex
import subprocess
from pathlib import Path
from typing import Final

import anyio
import anyio.to_thread

from ._errors import ConfigurationError, MeetingBoosterError

__all__ = ["CommandPasswords", "CredentialsError", "CsvPasswords", "read_users"]

#: How long a password command may take (seconds).
COMMAND_TIMEOUT: Final = 30.0


class CredentialsError(MeetingBoosterError):
    """A user's password could not be had (no such row, an empty password, a failed command)."""


def _rows(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or "username" not in reader.fieldnames:
                raise ConfigurationError(f"{path}: the users file needs a 'username' column")
            return [dict(row) for row in reader]
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read the users file ({exc.strerror})") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{path}: not a CSV users file ({exc})") from None


def read_users(path: str | Path) -> list[str]:
    """The usernames of a CSV users file (a ``username`` column; ``password`` optional).

    Blank usernames and repeats are refused with the line they are on: a half-read file syncs
    nobody rather than the wrong users.
    """
    path = Path(path)
    users: list[str] = []
    seen: set[str] = set()
    for line, row in enumerate(_rows(path), start=2):
        username = (row.get("username") or "").strip()
        if not username:
            raise ConfigurationError(f"{path}:{line}: empty username")
        if username.lower() in seen:
            raise ConfigurationError(f"{path}:{line}: {username} is listed twice")
        seen.add(username.lower())
        users.append(username)
    return users


class CsvPasswords:
    """Passwords from the ``password`` column of the users file, read anew for each login."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"<CsvPasswords {str(self.path)!r}>"

    async def __call__(self, username: str) -> str:
        def find() -> str:
            for row in _rows(self.path):
                if (row.get("username") or "").strip().lower() == username.lower():
                    password = row.get("password") or ""
                    if not password:
                        raise CredentialsError(f"{self.path}: no password for {username}")
                    return password
            raise CredentialsError(f"{self.path}: no row for {username}")

        return await anyio.to_thread.run_sync(find)


class CommandPasswords:
    """Passwords from a command: ``CMD username``, its first line of output (a vault CLI…)."""

    def __init__(self, command: str, *, timeout: float = COMMAND_TIMEOUT) -> None:
        self.argv = shlex.split(command)
        if not self.argv:
            raise ConfigurationError("--password-command is empty")
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"<CommandPasswords {self.argv[0]!r}>"

    async def __call__(self, username: str) -> str:
        try:
            with anyio.fail_after(self.timeout):
                done = await anyio.run_process(
                    [*self.argv, username], check=False, stderr=subprocess.DEVNULL
                )
        except TimeoutError:
            raise CredentialsError(f"the password command took over {self.timeout:g} s") from None
        except OSError as exc:
            raise CredentialsError(
                f"the password command failed to start: {exc.strerror}"
            ) from None
        if done.returncode != 0:
            raise CredentialsError(
                f"the password command exited with {done.returncode} for {username}"
            )
        password = done.stdout.decode("utf-8", "replace").splitlines()[0] if done.stdout else ""
        if not password:
            raise CredentialsError(f"the password command printed no password for {username}")
        return password
