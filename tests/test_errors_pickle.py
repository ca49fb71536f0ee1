"""Errors cross process boundaries: every kind survives pickling with its message."""

from __future__ import annotations

import pickle

import httpx

from meetingbooster_async import (
    APITimeoutError,
    LoginFailedError,
    MeetingBoosterError,
    NotFoundError,
    OAuthResponseError,
    ResponseValidationError,
)


def test_errors_survive_pickling() -> None:
    errors: list[MeetingBoosterError] = [
        LoginFailedError(error="unauthorized_client", retry_in_seconds=5),
        NotFoundError("HTTP 404", response=httpx.Response(404)),
        APITimeoutError("slow"),
        ResponseValidationError("bad", path="$.x"),
        OAuthResponseError("html"),
    ]
    for error in errors:
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error)
