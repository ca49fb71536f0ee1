"""The one exception tree of the SDK, and the mapping from an HTTP response to it.

Every error our code raises derives from :class:`MeetingBoosterError`::

    MeetingBoosterError
    ├── ConfigurationError            bad arguments (e.g. plain http:// to a remote host)
    ├── OAuthError                    POST /oauth answered a JSOAuthError body
    │   ├── LoginFailedError          the password grant was refused (error_state FAILEDLOGIN, …);
    │   │                             ``locked``: refused for too many failed logins
    │   └── InvalidGrantError         a refresh token was rejected (error "invalid_grant")
    ├── OAuthResponseError            POST /oauth answered neither a token nor a JSOAuthError
    │                                 (HTML, invalid JSON, a missing access_token, a 5xx, …)
    ├── APIStatusError                a data endpoint answered a status other than 2xx;
    │   │                             ``error_code`` / ``server_message``: the server's words
    │   ├── BadRequestError           400
    │   │   └── InvalidSyncTokenError a 4xx whose ErrorCode is INVALIDSYNCTOKEN: sync afresh
    │   ├── AuthenticationError       401 that survived a refresh and a fresh login
    │   ├── PermissionDeniedError     403 (JSApiError body)
    │   ├── NotFoundError             404
    │   ├── ConflictError             409
    │   ├── UnprocessableEntityError  422
    │   ├── RateLimitError            429; ``retry_after``: seconds from Retry-After
    │   └── ServerError               5xx
    ├── APIConnectionError            a transport failure (also an httpx.TransportError)
    │   └── APITimeoutError           a timeout or a deadline (also an httpx.TimeoutException)
    │       └── CallerDeadlineError   internal: a token exchange's leader ran out of its time
    ├── ClientClosedError             the client was closed (also a RuntimeError, as in httpx)
    ├── PasswordRequiredError         a login is needed but the password was forgotten
    ├── RequestNotReplayableError     a 401 needs a retry but the request body was a stream
    ├── ResponseValidationError       a body did not match the model; names the field path
    ├── SerializationError            a model could not become JSON (naive datetime); a TypeError
    └── TokenStoreError               a shared token store (Redis) failed
        └── TokenStoreBusyError       not a failure: another holder kept the token lock
                                      busy for the whole wait (its tokens, if any, adopted)

:func:`status_error_for` holds the one status → class table.

Messages never contain passwords or tokens: they are built from status codes, error codes,
the server's ``Message`` / ``error_description`` (one line, shortened, ``Bearer`` values
masked) and URLs without their query string or user info.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

import httpx

from ._api_error import INVALID_SYNC_TOKEN, error_code_of, parse_api_error, server_words
from ._models import ApiError
from ._retry_after import parse_retry_after

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "CallerDeadlineError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "InvalidGrantError",
    "InvalidSyncTokenError",
    "LoginFailedError",
    "MeetingBoosterError",
    "NotFoundError",
    "OAuthError",
    "OAuthResponseError",
    "PasswordRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestNotReplayableError",
    "ResponseValidationError",
    "SerializationError",
    "ServerError",
    "TokenStoreBusyError",
    "TokenStoreError",
    "UnprocessableEntityError",
    "api_error_of",
    "parse_api_error",
    "status_error_for",
]

# A refused login whose description says the identity is locked out (inferred: the docs know
# only FAILEDLOGIN, for a wrong password and a lockout alike).
_LOCKED_WORDS: Final = re.compile(r"too many|locked|lock-?out", re.IGNORECASE)


class MeetingBoosterError(Exception):
    """Base class of every error raised by this SDK.

    ``in_cooldown`` is true on an error raised without calling ``/oauth`` because an earlier
    failure of the same kind still blocks it (a cooldown, or the backoff after a timeout or a
    5xx); ``retry_in_seconds`` is then the time that remains.
    """

    in_cooldown: bool = False
    retry_in_seconds: float = 0

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
        response: httpx.Response | None = None,
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
            message += f": {server_words(self.error_description)}"
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
    """The password grant was refused (wrong password, disabled user, locked identity).

    ``locked`` tells a lockout (too many failed logins: wait ``retry_in_seconds``, a right
    password is refused too) from a wrong password. The server sends ``FAILEDLOGIN`` for
    both, so it is read from ``error_description`` (inferred: "too many", "locked").
    """

    @property
    def locked(self) -> bool:
        """True if the server refused because the identity is locked out."""
        return bool(self.error_description and _LOCKED_WORDS.search(self.error_description))

    def _message(self) -> str:
        if self.locked:
            return f"account locked after too many failed logins: {super()._message()}"
        return f"login refused: {super()._message()}"


class InvalidGrantError(OAuthError):
    """A refresh token (or other grant) was rejected with ``invalid_grant``."""


class OAuthResponseError(MeetingBoosterError):
    """``POST /oauth`` answered something that is neither a token nor a ``JSOAuthError``."""

    def __init__(self, message: str, *, response: httpx.Response | None = None) -> None:
        self.response = response
        self.status_code = response.status_code if response is not None else None
        super().__init__(message)


class APIStatusError(MeetingBoosterError):
    """A data endpoint answered a status other than 2xx.

    Attributes:
        response: the response (its body read).
        status_code: its status.
        body: the parsed JSON body (a ``JSApiError`` object), or ``None`` when the body was
            empty or not JSON.
        server_message: the server's own message (``Message``...), or ``None``.
        error_code: the server's ``ErrorCode`` (e.g. ``INVALIDSYNCTOKEN``), or ``None``.
    """

    def __init__(self, message: str, *, response: httpx.Response, body: object = None) -> None:
        self.response = response
        self.status_code = response.status_code
        self.body = body
        error = parse_api_error(body)
        self.server_message = error.message if error is not None else None
        self.error_code = error_code_of(body)
        super().__init__(message)

    @property
    def api_error(self) -> ApiError | None:
        """The body as a ``JSApiError`` (:class:`ApiError`), or ``None`` when it had none."""
        return parse_api_error(self.body)


class BadRequestError(APIStatusError):
    """400: the server refused the request as malformed (see ``server_message``)."""


class InvalidSyncTokenError(BadRequestError):
    """The server refused the sync token (``ErrorCode`` ``INVALIDSYNCTOKEN``, any 4xx).

    Start again with a full sync (no token): every object comes back as ``NEW``.
    """


class AuthenticationError(APIStatusError):
    """401 that survived a token refresh and a fresh password login."""


class PermissionDeniedError(APIStatusError):
    """403: the user may not see or change the object."""


class NotFoundError(APIStatusError):
    """404: no such object or path."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the object's current state."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was understood but its content refused."""


class RateLimitError(APIStatusError):
    """429: too many requests (after the client's own retries, when it made any).

    ``retry_after`` is the wait the server asked for in seconds (``Retry-After`` as seconds or
    an HTTP date), or ``None`` when it sent none we could read.
    """

    def __init__(self, message: str, *, response: httpx.Response, body: object = None) -> None:
        self.retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if self.retry_after is not None:
            message += f" (retry after {self.retry_after:g} s)"
        super().__init__(message, response=response, body=body)


class ServerError(APIStatusError):
    """5xx: the server failed."""


class APIConnectionError(MeetingBoosterError, httpx.TransportError):
    """The request could not be completed (connect error, reset, protocol error).

    Also an :class:`httpx.TransportError`, so ``except httpx.TransportError`` keeps working.

    ``may_have_reached_server`` is false only when the request surely never left (nothing
    was written: a refused connect, a connect timeout, a full pool): only then is sending it
    again sure not to repeat its effect.
    """

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        may_have_reached_server: bool = True,
    ) -> None:
        httpx.TransportError.__init__(self, message, request=request)
        self.may_have_reached_server = may_have_reached_server


class APITimeoutError(APIConnectionError, httpx.TimeoutException):
    """The request, or the token call behind it, ran out of time."""


class CallerDeadlineError(APITimeoutError):
    """The caller leading a token exchange ran out of its own time (not the server's fault).

    Internal: never shared with the callers waiting on the same exchange (they keep their own
    deadlines); the caller itself sees it as an :class:`APITimeoutError`.
    """


class PasswordRequiredError(MeetingBoosterError):
    """A login is needed, but this session's password was forgotten (``forget_password()``).

    Raised before anything is sent, and it starts no backoff: ask for the password again and
    make a session with it (``client.as_user(username, password)``). A sync fleet does this
    with its credentials provider, so no password stays in memory between logins.
    """


class ClientClosedError(MeetingBoosterError, RuntimeError):
    """The client was closed: it sends nothing more (also a ``RuntimeError``, as in httpx)."""


class RequestNotReplayableError(MeetingBoosterError):
    """A 401 asked for a retry with a fresh token, but the request body was a one-shot stream.

    Send the body as ``bytes`` (``content=``, ``json=``, ``data=``) to make it replayable.
    """


class ResponseValidationError(MeetingBoosterError):
    """A JSON body did not fit the expected model.

    ``path`` names where it went wrong (for example ``$.Meetings[3].Start``).
    """

    def __init__(self, message: str, *, path: str = "$", response: httpx.Response | None = None):
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


class TokenStoreBusyError(TokenStoreError):
    """Another holder kept an identity's token lock for the whole wait: the store works.

    Unlike a store failure, this never makes the exchange run locally (that would send the
    holder's refresh token a second time): the waiter re-reads the store and adopts what the
    holder wrote, or fails with this.
    """


_STATUS_CLASSES: Final[dict[int, type[APIStatusError]]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_class(status: int, error_code: str | None = None) -> type[APIStatusError]:
    """The one status → class table (the server's ``ErrorCode`` refines a 4xx)."""
    if error_code == INVALID_SYNC_TOKEN and 400 <= status < 500:
        return InvalidSyncTokenError
    if status >= 500:
        return ServerError
    return _STATUS_CLASSES.get(status, APIStatusError)


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content) if response.content else None
    except (ValueError, RecursionError):  # RecursionError: absurdly nested JSON
        return None


def status_error_for(response: httpx.Response) -> APIStatusError:
    """The typed error for a non-2xx data response (the response must have been read).

    The message carries the server's own words when the body has them, e.g.
    ``HTTP 400 Bad Request for GET https://mb/api/v1/mymeetings/sync: The sync token is not
    valid (INVALIDSYNCTOKEN)``.
    """
    status = response.status_code
    body = _json_or_none(response)
    error = parse_api_error(body)
    code = error_code_of(body)
    url = response.request.url.copy_with(userinfo=b"", query=None, fragment=None)
    message = f"HTTP {status} {response.reason_phrase} for {response.request.method} {url}"
    words = [server_words(error.message)] if error is not None and error.message else []
    if code and code != (error.message if error is not None else None):
        words.append(f"({server_words(code)})")
    if words:
        message += ": " + " ".join(words)
    return status_class(status, code)(message, response=response, body=body)


def api_error_of(error: APIStatusError) -> ApiError | None:
    """The ``JSApiError`` of a status error (e.g. a 403), or ``None`` if its body had none.

    The same as ``error.api_error``.

    Example:
        >>> async def open_meeting(client, meeting_id):
        ...     try:
        ...         return await client.request_model(
        ...             "GET", f"/api/v1/meetings/{meeting_id}", model=Meeting
        ...         )
        ...     except PermissionDeniedError as exc:
        ...         print("denied:", exc.server_message, exc.error_code)
    """
    return error.api_error
