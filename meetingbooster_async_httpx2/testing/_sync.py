# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/testing/_sync.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""MyMeetings Sync and SyncCommit, MyTasks mirrors, and the opaque sync tokens they use."""

from __future__ import annotations

import base64
import binascii
import copy
from collections.abc import Mapping
from typing import Any

import attrs

from ._http import Request, Response, json_response
from ._meetings import (
    TRACKED_PROPERTIES,
    ApiFailure,
    MeetingRecord,
    Tombstone,
    normalize_meeting_fields,
    parse_datetime,
    render_meeting,
)
from ._state import State, User

__all__ = [
    "decode_sync_token",
    "encode_sync_token",
    "handle_sync",
    "handle_sync_commit",
    "handle_tasks_sync",
    "handle_tasks_sync_commit",
]

_STATES = ("NEW", "MODIFIED", "DELETED")


def encode_sync_token(kind: str, user: User, version: int) -> str:
    """An opaque (base64) token for ``user``'s ``kind`` (``m`` or ``t``) at ``version``."""
    return base64.b64encode(f"mbsync:{kind}:{user.id}:{version}".encode()).decode("ascii")


def decode_sync_token(state: State, token: str, kind: str, user: User, current: int) -> int:
    """The version in ``token``; a token this emulator did not issue to ``user`` is refused."""
    try:
        text = base64.b64decode(token, validate=True).decode("utf-8")
        prefix, token_kind, user_id, raw_version = text.split(":")
        version = int(raw_version)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        version = -1
        prefix = token_kind = user_id = ""
    if (prefix, token_kind, user_id) != ("mbsync", kind, user.id) or not 0 <= version <= current:
        status = state.settings.invalid_sync_token_status
        raise ApiFailure(status, "The sync token is not valid", "INVALIDSYNCTOKEN")
    return version


def _properties(raw: str | None) -> frozenset[str]:
    if raw is None or not raw.strip():
        return frozenset(TRACKED_PROPERTIES)
    known = {name.lower(): name for name in TRACKED_PROPERTIES}
    chosen = set()
    for part in raw.split(","):
        name = part.strip()
        if not name:
            continue
        if name.lower() not in known:
            raise ApiFailure(400, f"Unknown property: {name}", "BADREQUEST")
        chosen.add(known[name.lower()])
    return frozenset(chosen)


def _item(state: State, sync_state: str, meeting: dict[str, Any], **extra: Any) -> dict[str, Any]:
    item = {
        "State": sync_state,
        "ClientSyncId": extra.get("client_sync_id"),
        "LastModified": extra.get("last_modified"),
        "Meeting": meeting,
    }
    if not state.settings.null_unset_values:
        item = {key: value for key, value in item.items() if value is not None}
    return item


def _record_item(state: State, sync_state: str, record: MeetingRecord) -> dict[str, Any]:
    meeting = render_meeting(record, null_unset=state.settings.null_unset_values)
    return _item(
        state,
        sync_state,
        meeting,
        client_sync_id=record.client_sync_id,
        last_modified=record.data.get("ModifiedTime"),
    )


def _tombstone_item(state: State, tombstone: Tombstone) -> dict[str, Any]:
    return _item(
        state,
        "DELETED",
        {"Id": tombstone.id},
        client_sync_id=tombstone.client_sync_id,
        last_modified=tombstone.deleted_at,
    )


def _synchronization(meetings: list[dict[str, Any]], token: str, **lists: Any) -> dict[str, Any]:
    return {
        "CalendarEntries": lists.get("entries", []),
        "CalendarRecurrences": lists.get("recurrences", []),
        "Meetings": meetings,
        "MeetingRecurrences": [],
        "SyncToken": token,
    }


def handle_sync(state: State, request: Request, user: User) -> Response:
    """``GET /api/v1/mymeetings/sync``: everything, or the changes since ``synctoken``."""
    properties = _properties(request.param("properties"))
    book = state.book(user)
    token = request.param("synctoken")
    if token:
        since = decode_sync_token(state, token, "m", user, book.version)
        new, modified, deleted = book.changed_since(since, properties)
    else:
        new, modified, deleted = list(book), [], []
    items = [_record_item(state, "NEW", r) for r in sorted(new, key=lambda r: r.created_version)]
    modified.sort(key=lambda r: max(r.prop_versions.values(), default=0))
    items += [_record_item(state, "MODIFIED", r) for r in modified]
    items += [_tombstone_item(state, t) for t in deleted]
    return json_response(200, _synchronization(items, encode_sync_token("m", user, book.version)))


@attrs.frozen
class _Op:
    state: str
    meeting_id: str | None
    client_sync_id: str | None
    fields: Mapping[str, Any]
    raw: Mapping[str, Any]


