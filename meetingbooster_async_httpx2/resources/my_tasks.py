# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/resources/my_tasks.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""MyTasks: the logged-in user's tasks — Sync and SyncCommit (paths and shapes inferred)."""

from __future__ import annotations

from typing import Unpack

import httpx2

from .._models import TaskSynchronization
from .._retry import IDEMPOTENT_EXTENSION
from ._options import RequestOptions, request_kwargs
from ._paths import ApiPaths
from ._response import APIResponse, Call
from ._send import Requester, paths_of, read_model

__all__ = ["MyTasks", "MyTasksWithRawResponse", "task_commit_is_retry_safe"]


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

    Task sync mirrors meeting sync, but no request page and no task object is documented:
    paths and methods come from :class:`ApiPaths`, and every key but ``SyncToken``,
    ``Tasks`` and the sync-object base keys is kept in ``extra`` untouched. Every method
    takes the per-call :class:`RequestOptions`; ``with_raw_response`` answers
    :class:`APIResponse` objects.

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

    @property
    def with_raw_response(self) -> MyTasksWithRawResponse:
        """The same calls, answering an :class:`APIResponse` instead of the model."""
        return MyTasksWithRawResponse(self)

    async def sync(
        self, *, sync_token: str | None = None, **options: Unpack[RequestOptions]
    ) -> TaskSynchronization:
        """``GET mytasks/sync`` (inferred): every task, or the changes since ``sync_token``.

        Raises:
            ConfigurationError: a bad option.
            InvalidSyncTokenError: the server refused ``sync_token``: sync again without one.
            APIStatusError: another non-2xx answer.
            APIConnectionError: a transport failure.
            ResponseValidationError: the body is not a ``JSTaskSynchronization``.

        Example:
            >>> async def task_changes(client, token):
            ...     return (await client.my_tasks.sync(sync_token=token)).tasks
        """
        return await self._sync(sync_token, options).parsed()

    async def sync_commit(
        self, sync: TaskSynchronization, **options: Unpack[RequestOptions]
    ) -> TaskSynchronization | None:
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
        return await self._sync_commit(sync, options).parsed()

    def _sync(self, sync_token: str | None, options: RequestOptions) -> Call[TaskSynchronization]:
        return Call(
            requester=self._requester,
            method="GET",
            url=self._paths.my_tasks_sync,
            parse=_read_sync,
            kwargs={
                "params": {"synctoken": sync_token} if sync_token else {},
                **request_kwargs(options),
            },
        )

    def _sync_commit(
        self, sync: TaskSynchronization, options: RequestOptions
    ) -> Call[TaskSynchronization | None]:
        safe = task_commit_is_retry_safe(sync)
        idempotent = {IDEMPOTENT_EXTENSION: True} if safe else None
        return Call(
            requester=self._requester,
            method=self._paths.my_tasks_sync_commit_method,
            url=self._paths.my_tasks_sync_commit,
            parse=_read_commit_answer,
            kwargs=request_kwargs(options, extensions=idempotent),
            json=sync,
        )


def _read_sync(response: httpx2.Response) -> TaskSynchronization:
    return read_model(response, TaskSynchronization)


def _read_commit_answer(response: httpx2.Response) -> TaskSynchronization | None:
    return read_model(response, TaskSynchronization, optional=True)


class MyTasksWithRawResponse:
    """``client.my_tasks.with_raw_response``: each call answers an :class:`APIResponse`."""

    __slots__ = ("_tasks",)

    def __init__(self, tasks: MyTasks) -> None:
        self._tasks = tasks

    async def sync(
        self, *, sync_token: str | None = None, **options: Unpack[RequestOptions]
    ) -> APIResponse[TaskSynchronization]:
        """:meth:`MyTasks.sync`, raw."""
        return await self._tasks._sync(sync_token, options).raw()

    async def sync_commit(
        self, sync: TaskSynchronization, **options: Unpack[RequestOptions]
    ) -> APIResponse[TaskSynchronization | None]:
        """:meth:`MyTasks.sync_commit`, raw."""
        return await self._tasks._sync_commit(sync, options).raw()
