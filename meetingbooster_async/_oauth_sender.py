"""TokenSender: the one place /oauth requests go out — retries, deadlines, redaction.

A grant request carries the password or a refresh token in its body, so nothing we raise or
return keeps it: responses and errors get a body-less copy of the request.
"""

from __future__ import annotations

import math
import time
from collections.abc import Generator
from typing import Final, TypeVar

import anyio
import httpx

from ._errors import APIConnectionError, APITimeoutError, CallerDeadlineError, MeetingBoosterError
from ._logging import logger
from ._oauth import parse_oauth_error
from ._retry import RetryPolicy, may_have_reached
from ._security import safe_url, scrub_chain, without_queries

_T = TypeVar("_T")

__all__ = [
    "DEFAULT_TOKEN_RETRY",
    "TokenSender",
    "redacted",
    "tighter_timeout",
]

#: /oauth is retried on a glitch (transport error, 5xx without a JSOAuthError body), never on
#: a JSOAuthError: that is a verdict.
DEFAULT_TOKEN_RETRY: Final = RetryPolicy(max_retries=2, backoff_initial=0.2, backoff_max=2.0)


def redacted(request: httpx.Request) -> httpx.Request:
    """The request without its body (the password or a refresh token) for errors and logs.

    The URL keeps no ``user:password@`` and no query (a token URL may carry an API key).
    """
    return httpx.Request(request.method, request.url.copy_with(userinfo=b"", query=None))