def _object(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ApiFailure(400, f"{where} must be an object", "BADREQUEST")
    return value


def _array(body: Mapping[str, Any], *keys: str) -> list[Any]:
    for key in keys:
        value = body.get(key)
        if value is None:
            continue
        if not isinstance(value, list):
            raise ApiFailure(400, f"{key} must be an array", "BADREQUEST")
        return value
    return []


def _sync_state(item: Mapping[str, Any], where: str) -> str:
    value = item.get("State")
    if not isinstance(value, str) or value.upper() not in _STATES:
        raise ApiFailure(400, f"{where}.State must be one of {', '.join(_STATES)}", "BADREQUEST")
    return value.upper()


def _optional_text(value: object, where: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ApiFailure(400, f"{where} must be a string", "BADREQUEST")
    return str(value)


def _plan_meetings(state: State, user: User, items: list[Any]) -> list[_Op]:
    """Validate every JSSyncMeeting before anything is applied: a commit is all or nothing."""
    book = state.book(user)
    known_ids = {record.id.lower() for record in book}
    known_sync_ids = {record.client_sync_id for record in book if record.client_sync_id}
    ops = []
    for index, raw_item in enumerate(items):
        where = f"Meetings[{index}]"
        item = _object(raw_item, where)
        sync_state = _sync_state(item, where)
        meeting = _object(item.get("Meeting") or {}, f"{where}.Meeting")
        meeting_id = _optional_text(meeting.get("Id"), f"{where}.Meeting.Id")
        client_sync_id = _optional_text(item.get("ClientSyncId"), f"{where}.ClientSyncId")
        if meeting_id is not None:
            owner = state.owner_of(meeting_id)
            if owner is not None and owner is not user:
                raise ApiFailure(403, f"No access to meeting {meeting_id}", "FORBIDDEN")
        exists = (meeting_id is not None and meeting_id.lower() in known_ids) or (
            meeting_id is None and client_sync_id in known_sync_ids
        )
        if sync_state == "MODIFIED" and not exists:
            raise ApiFailure(404, f"{where}: no such meeting", "NOTFOUND")
        if sync_state == "NEW" and meeting_id is not None:
            known_ids.add(meeting_id.lower())
        if sync_state == "NEW" and client_sync_id is not None:
            known_sync_ids.add(client_sync_id)
        fields = {}
        if sync_state != "DELETED":
            fields = normalize_meeting_fields(meeting, strict=state.settings.reject_unknown_keys)
        ops.append(_Op(sync_state, meeting_id, client_sync_id, fields, item))
    return ops


def _find(
    state: State, user: User, meeting_id: str | None, client_sync_id: str | None
) -> MeetingRecord | None:
    book = state.book(user)
    if meeting_id is not None:
        return book.get(meeting_id)
    return book.by_client_sync_id(client_sync_id) if client_sync_id is not None else None


def _apply_meeting(state: State, user: User, op: _Op) -> dict[str, Any] | None:
    record = _find(state, user, op.meeting_id, op.client_sync_id)
    if op.state == "DELETED":
        if record is None:
            return None  # already gone: deleting is idempotent
        state.delete_meeting(user, record)
        deleted = {"Id": record.id}
        when = state.clock.wall_text()
        return _item(
            state, "DELETED", deleted, client_sync_id=op.client_sync_id, last_modified=when
        )
    if record is None:
        record = state.create_meeting(
            user, op.fields, meeting_id=op.meeting_id, client_sync_id=op.client_sync_id
        )
    else:  # MODIFIED, or a NEW sent again (a retried commit, or an unchanged Sync answer)
        state.update_meeting(user, record, op.fields, client_sync_id=op.client_sync_id)
    return _record_item(state, op.state, record)


def _plan_entries(items: list[Any], where: str, payload_key: str) -> list[tuple[str, str, Any]]:
    planned = []
    for index, raw_item in enumerate(items):
        item = _object(raw_item, f"{where}[{index}]")
        sync_state = _sync_state(item, f"{where}[{index}]")
        client_sync_id = _optional_text(item.get("ClientSyncId"), f"{where}[{index}].ClientSyncId")
        if client_sync_id is None:
            raise ApiFailure(400, f"{where}[{index}].ClientSyncId is required", "BADREQUEST")
        if sync_state != "DELETED" and payload_key == "CalendarEntry":
            entry = _object(item.get(payload_key), f"{where}[{index}].{payload_key}")
            for key in ("Start", "End"):
                parse_datetime(entry.get(key), f"{where}[{index}].{payload_key}.{key}")
        planned.append((sync_state, client_sync_id, dict(item)))
    return planned


def handle_sync_commit(state: State, request: Request, user: User) -> Response:
    """MyMeetings SyncCommit: apply the client's meetings and calendar entries.

    The answer is a ``JSMeetingSynchronization`` with the applied meetings as now stored
    (server-assigned ``Id`` included) and a ``SyncToken``: the client's token moved past its own
    changes when nobody else changed this user's meetings in between, else the client's token
    unchanged (nothing is lost; the next Sync echoes the committed changes too).
    """
    try:
        body = _object(request.json(), "The body")
    except ValueError:
        raise ApiFailure(400, "The body must be a JSMeetingSynchronization", "BADREQUEST") from None
    book = state.book(user)
    token = body.get("SyncToken")
    since = decode_sync_token(state, str(token), "m", user, book.version) if token else None
    ops = _plan_meetings(state, user, _array(body, "Meetings"))
    # "CalendaerEntries" is the docs' own typo; a client copying the example still works.
    entries = _plan_entries(
        _array(body, "CalendarEntries", "CalendaerEntries"), "CalendarEntries", "CalendarEntry"
    )
    recurrences = _plan_entries(
        _array(body, "CalendarRecurrences"), "CalendarRecurrences", "Pattern"
    )
    before = book.version
    applied = [item for op in ops if (item := _apply_meeting(state, user, op)) is not None]
    for sync_state, client_sync_id, item in entries:
        if sync_state != "DELETED":
            book.calendar_entries[client_sync_id] = item
        elif book.calendar_entries.pop(client_sync_id, None) is None:
            # No such calendar entry: the docs say the server then deletes a meeting with it.
            record = book.by_client_sync_id(client_sync_id)
            if record is not None:
                state.delete_meeting(user, record)
    for sync_state, client_sync_id, item in recurrences:
        if sync_state == "DELETED":
            book.calendar_recurrences.pop(client_sync_id, None)
        else:
            book.calendar_recurrences[client_sync_id] = item
    version = book.version if since is None or since == before else since
    answer = _synchronization(
        applied,
        encode_sync_token("m", user, version),
        entries=[item for _, _, item in entries],
        recurrences=[item for _, _, item in recurrences],
    )
    return json_response(200, answer)


def _task_item(
    sync_state: str, task: Mapping[str, Any], client_sync_id: str | None, when: object
) -> dict[str, Any]:
    return {
        "State": sync_state,
        "ClientSyncId": client_sync_id,
        "LastModified": when,
        "Task": copy.deepcopy(dict(task)),
    }


def _tasks_answer(items: list[dict[str, Any]], token: str) -> Response:
    return json_response(200, {"Tasks": items, "SyncToken": token})


def handle_tasks_sync(state: State, request: Request, user: User) -> Response:
    """MyTasks Sync (inferred): every task, or the changes since ``synctoken``.

    The answer is a ``JSTaskSynchronization`` ``{"Tasks": [...], "SyncToken": ...}``; each item
    the base sync keys and the task under ``Task`` (testing/_tasks.py says what is inferred).
    """
    book = state.tasks(user)
    token = request.param("synctoken")
    if token:
        since = decode_sync_token(state, token, "t", user, book.version)
        new, modified, deleted = book.changed_since(since)
    else:
        new, modified, deleted = sorted(book, key=lambda r: r.created_version), [], []
    items = [_task_item("NEW", r.data, r.client_sync_id, r.data["ModifiedTime"]) for r in new]
    items += [
        _task_item("MODIFIED", r.data, r.client_sync_id, r.data["ModifiedTime"]) for r in modified
    ]
    items += [_task_item("DELETED", {"Id": t.id}, t.client_sync_id, t.deleted_at) for t in deleted]
    return _tasks_answer(items, encode_sync_token("t", user, book.version))


def handle_tasks_sync_commit(state: State, request: Request, user: User) -> Response:
    """MyTasks SyncCommit (inferred): apply the client's tasks, all or nothing.

    A task is found by ``Task.Id``, else by ``ClientSyncId``: a NEW sent again (a retried
    commit) updates the task it made rather than making another. The token moves past the
    client's own changes when nobody else changed this user's tasks in between.
    """
    try:
        body = _object(request.json(), "The body")
    except ValueError:
        raise ApiFailure(400, "The body must be a JSTaskSynchronization", "BADREQUEST") from None
    book = state.tasks(user)
    token = body.get("SyncToken")
    since = decode_sync_token(state, str(token), "t", user, book.version) if token else None
    planned = []
    for index, raw in enumerate(_array(body, "Tasks")):
        where = f"Tasks[{index}]"
        item = _object(raw, where)
        sync_state = _sync_state(item, where)
        task = _object(item.get("Task") or {}, f"{where}.Task")
        task_id = _optional_text(task.get("Id"), f"{where}.Task.Id")
        client_sync_id = _optional_text(item.get("ClientSyncId"), f"{where}.ClientSyncId")
        if task_id is None and client_sync_id is None:
            raise ApiFailure(400, f"{where} needs Task.Id or ClientSyncId", "BADREQUEST")
        planned.append((sync_state, task_id, client_sync_id, task))
    before = book.version
    applied = []
    when = state.clock.wall_text()
    for sync_state, task_id, client_sync_id, task in planned:
        record = book.get(task_id) if task_id is not None else None
        if record is None and client_sync_id is not None:
            record = book.by_client_sync_id(client_sync_id)
        if sync_state == "DELETED":
            if record is not None:
                book.delete(record, deleted_at=when)
                applied.append(_task_item("DELETED", {"Id": record.id}, client_sync_id, when))
            continue
        if record is None:
            record = book.create(
                task, modified=when, task_id=task_id, client_sync_id=client_sync_id
            )
        else:
            book.update(record, task, modified=when, client_sync_id=client_sync_id)
        applied.append(_task_item(sync_state, record.data, record.client_sync_id, when))
    version = book.version if since is None or since == before else since
    return _tasks_answer(applied, encode_sync_token("t", user, version))
