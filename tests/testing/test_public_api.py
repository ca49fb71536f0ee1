"""The public surface of meetingbooster_async.testing, pinned."""

from __future__ import annotations

import inspect

import attrs

import meetingbooster_async.testing as testing
from meetingbooster_async.testing import EmulatorSettings

EXPECTED = [
    "BODY_PRESETS",
    "DROP_MODES",
    "ROUTES",
    "Emulator",
    "EmulatorServer",
    "EmulatorSettings",
    "EmulatorStats",
    "Faults",
    "aserve",
    "serve",
]


def test_all_is_sorted_and_pinned() -> None:
    # ruff's RUF022 order: SCREAMING_CASE constants first, then the rest, each sorted.
    assert testing.__all__ == EXPECTED
    constants = [name for name in EXPECTED if name.isupper()]
    others = [name for name in EXPECTED if not name.isupper()]
    assert sorted(constants) + sorted(others) == EXPECTED


def test_public_names_are_documented() -> None:
    for name in testing.__all__:
        obj = getattr(testing, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), name


def test_routes_are_the_fault_and_stats_names() -> None:
    assert testing.ROUTES == (
        "oauth", "sync", "sync_commit", "list", "meeting", "tasks_sync", "tasks_sync_commit",
    )  # fmt: skip


def test_settings_defaults() -> None:
    documented = {
        "token_lifetime": 1200.0,  # 20 minutes
        "expires_in_as_string": True,
        "require_app_id": True,
    }
    inferred = {
        "rotate_refresh_tokens": True,
        "retry_in_seconds": 10,  # the docs' example value
        "failed_login_threshold": 3,
        "require_app_id_on_signout": False,
        "oauth_error_status": 400,
        "signout_status": 200,
        "signout_body": "{}",
        "session_cookie": "MBSession",
        "accept_cookie_auth": False,
        "meetings_path": "/api/v1/meetings",
        "sync_commit_path": "/api/v1/mymeetings/synccommit",
        "sync_commit_method": "POST",
        "tasks_sync_path": "/api/v1/mytasks/sync",
        "tasks_sync_commit_path": "/api/v1/mytasks/synccommit",
        "tasks_sync_commit_method": "POST",
        "list_default_page_size": 100,
        "list_max_page_size": 1000,
        "null_unset_values": True,
        "invalid_sync_token_status": 400,
        "api_error_message_key": "Message",
        "api_error_code_key": "ErrorCode",
        "reject_unknown_keys": False,
    }
    emulator_only = {
        "control_prefix": "/_emulator",
        "control_key": None,
        "max_body_bytes": 16 * 1024 * 1024,
    }
    assert attrs.asdict(EmulatorSettings()) == documented | inferred | emulator_only
    for name in attrs.fields_dict(EmulatorSettings):
        assert f"{name}:" in (EmulatorSettings.__doc__ or ""), name
