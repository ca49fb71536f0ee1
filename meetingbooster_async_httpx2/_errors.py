# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_errors.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""The one exception tree of the SDK, and the mapping from an HTTP response to it.

Every error our code raises derives from :class:`MeetingBoosterError`::

    MeetingBoosterError
    ├── ConfigurationError            bad arguments (e.g. plain http:// to a remote host)
    ├── OAuthError                    POST /oauth answered a JSOAuthError body
    │   ├── LoginFailedError          the password grant was refused (error_state FAILEDLOGIN, …)
    │   └── InvalidGrantError         a refresh token was rejected (error "invalid_grant")
    ├── OAuthResponseError            POST /oauth answered neither a token nor a JSOAuthError
    │                                 (HTML, invalid JSON, a missing access_token, a 5xx, …)
    ├── APIStatusError                a data endpoint answered a status other than 2xx
    │   ├── AuthenticationError       401 that survived a refresh and a fresh login
    │   ├── PermissionDeniedError     403 (JSApiError body)
    │   ├── NotFoundError             404
    │   └── ServerError               5xx
    ├── APIConnectionError            a transport failure (also an httpx2.TransportError)
    │   └── APITimeoutError           a timeout or a deadline (also an httpx2.TimeoutException)
    ├── RequestNotReplayableError     a 401 needs a retry but the request body was a stream
    ├── ResponseValidationError       a body did not match the model; names the field path
    ├── SerializationError            a model could not become JSON (naive datetime); a TypeError
    └── TokenStoreError               a shared token store (Redis) failed

Messages never contain passwords or tokens: they are built from status codes, error codes and
the server's ``error_description`` only.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx2

if TYPE_CHECKING:
    from ._models import ApiError

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "ConfigurationError",
    "InvalidGrantError",
    "LoginFailedError",
    "MeetingBoosterError",
    "NotFoundError",
    "OAuthError",
    "OAuthResponseError",
    "PermissionDeniedError",
    "RequestNotReplayableError",
    "ResponseValidationError",
    "SerializationError",
    "ServerError",
    "TokenStoreError",
    "status_error_for",
]


