"""meetingbooster-async: the asyncio (and trio) SDK for the MeetingBooster REST API.

Everything public is imported from here; the underscore modules are private.
"""

from ._auth import (
    MeetingBoosterAuth,
)
from ._checkpoints import (
    Advance,
    Begun,
    Checkpoint,
    CheckpointStore,
    CheckpointStoreError,
    MirrorChange,
    SQLiteCheckpointStore,
    UserState,
)
from ._client import (
    MeetingBoosterClient,
)
from ._converter import (
    structure,
    unstructure,
)
from ._credentials import (
    CommandPasswords,
    CredentialsError,
    CsvPasswords,
    read_users,
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
    BadRequestError,
    ClientClosedError,
    ConfigurationError,
    ConflictError,
    InvalidGrantError,
    InvalidSyncTokenError,
    LoginFailedError,
    MeetingBoosterError,
    NotFoundError,
    OAuthError,
    OAuthResponseError,
    PasswordRequiredError,
    PermissionDeniedError,
    RateLimitError,
    RequestNotReplayableError,
    ResponseValidationError,
    SerializationError,
    ServerError,
    TokenStoreBusyError,
    TokenStoreError,
    UnprocessableEntityError,
)
from ._events import (
    AuthEvent,
)
from ._fleet import (
    CredentialsProvider,
    SyncFleet,
    stable_sync_id,
)
from ._fleet_report import (
    FleetEvent,
    FleetReport,
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
from ._tokens import (
    TokenPolicy,
)
from ._users import (
    UserSession,
)
from ._version import (
    __version__,
)
from .resources import (
    ApiPaths,
    APIResponse,
    MyMeetings,
    MyTasks,
    Page,
    Paginator,
    RequestOptions,
    SyncProperty,
    api_error_of,
)

__all__ = [
    "APIConnectionError",
    "APIResponse",
    "APIStatusError",
    "APITimeoutError",
    "Advance",
    "ApiError",
    "ApiPaths",
    "AuthEvent",
    "AuthenticationError",
    "BadRequestError",
    "Begun",
    "CalendarEntry",
    "Checkpoint",
    "CheckpointStore",
    "CheckpointStoreError",
    "ClientClosedError",
    "CommandPasswords",
    "ConfigurationError",
    "ConflictError",
    "CredentialsError",
    "CredentialsProvider",
    "CsvPasswords",
    "DayOfWeek",
    "FleetEvent",
    "FleetReport",
    "InvalidGrantError",
    "InvalidSyncTokenError",
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
    "MirrorChange",
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
    "PasswordRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "RecurrenceException",
    "RecurrencePattern",
    "RecurrenceType",
    "RedisTokenStore",
    "RequestNotReplayableError",
    "RequestOptions",
    "ResponseValidationError",
    "RetryPolicy",
    "SQLiteCheckpointStore",
    "SerializationError",
    "ServerError",
    "StoredToken",
    "SyncCalendarEntry",
    "SyncCalendarRecurrence",
    "SyncFleet",
    "SyncMeeting",
    "SyncMeetingRecurrence",
    "SyncObject",
    "SyncProperty",
    "SyncResult",
    "SyncState",
    "SyncTask",
    "TaskSynchronization",
    "TokenPolicy",
    "TokenStore",
    "TokenStoreBusyError",
    "TokenStoreError",
    "UnknownEnumValue",
    "UnprocessableEntityError",
    "User",
    "UserSession",
    "UserState",
    "UserUI",
    "__version__",
    "api_error_of",
    "read_users",
    "stable_sync_id",
    "structure",
    "sync_meetings",
    "sync_tasks",
    "unstructure",
]
