# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/testing/_settings.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""The emulator's settings: every behaviour the API reference leaves open is one switch here."""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["EmulatorSettings"]

_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


def _absolute_path(_instance: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if not value.startswith("/") or value != value.rstrip("/") or "?" in value:
        msg = f"{attribute.name} must start with '/' and not end with '/': {value!r}"
        raise ValueError(msg)


def _http_method(_instance: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if value not in _METHODS:
        msg = f"{attribute.name} must be one of {sorted(_METHODS)}: {value!r}"
        raise ValueError(msg)


def _http_status(_instance: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if not 100 <= value <= 599:
        msg = f"{attribute.name} must be an HTTP status code: {value!r}"
        raise ValueError(msg)


_positive_float = attrs.validators.gt(0.0)
_positive = attrs.validators.gt(0)
_non_negative = attrs.validators.ge(0)


@attrs.frozen(kw_only=True)
class EmulatorSettings:
    """How the emulator behaves; frozen, so derive variants with ``attrs.evolve``.

    "Documented" values follow the API reference; "inferred" ones are our own reading of a gap
    in the docs and can be switched to the alternative a real server might show.

    Attributes:
        token_lifetime: Access-token lifetime in seconds (documented default: 20 minutes).
        rotate_refresh_tokens: A refresh grant answers a new refresh token and invalidates the
            old one (inferred; off: the same refresh token is answered again and stays valid).
        retry_in_seconds: ``retry_in_seconds`` of a failed login and the lockout window.
        failed_login_threshold: Consecutive failed logins that lock an identity for
            ``retry_in_seconds`` (inferred). Every failed login carries ``retry_in_seconds``,
            as in the docs' example; the wait is only enforced once the identity is locked.
        require_app_id: Refuse ``password`` / ``refresh_token`` grants without ``app_id=Api``,
            and any grant with another ``app_id``, with ``unauthorized_client`` (documented).
            Off: ``app_id`` is ignored, like the older docs' server.
        require_app_id_on_signout: Also require ``app_id`` on ``signout`` (inferred: the docs'
            signout example leaves it out, so off by default).
        expires_in_as_string: Send ``expires_in`` as a JSON string, as documented (off: number).
        oauth_error_status: HTTP status of a ``JSOAuthError`` answer (inferred).
        signout_status: HTTP status of a successful signout (inferred).
        signout_body: Raw body of a successful signout (inferred; ``""`` for an empty body).
        session_cookie: Name of the cookie ``/oauth`` sets to the access token (inferred name);
            ``None`` sets no cookie.
        accept_cookie_auth: Accept that cookie instead of a bearer header (documented as
            possible; off so tests can prove a client is bearer-only).
        meetings_path: ``GET {meetings_path}/{id}`` answers one meeting (inferred path).
        sync_commit_path: MyMeetings SyncCommit path (inferred).
        sync_commit_method: MyMeetings SyncCommit method (inferred).
        tasks_sync_path: MyTasks Sync path, always GET (inferred).
        tasks_sync_commit_path: MyTasks SyncCommit path (inferred).
        tasks_sync_commit_method: MyTasks SyncCommit method (inferred).
        list_default_page_size: ``maxResults`` when the query leaves it out (inferred).
        list_max_page_size: Larger ``maxResults`` values are clamped to this (inferred).
        null_unset_values: Unset DateTimes and ``ClientSyncId`` are sent as ``null``; off: the
            key is left out (inferred).
        invalid_sync_token_status: Status (with a ``JSApiError`` body, ``ErrorCode``
            ``INVALIDSYNCTOKEN``) for a sync token this emulator did not issue (inferred).
        api_error_message_key: Message key of a ``JSApiError`` body (inferred; ASP.NET style).
        api_error_code_key: Error-code key of a ``JSApiError`` body; ``None`` leaves it out.
        reject_unknown_keys: Answer 400 for unknown keys in a SyncCommit meeting (inferred: a
            .NET server ignores them, so off; turn on to catch misspelt keys in tests).
        control_prefix: Path prefix of the control routes (not part of the real API).
        control_key: When set, control routes need the header ``X-Emulator-Key`` with it.
        max_body_bytes: Larger request bodies are answered 413.
    """

    token_lifetime: float = attrs.field(default=1200.0, validator=_positive_float)
    rotate_refresh_tokens: bool = True
    retry_in_seconds: int = attrs.field(default=10, validator=_non_negative)
    failed_login_threshold: int = attrs.field(default=3, validator=_positive)
    require_app_id: bool = True
    require_app_id_on_signout: bool = False
    expires_in_as_string: bool = True
    oauth_error_status: int = attrs.field(default=400, validator=_http_status)
    signout_status: int = attrs.field(default=200, validator=_http_status)
    signout_body: str = "{}"
    session_cookie: str | None = "MBSession"
    accept_cookie_auth: bool = False
    meetings_path: str = attrs.field(default="/api/v1/meetings", validator=_absolute_path)
    sync_commit_path: str = attrs.field(
        default="/api/v1/mymeetings/synccommit", validator=_absolute_path
    )
    sync_commit_method: str = attrs.field(default="POST", validator=_http_method)
    tasks_sync_path: str = attrs.field(default="/api/v1/mytasks/sync", validator=_absolute_path)
    tasks_sync_commit_path: str = attrs.field(
        default="/api/v1/mytasks/synccommit", validator=_absolute_path
    )
    tasks_sync_commit_method: str = attrs.field(default="POST", validator=_http_method)
    list_default_page_size: int = attrs.field(default=100, validator=_positive)
    list_max_page_size: int = attrs.field(default=1000, validator=_positive)
    null_unset_values: bool = True
    invalid_sync_token_status: int = attrs.field(default=400, validator=_http_status)
    api_error_message_key: str = "Message"
    api_error_code_key: str | None = "ErrorCode"
    reject_unknown_keys: bool = False
    control_prefix: str = attrs.field(default="/_emulator", validator=_absolute_path)
    control_key: str | None = attrs.field(default=None, repr=False)
    max_body_bytes: int = attrs.field(default=16 * 1024 * 1024, validator=_positive)

    def __attrs_post_init__(self) -> None:
        """Check the settings against each other."""
        if self.list_default_page_size > self.list_max_page_size:
            msg = "list_default_page_size must not exceed list_max_page_size"
            raise ValueError(msg)
