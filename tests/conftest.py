"""Shared test configuration: every async test runs on asyncio and on trio."""

from __future__ import annotations

import pytest

from meetingbooster_async import _auth, _client
from meetingbooster_async._retry import RetryPolicy

#: The default policies with millisecond backoffs: tests count retries, they do not wait.
FAST_RETRY = RetryPolicy(max_retries=2, backoff_initial=0.001, backoff_max=0.004)


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(autouse=True)
def _fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_auth, "DEFAULT_TOKEN_RETRY", FAST_RETRY)
    monkeypatch.setattr(_client, "DEFAULT_RETRY", FAST_RETRY)
