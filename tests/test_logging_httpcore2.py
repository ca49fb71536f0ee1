"""The header-masking filter also covers httpcore2's loggers: under ``httpx2.alias_httpx()``
this package runs on httpcore2, which logs ``Set-Cookie`` (the access token) at DEBUG."""

from __future__ import annotations

import logging

import pytest

from meetingbooster_async import _logging

RAW = (
    "receive_response_headers.complete return_value="
    "(b'HTTP/1.1', 200, b'OK', [(b'set-cookie', b'MB=tok')])"
)


@pytest.mark.parametrize("name", ["httpcore2.http11", "httpcore2.http2"])
def test_httpcore2s_header_records_are_masked(name: str, caplog: pytest.LogCaptureFixture) -> None:
    _logging.install_header_masking()
    with caplog.at_level(logging.DEBUG, logger=name):
        logging.getLogger(name).debug(RAW)
    assert caplog.messages == [RAW.replace("b'MB=tok'", "b'<masked>'")]


def test_each_header_logger_is_listed_once() -> None:
    assert len(set(_logging.HEADER_LOGGERS)) == len(_logging.HEADER_LOGGERS)
