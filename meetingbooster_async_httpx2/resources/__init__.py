# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/resources/__init__.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""The typed API endpoints: MyMeetings, MyTasks, paging, and the request_model escape hatch."""

from .._errors import api_error_of
from .._paging import Page
from ._mixin import APIResourcesMixin
from ._options import RequestOptions
from ._pager import ItemIterator, PageIterator, Paginator
from ._paths import DEFAULT_API_PATHS, ApiPaths
from ._response import APIResponse
from ._send import Requester
from .my_meetings import (
    SYNC_PROPERTIES,
    MyMeetings,
    MyMeetingsWithRawResponse,
    SyncProperty,
    commit_is_retry_safe,
    parse_sync_properties,
)
from .my_tasks import MyTasks, MyTasksWithRawResponse, task_commit_is_retry_safe

__all__ = [
    "DEFAULT_API_PATHS",
    "SYNC_PROPERTIES",
    "APIResourcesMixin",
    "APIResponse",
    "ApiPaths",
    "ItemIterator",
    "MyMeetings",
    "MyMeetingsWithRawResponse",
    "MyTasks",
    "MyTasksWithRawResponse",
    "Page",
    "PageIterator",
    "Paginator",
    "RequestOptions",
    "Requester",
    "SyncProperty",
    "api_error_of",
    "commit_is_retry_safe",
    "parse_sync_properties",
    "task_commit_is_retry_safe",
]
