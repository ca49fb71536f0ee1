# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/resources/_options.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""RequestOptions: the per-call options every typed method takes (timeout, deadline, retry...)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final, TypedDict

import httpx2

from .._errors import ConfigurationError
from .._retry import DEADLINE_EXTENSION, RETRY_EXTENSION, RetryPolicy

__all__ = ["RequestOptions", "request_kwargs"]


class RequestOptions(TypedDict, total=False):
    """Per-call options of every typed method, as keyword arguments; all optional.

    Leave one out to keep the client's setting.

    Attributes:
        timeout: httpx2's per-attempt timeout (seconds or an :class:`httpx2.Timeout`; ``None``
            for none).
        deadline: overall seconds for the whole call: token refresh, every attempt and every
            backoff included; ``None`` for none even if the client has one. Running out
            raises :class:`APITimeoutError`.
        retry: a :class:`RetryPolicy` for this call, or a number of retries with the
            client's other settings (``0`` disables retrying).
        extensions: httpx2 request extensions, merged over the method's own.
        headers: extra request headers.

    Example:
        >>> async def quick_sync(client):
        ...     return await client.my_meetings.sync(timeout=2.0, deadline=5.0, retry=0)
    """

    timeout: float | httpx2.Timeout | None
    deadline: float | None
    retry: RetryPolicy | int
    extensions: Mapping[str, Any]
    headers: Mapping[str, str]


_KNOWN: Final = frozenset(RequestOptions.__annotations__)


def _check_deadline(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigurationError(f"deadline must be seconds (a number), not {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise ConfigurationError(f"deadline must be a positive number of seconds, not {value!r}")
    return float(value)


def _check_retry(value: object) -> RetryPolicy | int:
    if isinstance(value, RetryPolicy):
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(
            f"retry must be a RetryPolicy or a number of retries >= 0, not {value!r}"
        )
    return value


def request_kwargs(
    options: Mapping[str, Any], *, extensions: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The ``request()`` keyword arguments for ``options``; ``extensions`` are the method's own.

    The caller's ``extensions`` win over the method's; ``deadline`` and ``retry`` win over both.

    Raises:
        ConfigurationError: an unknown option, or a bad ``deadline`` / ``retry``.
    """
    unknown = sorted(set(options) - _KNOWN)
    if unknown:
        known = ", ".join(sorted(_KNOWN))
        raise ConfigurationError(f"unknown option(s) {', '.join(unknown)}; expected {known}")
    kwargs: dict[str, Any] = {}
    merged: dict[str, Any] = {**(extensions or {}), **(options.get("extensions") or {})}
    if "deadline" in options:
        merged[DEADLINE_EXTENSION] = _check_deadline(options["deadline"])
    if "retry" in options:
        merged[RETRY_EXTENSION] = _check_retry(options["retry"])
    if merged:
        kwargs["extensions"] = merged
    if "timeout" in options:
        kwargs["timeout"] = options["timeout"]
    if "headers" in options:
        kwargs["headers"] = options["headers"]
    return kwargs
