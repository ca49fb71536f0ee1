# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_recovery.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""Whether a 401 is worth a new token and a replay: pure rules, no I/O.

A 401 from our origin is recovered: one exchange, then a replay with the new token. Not a 401
from another origin (a redirect target), nor one from an endpoint where a fresh token was just
refused too (a licence the user lacks: :mod:`._futile`). A replay answered 401 again ends the
replays when its token was surely fresh (the endpoint is marked futile); when that token was
already due, it may have expired in transit, and the request is replayed again, up to
:data:`._token_policy.MAX_REPLAYS` replays in all. The async and sync flows and
:class:`MeetingBoosterClient`'s send loop all ask :func:`worth_replay`.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx2

from ._errors import RequestNotReplayableError
from ._retry import is_replayable
from ._token_policy import MAX_REPLAYS, AccessToken
from ._tokens import TokenManager

__all__ = ["endpoint_of", "worth_replay"]


def endpoint_of(request: httpx2.Request) -> str:
    """``"GET /api/v1/x"``: what the futile-401 memory is keyed by (no query: sync tokens)."""
    return f"{request.method} {request.url.path}"


def worth_replay(
    tokens: TokenManager,
    serves: Callable[[httpx2.URL], bool],
    request: httpx2.Request,
    response: httpx2.Response,
    token: AccessToken,
    replays: int,
) -> bool:
    """True if ``response`` (to ``request`` stamped with ``token``, after ``replays``
    replays) is a 401 worth a new token and another replay.

    Raises :class:`RequestNotReplayableError` when a replay is due but the body was a
    one-shot stream.
    """
    if response.status_code != 401 or not serves(response.request.url):
        return False
    endpoint = endpoint_of(request)
    if replays and (replays >= MAX_REPLAYS or tokens.mark_futile(endpoint, token)):
        return False  # enough, or a fresh token was refused too: the endpoint is futile
    if tokens.is_futile(endpoint):
        return False
    if not is_replayable(request):
        raise RequestNotReplayableError(
            "401 needs a retry with a fresh token, but the request body was a stream"
        )
    return True
