# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/__init__.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""meetingbooster-async: the asyncio (and trio) SDK for the MeetingBooster REST API.

Everything public is imported from here; the underscore modules are private.
"""

from ._auth import (
    MeetingBoosterAuth,
)
from ._client import (
    MeetingBoosterClient,
)
from ._converter import (
    structure,
    unstructure,
)
from ._enums import (
    DayOfWeek,
    InvitationStatus,
    OAuthErrorState,
    RecurrenceType,
    SyncState,
    UnknownEnumValue,
)
from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    ConfigurationError,
    InvalidGrantError,
    LoginFailedError,
    MeetingBoosterError,
    NotFoundError,
    OAuthError,
    OAuthResponseError,
    PermissionDeniedError,
    RequestNotReplayableError,
    ResponseValidationError,
    SerializationError,
    ServerError,
    TokenStoreError,
)
from ._models import (
    ApiError,
    CalendarEntry,
    Invitation,
    Meeting,
    MeetingInstance,
    MeetingRecurrence,
    MeetingSynchronization,
    OAuthErrorBody,
    OAuthTokenResponse,
    RecurrenceException,
    RecurrencePattern,
    SyncCalendarEntry,
    SyncCalendarRecurrence,
    SyncMeeting,
    SyncMeetingRecurrence,
    SyncObject,
    SyncTask,
    TaskSynchronization,
    User,
    UserUI,
)
from ._redis_store import (
    RedisTokenStore,
)
from ._retry import (
    RetryPolicy,
)
from ._store import (
    MemoryTokenStore,
    StoredToken,
    TokenStore,
)
from ._syncjob import (
    SyncResult,
    sync_meetings,
    sync_tasks,
)
from ._users import (
    UserSession,
)
from ._version import (
    __version__,
)
from .resources import (
    ApiPaths,
    MyMeetings,
    MyTasks,
    Page,
    Paginator,
    api_error_of,
)

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "ApiError",
    "ApiPaths",
    "AuthenticationError",
    "CalendarEntry",
    "ConfigurationError",
    "DayOfWeek",
    "InvalidGrantError",
    "Invitation",
    "InvitationStatus",
    "LoginFailedError",
    "Meeting",
    "MeetingBoosterAuth",
    "MeetingBoosterClient",
    "MeetingBoosterError",
    "MeetingInstance",
    "MeetingRecurrence",
    "MeetingSynchronization",
    "MemoryTokenStore",
    "MyMeetings",
    "MyTasks",
    "NotFoundError",
    "OAuthError",
    "OAuthErrorBody",
    "OAuthErrorState",
    "OAuthResponseError",
    "OAuthTokenResponse",
    "Page",
    "Paginator",
    "PermissionDeniedError",
    "RecurrenceException",
    "RecurrencePattern",
    "RecurrenceType",
    "RedisTokenStore",
    "RequestNotReplayableError",
    "ResponseValidationError",
    "RetryPolicy",
    "SerializationError",
    "ServerError",
    "StoredToken",
    "SyncCalendarEntry",
    "SyncCalendarRecurrence",
    "SyncMeeting",
    "SyncMeetingRecurrence",
    "SyncObject",
    "SyncResult",
    "SyncState",
    "SyncTask",
    "TaskSynchronization",
    "TokenStore",
    "TokenStoreError",
    "UnknownEnumValue",
    "User",
    "UserSession",
    "UserUI",
    "__version__",
    "api_error_of",
    "structure",
    "sync_meetings",
    "sync_tasks",
    "unstructure",
]
