# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/resources/my_tasks.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""MyTasks: the logged-in user's tasks — Sync and SyncCommit (paths and shapes inferred)."""

from __future__ import annotations

from .._models import TaskSynchronization
from .._retry import IDEMPOTENT_EXTENSION
from ._paths import ApiPaths
from ._send import Requester, paths_of, read_model, send

__all__ = ["MyTasks", "task_commit_is_retry_safe"]


def task_commit_is_retry_safe(sync: TaskSynchronization) -> bool:
    """True if every task carries a ``ClientSyncId`` or an ``Id`` (see ``commit_is_retry_safe``).

    ``JSSyncTask``'s keys are undocumented: an ``Id`` is looked for in the task's ``extra``
    and in the object under its ``Task`` key (inferred by analogy with ``JSSyncMeeting``).
    """

    def identified(extra: dict[str, object]) -> bool:
        task = extra.get("Task")
        return bool(extra.get("Id")) or (isinstance(task, dict) and bool(task.get("Id")))

    return all(task.client_sync_id or identified(task.extra) for task in sync.tasks)


class MyTasks:
    """The MyTasks controller: ``client.my_tasks`` (or ``session.my_tasks``).

    Task sync mirrors meeting sync (reference §1.8, §3.3), but no request page and no task
    object is documented: paths and methods come from :class:`ApiPaths`, and every key but
    ``SyncToken``, ``Tasks`` and the sync-object base keys is kept in ``extra`` untouched.

    Example:
        >>> async def first_task_sync(client):
        ...     sync = await client.my_tasks.sync()
        ...     await client.my_tasks.sync_commit(sync)
        ...     return sync.sync_token
    """

    __slots__ = ("_paths", "_requester")

    def __init__(self, requester: Requester, paths: ApiPaths | None = None) -> None:
        self._requester = requester
        self._paths = paths if paths is not None else paths_of(requester)

    async def sync(self, *, sync_token: str | None = None) -> TaskSynchronization:
        """``GET mytasks/sync`` (inferred): every task, or the changes since ``sync_token``.

        Raises:
            APIStatusError: a non-2xx answer (e.g. an invalid sync token).
            APIConnectionError: a transport failure.
            ResponseValidationError: the body is not a ``JSTaskSynchronization``.

        Example:
            >>> async def task_changes(client, token):
            ...     return (await client.my_tasks.sync(sync_token=token)).tasks
        """
        params = {"synctoken": sync_token} if sync_token else {}
        response = await send(self._requester, "GET", self._paths.my_tasks_sync, params=params)
        result: TaskSynchronization = read_model(response, TaskSynchronization)
        return result

    async def sync_commit(self, sync: TaskSynchronization) -> TaskSynchronization | None:
        """Confirm a task Sync and send the client's changes (path, method, answer inferred).

        Retried after a transport failure or a 5xx only when
        :func:`task_commit_is_retry_safe`. Leave out tasks you could not process.

        Returns:
            The server's answer, or ``None`` for an empty one.

        Raises:
            APIStatusError: a non-2xx answer.
            APIConnectionError: a transport failure.
            ResponseValidationError: the answer is neither empty nor a task synchronization.

        Example:
            >>> async def accept_all_tasks(client):
            ...     await client.my_tasks.sync_commit(await client.my_tasks.sync())
        """
        safe = task_commit_is_retry_safe(sync)
        response = await send(
            self._requester,
            self._paths.my_tasks_sync_commit_method,
            self._paths.my_tasks_sync_commit,
            json=sync,
            extensions={IDEMPOTENT_EXTENSION: True} if safe else None,
        )
        result: TaskSynchronization | None = read_model(
            response, TaskSynchronization, optional=True
        )
        return result
