# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/resources/__init__.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""The typed API endpoints: MyMeetings, MyTasks, paging, and the request_model escape hatch."""

from .._paging import Page
from ._mixin import APIResourcesMixin
from ._pager import ItemIterator, PageIterator, Paginator
from ._paths import DEFAULT_API_PATHS, ApiPaths
from ._send import Requester, api_error_of
from .my_meetings import SYNC_PROPERTIES, MyMeetings, commit_is_retry_safe
from .my_tasks import MyTasks, task_commit_is_retry_safe

__all__ = [
    "DEFAULT_API_PATHS",
    "SYNC_PROPERTIES",
    "APIResourcesMixin",
    "ApiPaths",
    "ItemIterator",
    "MyMeetings",
    "MyTasks",
    "Page",
    "PageIterator",
    "Paginator",
    "Requester",
    "api_error_of",
    "commit_is_retry_safe",
    "task_commit_is_retry_safe",
]
