# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/resources/_paths.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""ApiPaths: where each typed endpoint lives, so inferred paths can be changed per server."""

from __future__ import annotations

from typing import Any, Final

import attrs

__all__ = ["DEFAULT_API_PATHS", "ApiPaths"]

_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


def _path(_instance: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if not isinstance(value, str) or not value.startswith("/") or "?" in value:
        raise ValueError(f"{attribute.name} must be a path starting with '/': {value!r}")


def _method(_instance: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if value not in _METHODS:
        raise ValueError(f"{attribute.name} must be one of {sorted(_METHODS)}: {value!r}")


@attrs.frozen(kw_only=True)
class ApiPaths:
    """The paths (relative to the client's ``base_url``) and methods of the typed endpoints.

    Only ``my_meetings_sync`` is fully documented, and ``my_meetings_list``'s path appears in
    the docs' paging example; everything marked *inferred* is our reading of a gap in the
    API documentation. Override what your server does differently with
    ``attrs.evolve`` and give the result to the client.

    Attributes:
        my_meetings_sync: ``GET`` MyMeetings Sync (documented).
        my_meetings_sync_commit: MyMeetings SyncCommit (inferred).
        my_meetings_sync_commit_method: its method (inferred: ``POST``).
        my_meetings_list: ``GET`` MyMeetings List (documented path; method inferred).
        my_tasks_sync: ``GET`` MyTasks Sync (inferred).
        my_tasks_sync_commit: MyTasks SyncCommit (inferred).
        my_tasks_sync_commit_method: its method (inferred: ``POST``).
        meetings: the undocumented Meetings controller; ``GET {meetings}/{id}`` answers one
            meeting (inferred; for :meth:`request_model`, no typed method uses it).

    Example:
        >>> paths = attrs.evolve(ApiPaths(), my_meetings_sync_commit="/api/v1/mymeetings/commit")
        >>> paths.my_meetings_sync_commit_method
        'POST'
    """

    my_meetings_sync: str = attrs.field(default="/api/v1/mymeetings/sync", validator=_path)
    my_meetings_sync_commit: str = attrs.field(
        default="/api/v1/mymeetings/synccommit", validator=_path
    )
    my_meetings_sync_commit_method: str = attrs.field(default="POST", validator=_method)
    my_meetings_list: str = attrs.field(default="/api/v1/mymeetings/list", validator=_path)
    my_tasks_sync: str = attrs.field(default="/api/v1/mytasks/sync", validator=_path)
    my_tasks_sync_commit: str = attrs.field(default="/api/v1/mytasks/synccommit", validator=_path)
    my_tasks_sync_commit_method: str = attrs.field(default="POST", validator=_method)
    meetings: str = attrs.field(default="/api/v1/meetings", validator=_path)


#: The paths used when the client or view has no ``api_paths`` attribute.
DEFAULT_API_PATHS: Final = ApiPaths()
