# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/testing/_tasks.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""One user's tasks for MyTasks Sync and SyncCommit: records, deletions, a change version.

Inferred (docs/meetingbooster-api.md §3.3 and §4: nothing of a task is documented): a
``JSSyncTask`` is the base sync keys (``State``, ``ClientSyncId``, ``LastModified``) plus the task
itself under ``Task``, a JSON object with an ``Id``; everything else of a task is kept as it
was given. Sync answers NEW, MODIFIED and DELETED items since a token, as MyMeetings does.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

__all__ = ["TaskBook", "TaskRecord"]


@attrs.define
class TaskRecord:
    """A stored task: its JSON (``Id`` included), when it was created and last changed."""

    data: dict[str, Any]
    created_version: int
    modified_version: int
    client_sync_id: str | None = None

    @property
    def id(self) -> str:
        return str(self.data["Id"])


@attrs.frozen
class TaskTombstone:
    """A deleted task, reported as DELETED to tokens older than ``version``."""

    id: str
    version: int
    deleted_at: str
    client_sync_id: str | None = None


class TaskBook:
    """One user's tasks and deletions with a change version counter."""

    def __init__(self) -> None:
        self.version = 0
        self._tasks: dict[str, TaskRecord] = {}
        self.tombstones: list[TaskTombstone] = []

    def __iter__(self) -> Iterator[TaskRecord]:
        return iter(list(self._tasks.values()))

    def __len__(self) -> int:
        return len(self._tasks)

    def get(self, task_id: str) -> TaskRecord | None:
        return self._tasks.get(task_id.lower())

    def by_client_sync_id(self, client_sync_id: str) -> TaskRecord | None:
        for record in self._tasks.values():
            if record.client_sync_id == client_sync_id:
                return record
        return None

    def create(
        self,
        fields: Mapping[str, Any],
        *,
        modified: str,
        task_id: str | None = None,
        client_sync_id: str | None = None,
    ) -> TaskRecord:
        self.version += 1
        new_id = task_id or str(uuid.uuid4())
        data = {"Title": "", "Done": False, **copy.deepcopy(dict(fields))}
        data["Id"] = new_id
        data["ModifiedTime"] = modified
        record = TaskRecord(data, self.version, self.version, client_sync_id)
        self._tasks[new_id.lower()] = record
        return record

    def update(
        self,
        record: TaskRecord,
        fields: Mapping[str, Any],
        *,
        modified: str,
        client_sync_id: str | None = None,
    ) -> None:
        changed = {k: v for k, v in fields.items() if k != "Id" and record.data.get(k) != v}
        if client_sync_id is not None:
            record.client_sync_id = client_sync_id
        if not changed:
            return  # a commit sent again changes nothing, and reports nothing new
        self.version += 1
        record.data.update(copy.deepcopy(changed))
        record.data["ModifiedTime"] = modified
        record.modified_version = self.version

    def delete(self, record: TaskRecord, *, deleted_at: str) -> None:
        self.version += 1
        del self._tasks[record.id.lower()]
        self.tombstones.append(
            TaskTombstone(record.id, self.version, deleted_at, record.client_sync_id)
        )

    def changed_since(
        self, version: int
    ) -> tuple[list[TaskRecord], list[TaskRecord], list[TaskTombstone]]:
        """New, modified and deleted tasks after ``version`` (a task made and deleted since
        is reported DELETED too: deleting what the client never saw is harmless)."""
        new = [r for r in self._tasks.values() if r.created_version > version]
        modified = [
            r for r in self._tasks.values() if r.created_version <= version < r.modified_version
        ]
        deleted = [t for t in self.tombstones if t.version > version]
        new.sort(key=lambda r: r.created_version)
        modified.sort(key=lambda r: r.modified_version)
        return new, modified, deleted
