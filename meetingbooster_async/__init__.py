"""meetingbooster-async: the asyncio (and trio) SDK for the MeetingBooster REST API."""

from ._auth import MeetingBoosterAuth
from ._client import MeetingBoosterClient
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
    ServerError,
)
from ._retry import RetryPolicy
from ._version import __version__

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "ConfigurationError",
    "InvalidGrantError",
    "LoginFailedError",
    "MeetingBoosterAuth",
    "MeetingBoosterClient",
    "MeetingBoosterError",
    "NotFoundError",
    "OAuthError",
    "OAuthResponseError",
    "PermissionDeniedError",
    "RequestNotReplayableError",
    "ResponseValidationError",
    "RetryPolicy",
    "ServerError",
    "__version__",
]