class MeetingBoosterError(Exception):
    """Base class of every error raised by this SDK."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructors do not survive the default pickling (multiprocessing
        # workers send errors back): rebuild from the message and the attributes instead.
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(
    cls: type[MeetingBoosterError], args: tuple[Any, ...], state: dict[str, Any]
) -> MeetingBoosterError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class ConfigurationError(MeetingBoosterError):
    """The SDK was configured in a way it refuses to run (for example plain ``http://``)."""


class OAuthError(MeetingBoosterError):
    """``POST /oauth`` failed with a ``JSOAuthError`` body.

    Attributes mirror the documented keys. ``retry_in_seconds`` is the time the server asked us
    to wait; while it runs the SDK sends nothing to ``/oauth`` for this identity and raises a
    copy of this error (``in_cooldown`` true, ``retry_in_seconds`` the time that remains).
    """

    def __init__(
        self,
        *,
        error: str,
        error_description: str | None = None,
        error_state: str | None = None,
        retry_in_seconds: float = 0,
        status_code: int | None = None,
        response: httpx2.Response | None = None,
        in_cooldown: bool = False,
    ) -> None:
        self.error = error
        self.error_description = error_description
        self.error_state = error_state
        self.retry_in_seconds = retry_in_seconds
        self.status_code = status_code
        self.response = response
        self.in_cooldown = in_cooldown
        super().__init__(self._message())

    def _message(self) -> str:
        parts = [f"OAuth error {self.error!r}"]
        if self.error_state:
            parts.append(f"state {self.error_state}")
        if self.status_code is not None:
            parts.append(f"HTTP {self.status_code}")
        message = ", ".join(parts)
        if self.error_description:
            message += f": {self.error_description}"
        if self.retry_in_seconds:
            verb = "retry allowed in" if self.in_cooldown else "retry in"
            message += f" ({verb} {self.retry_in_seconds:g}s)"
        return message

    def with_remaining(self, remaining: float) -> OAuthError:
        """A copy of this error for a caller inside the cooldown window, ``remaining`` s left."""
        return type(self)(
            error=self.error,
            error_description=self.error_description,
            error_state=self.error_state,
            retry_in_seconds=remaining,
            status_code=self.status_code,
            response=self.response,
            in_cooldown=True,
        )


class LoginFailedError(OAuthError):
    """The password grant was refused (wrong password, disabled user, locked identity)."""


class InvalidGrantError(OAuthError):
    """A refresh token (or other grant) was rejected with ``invalid_grant``."""


class OAuthResponseError(MeetingBoosterError):
    """``POST /oauth`` answered something that is neither a token nor a ``JSOAuthError``."""

    def __init__(self, message: str, *, response: httpx2.Response | None = None) -> None:
        self.response = response
        self.status_code = response.status_code if response is not None else None
        super().__init__(message)


class APIStatusError(MeetingBoosterError):
    """A data endpoint answered a status other than 2xx.

    ``body`` is the parsed JSON body (for a 403 the server's ``JSApiError``), or ``None`` when
    the body was empty or not JSON.
    """

    def __init__(self, message: str, *, response: httpx2.Response, body: object = None) -> None:
        self.response = response
        self.status_code = response.status_code
        self.body = body
        super().__init__(message)

    @property
    def api_error(self) -> ApiError | None:
        """The body as a ``JSApiError`` (:class:`ApiError`), or ``None`` when it had none."""
        from .resources import api_error_of  # late: resources imports this module

        return api_error_of(self)


class AuthenticationError(APIStatusError):
    """401 that survived a token refresh and a fresh password login."""


class PermissionDeniedError(APIStatusError):
    """403: the user may not see or change the object."""


class NotFoundError(APIStatusError):
    """404: no such object or path."""


class ServerError(APIStatusError):
    """5xx: the server failed."""


class APIConnectionError(MeetingBoosterError, httpx2.TransportError):
    """The request could not be completed (connect error, reset, protocol error).

    Also an :class:`httpx2.TransportError`, so ``except httpx2.TransportError`` keeps working.
    """

    def __init__(self, message: str, *, request: httpx2.Request | None = None) -> None:
        httpx2.TransportError.__init__(self, message, request=request)


class APITimeoutError(APIConnectionError, httpx2.TimeoutException):
    """The request, or the token call behind it, ran out of time."""


class CallerDeadlineError(APITimeoutError):
    """The caller leading a token exchange ran out of its own time (not the server's fault).

    Internal: never shared with the callers waiting on the same exchange (they keep their own
    deadlines); the caller itself sees it as an :class:`APITimeoutError`.
    """


class RequestNotReplayableError(MeetingBoosterError):
    """A 401 asked for a retry with a fresh token, but the request body was a one-shot stream.

    Send the body as ``bytes`` (``content=``, ``json=``, ``data=``) to make it replayable.
    """


class ResponseValidationError(MeetingBoosterError):
    """A JSON body did not fit the expected model.

    ``path`` names where it went wrong (for example ``$.Meetings[3].Start``).
    """

    def __init__(self, message: str, *, path: str = "$", response: httpx2.Response | None = None):
        self.path = path
        self.response = response
        super().__init__(f"{message} (at {path})")


class SerializationError(MeetingBoosterError, TypeError):
    """A model could not be turned into JSON (for example a naive datetime).

    Also a :class:`TypeError`. ``path`` names the field, e.g. ``$.Meetings[0].Meeting.Start``.
    """

    def __init__(self, message: str, *, path: str = "$") -> None:
        self.path = path
        super().__init__(f"{message} (at {path})" if path != "$" else message)


class TokenStoreError(MeetingBoosterError):
    """The shared token store could not be read or written (e.g. Redis is down)."""


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
}


def _json_or_none(response: httpx2.Response) -> Any:
    try:
        return json.loads(response.content) if response.content else None
    except (ValueError, RecursionError):  # RecursionError: absurdly nested JSON
        return None


def status_error_for(response: httpx2.Response) -> APIStatusError:
    """The typed error for a non-2xx data response (the response must have been read)."""
    status = response.status_code
    cls = _STATUS_CLASSES.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else APIStatusError
    body = _json_or_none(response)
    url = response.request.url.copy_with(userinfo=b"", query=None, fragment=None)
    message = f"HTTP {status} {response.reason_phrase} for {response.request.method} {url}"
    return cls(message, response=response, body=body)
