# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/testing/_state.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""The emulator's in-memory server state: users, their meetings, tokens and lockouts."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from ._clock import EmulatorClock, format_datetime
from ._http import Request, Response, api_error
from ._meetings import ApiFailure, MeetingBook, MeetingRecord, normalize_meeting_fields
from ._settings import EmulatorSettings
from ._tasks import TaskBook
from ._tokens import LoginGuard, TokenStore

__all__ = ["State", "User"]

# Deterministic ids: the same seed gives the same GUIDs in every run.
_NAMESPACE = uuid.UUID("6f1d0c2e-8a43-4b57-9d1e-3c5a7b9e0f21")
_SEED_START = datetime(2024, 1, 8, 9, 0, tzinfo=UTC)


def _stable_id(*parts: object) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(str(part) for part in parts)))


@attrs.define(eq=False)
class User:
    """A MeetingBooster user (``JSUser``) and the password the emulator checks."""

    id: str
    email: str
    password: str = attrs.field(repr=False)
    name: str = ""
    title: str = ""
    enabled: bool = True
    guest: bool = False

    def to_json(self) -> dict[str, Any]:
        """The ``JSUser`` of this user."""
        return {
            "Id": self.id,
            "Name": self.name,
            "Email": self.email,
            "Title": self.title,
            "Enabled": self.enabled,
            "Guest": self.guest,
        }

    def ui(self) -> dict[str, str]:
        """The ``JSUserUI`` of this user."""
        return {"Id": self.id, "Name": self.name, "Email": self.email}


class State:
    """Everything a MeetingBooster server would hold, behind one lock owned by the caller."""

    def __init__(self, settings: EmulatorSettings, clock: EmulatorClock) -> None:
        self.settings = settings
        self.clock = clock
        self.tokens = TokenStore()
        self.guard = LoginGuard()
        self._users: dict[str, User] = {}
        self._users_by_id: dict[str, User] = {}
        self._books: dict[str, MeetingBook] = {}
        self._task_books: dict[str, TaskBook] = {}
        self._owners: dict[str, str] = {}

    # Users

    def add_user(
        self,
        email: str,
        password: str,
        *,
        name: str | None = None,
        title: str = "",
        enabled: bool = True,
        guest: bool = False,
        user_id: str | None = None,
    ) -> User:
        """Create a user; the email is lower-cased and must be new."""
        key = email.strip().lower()
        if not key or key in self._users:
            msg = f"user {key!r} is empty or exists already"
            raise ValueError(msg)
        user = User(
            id=user_id or _stable_id("user", key),
            email=key,
            password=password,
            name=name if name is not None else key.split("@")[0].replace(".", " ").title(),
            title=title,
            enabled=enabled,
            guest=guest,
        )
        self._users[key] = user
        self._users_by_id[user.id] = user
        self._books[user.id] = MeetingBook()
        return user

    def user(self, email: str) -> User:
        """The user with ``email``; raises ``KeyError`` when there is none."""
        return self._users[email.strip().lower()]

    def find_user(self, username: str) -> User | None:
        """The user a login names, or ``None``."""
        return self._users.get(username.strip().lower())

    def users(self) -> list[User]:
        """Every user, in creation order."""
        return list(self._users.values())

    def book(self, user: User) -> MeetingBook:
        """``user``'s meetings."""
        return self._books[user.id]

    def tasks(self, user: User) -> TaskBook:
        """``user``'s tasks (made on first use)."""
        book = self._task_books.get(user.id)
        if book is None:
            book = self._task_books[user.id] = TaskBook()
        return book

    # Meetings

    def owner_of(self, meeting_id: str) -> User | None:
        """The host of the meeting with ``meeting_id`` (any user), or ``None``."""
        user_id = self._owners.get(meeting_id.lower())
        return self._users_by_id.get(user_id) if user_id else None

    def create_meeting(
        self,
        user: User,
        fields: Mapping[str, Any],
        *,
        meeting_id: str | None = None,
        client_sync_id: str | None = None,
    ) -> MeetingRecord:
        """Create a meeting hosted by ``user`` from raw JSMeeting ``fields``."""
        new_id = meeting_id or str(uuid.uuid4())
        if new_id.lower() in self._owners:
            raise ApiFailure(400, f"a meeting with Id {new_id} exists already", "BADREQUEST")
        normalized = normalize_meeting_fields(fields, strict=self.settings.reject_unknown_keys)
        record = self.book(user).create(
            new_id,
            normalized,
            host=user.ui(),
            modified=self.clock.wall_text(),
            client_sync_id=client_sync_id,
        )
        self._owners[new_id.lower()] = user.id
        return record

    def update_meeting(
        self,
        user: User,
        record: MeetingRecord,
        fields: Mapping[str, Any],
        *,
        client_sync_id: str | None = None,
    ) -> list[str]:
        """Change ``user``'s meeting from raw JSMeeting ``fields``; returns the changed keys."""
        normalized = normalize_meeting_fields(fields, strict=self.settings.reject_unknown_keys)
        return self.book(user).update(
            record, normalized, modified=self.clock.wall_text(), client_sync_id=client_sync_id
        )

    def delete_meeting(self, user: User, record: MeetingRecord) -> None:
        """Delete ``user``'s meeting."""
        self.book(user).delete(record, deleted_at=self.clock.wall_text())
        self._owners.pop(record.id.lower(), None)

    def seed_meetings(self, user: User, count: int) -> None:
        """Give ``user`` ``count`` more deterministic meetings (one a day, one hour long)."""
        book = self.book(user)
        first = len(book) + len(book.tombstones)
        for index in range(first, first + count):
            start = _SEED_START + timedelta(days=index)
            attendee = f"attendee{index % 3 + 1}@example.com"
            invitee = {"Id": _stable_id("user", attendee), "Name": "", "Email": attendee}
            fields = {
                "Title": f"Meeting {index + 1} of {user.name}",
                "Purpose": "Seeded by the emulator",
                "Location": f"Room {index % 5 + 1}",
                "Start": format_datetime(start),
                "End": format_datetime(start + timedelta(hours=1)),
                "Invitations": [
                    {"User": invitee, "Status": "PENDING", "Required": True, "IsCoHost": False}
                ],
            }
            self.create_meeting(user, fields, meeting_id=_stable_id("meeting", user.email, index))

    # Answers

    def api_error(self, status: int, message: str, code: str) -> Response:
        """A ``JSApiError`` answer, shaped by the settings."""
        return api_error(
            status,
            message,
            code,
            message_key=self.settings.api_error_message_key,
            code_key=self.settings.api_error_code_key,
        )

    def failure(self, failure: ApiFailure) -> Response:
        """The ``JSApiError`` answer for ``failure``."""
        return self.api_error(failure.status, failure.message, failure.code)

    # Authentication

    def authenticate(self, request: Request) -> User | None:
        """The user a data request acts as (bearer token, or cookie when enabled)."""
        token = None
        authorization = request.header("authorization") or ""
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            token = credentials.strip()
        elif (
            not authorization and self.settings.accept_cookie_auth and self.settings.session_cookie
        ):
            token = request.cookie(self.settings.session_cookie)
        if token is None:
            return None
        user_id = self.tokens.user_for(token, self.clock.now())
        user = self._users_by_id.get(user_id) if user_id else None
        if user is None or not user.enabled or user.guest:
            return None
        return user