def _wrap(exc: Exception, request: httpx.Request, sent: httpx.Request) -> APIConnectionError:
    """Our error for a failed grant call, its cause chain stripped of frames (they hold the body).

    ``request`` is the body-less copy the error names; ``sent`` the request that went out, whose
    transport record says whether it may have reached the server. A transport's own error keeps
    its class in the message; any other exception (a bug in a transport) becomes one too, so
    the caller's ``except`` clauses and the failure backoff see every failure alike.
    """
    scrub_chain(exc, request)
    detail = without_queries(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    reached = may_have_reached(sent, exc) if isinstance(exc, httpx.TransportError) else True
    error: APIConnectionError
    if isinstance(exc, httpx.TimeoutException):
        error = APITimeoutError(
            f"the token endpoint timed out ({detail})",
            request=request,
            may_have_reached_server=reached,
        )
    else:
        error = APIConnectionError(
            f"the token endpoint {safe_url(request.url)} could not be reached ({detail})",
            request=request,
            may_have_reached_server=reached,
        )
    error.__cause__ = exc
    return error


def _retry_delay(
    policy: RetryPolicy, request: httpx.Request, response: httpx.Response, attempt: int
) -> float | None:
    if response.status_code < 500 or parse_oauth_error(response) is not None:
        return None
    return policy.delay_after_status(request, response.status_code, response.headers, attempt)


def _log_retry(request: httpx.Request, attempt: int, delay: float) -> None:
    logger.debug(
        "token call to %s failed; retry %d in %.2fs", safe_url(request.url), attempt + 1, delay
    )


def tighter_timeout(a: httpx.Timeout | None, b: httpx.Timeout | None) -> httpx.Timeout | None:
    """Each phase's tighter limit of two timeouts (``None`` phases are unlimited)."""
    if a is None or b is None:
        return a or b

    def least(x: float | None, y: float | None) -> float | None:
        return y if x is None else x if y is None else min(x, y)

    return httpx.Timeout(
        connect=least(a.connect, b.connect),
        read=least(a.read, b.read),
        write=least(a.write, b.write),
        pool=least(a.pool, b.pool),
    )


class TokenSender:
    """Sends grant requests through a transport: the one given per call, else its own."""

    def __init__(
        self,
        *,
        policy: RetryPolicy,
        transport: httpx.AsyncBaseTransport | None = None,
        sync_transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.policy = policy
        self.transport = transport
        self.sync_transport = sync_transport
        self.owns_transport = False
        self.owns_sync_transport = False

    def default_transport(self) -> httpx.AsyncBaseTransport:
        """The transport given at construction, or a private one made on first use."""
        if self.transport is None:
            self.transport, self.owns_transport = httpx.AsyncHTTPTransport(), True
        return self.transport

    async def asend(
        self,
        request: httpx.Request,
        deadline: float,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        attempt_timeout: httpx.Timeout | None = None,
        shield: bool = False,
    ) -> httpx.Response:
        """Send with retries before ``deadline`` (``anyio.current_time()`` units).

        Args:
            transport: the sending client's transport (default: :meth:`default_transport`).
            attempt_timeout: the sending client's timeout; each attempt gets the tighter of it and
                the grant request's own per-attempt timeout.
            shield: the caller leading the exchange runs it in its own task (trio without a
                task group): shield the call from that caller's cancellation, since others
                wait for it. The caller's own deadline still bounds it when it comes first;
                then :class:`CallerDeadlineError` is raised, which the others do not inherit.
        """
        transport = transport or self.default_transport()
        if attempt_timeout is not None:
            tightest = tighter_timeout(
                httpx.Timeout(**request.extensions.get("timeout", {})), attempt_timeout
            )
            assert tightest is not None
            request.extensions["timeout"] = tightest.as_dict()
        callers = anyio.current_effective_deadline() if shield else math.inf
        # -inf: the caller is already cancelled; it finishes the exchange for the others.
        own = -math.inf < callers < deadline
        safe = redacted(request)
        attempt = 0
        with anyio.CancelScope(shield=shield, deadline=callers if own else deadline):
            while True:
                try:
                    response = await transport.handle_async_request(request)
                    try:
                        await response.aread()
                    finally:
                        await response.aclose()
                except httpx.TransportError as exc:
                    delay = self.policy.delay_after_error(request, exc, attempt)
                    if delay is None:
                        error = _wrap(exc, safe, request)
                        break
                except Exception as exc:  # a transport's bug: still a failed call, backed off
                    logger.exception("the token call to %s failed unexpectedly", safe_url(safe.url))
                    error = _wrap(exc, safe, request)
                    break
                else:
                    response.request = safe
                    delay = _retry_delay(self.policy, request, response, attempt)
                    if delay is None:
                        return response
                _log_retry(request, attempt, delay)
                await anyio.sleep(delay)
                attempt += 1
            # Raised outside the ``except`` block: the error's context is not the cause again
            # with this frame (whose locals hold the request body) in its traceback.
            raise error
        if own:
            raise CallerDeadlineError("the caller's deadline passed during /oauth", request=safe)
        raise APITimeoutError("the token endpoint did not answer in time", request=safe)

    def send(self, request: httpx.Request, deadline: float) -> httpx.Response:
        """:meth:`asend` for threads (``time.monotonic()`` deadline; httpx timeouts apply)."""
        if self.sync_transport is None:
            self.sync_transport, self.owns_sync_transport = httpx.HTTPTransport(), True
        safe = redacted(request)
        attempt = 0
        while True:
            try:
                response = self.sync_transport.handle_request(request)
                try:
                    response.read()
                finally:
                    response.close()
            except httpx.TransportError as exc:
                delay = self.policy.delay_after_error(request, exc, attempt)
                if delay is None:
                    error = _wrap(exc, safe, request)
                    break
            except Exception as exc:
                logger.exception("the token call to %s failed unexpectedly", safe_url(safe.url))
                error = _wrap(exc, safe, request)
                break
            else:
                response.request = safe
                delay = _retry_delay(self.policy, request, response, attempt)
                if delay is None:
                    return response
            if time.monotonic() + delay >= deadline:
                raise APITimeoutError("the token endpoint did not answer in time", request=safe)
            _log_retry(request, attempt, delay)
            time.sleep(delay)
            attempt += 1
        raise error

    def drive(self, flow: Generator[httpx.Request, httpx.Response, _T], deadline: float) -> _T:
        """Run a sans-I/O token flow in this thread: send what it yields, give back what came.

        A failure leaves with no frame that held a grant: the flow's frames hold the refresh
        token, the sender's the grant body, and error reporters serialise frame locals. So its
        chain is scrubbed, and it is raised once ``flow`` and ``request`` are gone.
        """
        try:
            request = next(flow)
            while True:
                try:
                    response = self.send(request, deadline)
                except MeetingBoosterError as exc:
                    request = flow.throw(exc)
                else:
                    request = flow.send(response)
        except StopIteration as stop:
            result: _T = stop.value
            return result
        except MeetingBoosterError as exc:
            scrub_chain(exc)
            failure = exc
        del flow  # its frames (and ``request``, a grant body) stay out of the traceback
        request = None  # type: ignore[assignment]
        raise failure

    async def aclose(self) -> None:
        if self.owns_transport and self.transport is not None:
            await self.transport.aclose()
            self.transport, self.owns_transport = None, False

    def close(self) -> None:
        if self.owns_sync_transport and self.sync_transport is not None:
            self.sync_transport.close()
            self.sync_transport, self.owns_sync_transport = None, False
