"""POST /oauth: the three grants, app_id, expires_in, rotation, signout, failed logins, cookie."""

from __future__ import annotations

import uuid

import attrs
import httpx
import pytest

from meetingbooster_async.testing import Emulator, EmulatorSettings

from .helpers import ANN, BOB, bearer, login, password_form, refresh_form, signout_form

pytestmark = pytest.mark.anyio

LIST = "/api/v1/mymeetings/list"


async def test_password_grant_answers_the_documented_token_response(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/oauth", data=password_form())

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "expires_in"}
    assert body["expires_in"] == "1200"  # a JSON string, as documented
    assert str(uuid.UUID(body["refresh_token"])) == body["refresh_token"]  # GUID-like
    assert (await client.get(LIST, headers=bearer(body["access_token"]))).status_code == 200


async def test_username_is_case_insensitive(client: httpx.AsyncClient) -> None:
    response = await client.post("/oauth", data=password_form(ANN.upper()))
    assert response.status_code == 200


@pytest.mark.parametrize("settings", [EmulatorSettings(token_lifetime=60)])
async def test_token_lifetime_is_configurable_and_tokens_expire_on_the_clock(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    tokens = await login(client)
    assert tokens["expires_in"] == "60"

    emulator.advance(59)
    assert (await client.get(LIST, headers=bearer(tokens["access_token"]))).status_code == 200
    emulator.advance(1)
    assert (await client.get(LIST, headers=bearer(tokens["access_token"]))).status_code == 401


@pytest.mark.parametrize("settings", [EmulatorSettings(expires_in_as_string=False)])
async def test_expires_in_can_be_sent_as_a_number(client: httpx.AsyncClient) -> None:
    assert (await login(client))["expires_in"] == 1200


@pytest.mark.parametrize("settings", [EmulatorSettings(token_lifetime=0.5)])
async def test_a_fractional_lifetime_is_sent_as_a_decimal_string(client: httpx.AsyncClient) -> None:
    assert (await login(client))["expires_in"] == "0.5"


async def test_refresh_grant_issues_a_new_access_token_and_rotates(
    client: httpx.AsyncClient,
) -> None:
    first = await login(client)

    response = await client.post("/oauth", data=refresh_form(first["refresh_token"]))

    assert response.status_code == 200
    second = response.json()
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert (await client.get(LIST, headers=bearer(second["access_token"]))).status_code == 200
    # The older access token stays valid until it expires.
    assert (await client.get(LIST, headers=bearer(first["access_token"]))).status_code == 200


async def test_with_rotation_the_old_refresh_token_is_an_invalid_grant(
    client: httpx.AsyncClient,
) -> None:
    first = await login(client)
    await client.post("/oauth", data=refresh_form(first["refresh_token"]))

    reused = await client.post("/oauth", data=refresh_form(first["refresh_token"]))

    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("settings", [EmulatorSettings(rotate_refresh_tokens=False)])
async def test_without_rotation_the_refresh_token_stays_valid(client: httpx.AsyncClient) -> None:
    first = await login(client)
    for _ in range(3):
        response = await client.post("/oauth", data=refresh_form(first["refresh_token"]))
        assert response.status_code == 200
        assert response.json()["refresh_token"] == first["refresh_token"]


async def test_unknown_refresh_token_is_an_invalid_grant(client: httpx.AsyncClient) -> None:
    response = await client.post("/oauth", data=refresh_form(str(uuid.uuid4())))
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_grant"
    assert set(body) == {"error", "error_description", "error_state", "retry_in_seconds"}


async def test_signout_invalidates_refresh_and_access_tokens(client: httpx.AsyncClient) -> None:
    first = await login(client)
    rotated = (await client.post("/oauth", data=refresh_form(first["refresh_token"]))).json()

    response = await client.post("/oauth", data=signout_form(rotated["refresh_token"]))

    assert response.status_code == 200
    assert response.json() == {}
    # Access tokens issued before AND after the rotation are gone.
    for token in (first["access_token"], rotated["access_token"]):
        assert (await client.get(LIST, headers=bearer(token))).status_code == 401
    again = await client.post("/oauth", data=refresh_form(rotated["refresh_token"]))
    assert again.json()["error"] == "invalid_grant"


async def test_signout_only_ends_its_own_session(client: httpx.AsyncClient) -> None:
    one, two = await login(client), await login(client)
    await client.post("/oauth", data=signout_form(one["refresh_token"]))
    assert (await client.get(LIST, headers=bearer(two["access_token"]))).status_code == 200


async def test_signout_of_an_unknown_token_is_an_invalid_grant(client: httpx.AsyncClient) -> None:
    response = await client.post("/oauth", data=signout_form(str(uuid.uuid4())))
    assert response.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("settings", [EmulatorSettings(signout_status=204, signout_body="")])
async def test_signout_answer_is_a_setting(client: httpx.AsyncClient) -> None:
    tokens = await login(client)
    response = await client.post("/oauth", data=signout_form(tokens["refresh_token"]))
    assert response.status_code == 204
    assert response.content == b""


@pytest.mark.parametrize(
    "form",
    [
        password_form(app_id="api"),
        {k: v for k, v in password_form().items() if k != "app_id"},
        refresh_form("x", app_id="Other"),
    ],
    ids=["wrong-case", "missing", "wrong-on-refresh"],
)
async def test_app_id_must_be_api(client: httpx.AsyncClient, form: dict[str, str]) -> None:
    response = await client.post("/oauth", data=form)
    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"
    assert "app_id" in response.json()["error_description"]


async def test_signout_without_app_id_is_accepted_like_the_docs_example(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    tokens = await login(client)
    assert (await client.post("/oauth", data=signout_form(tokens["refresh_token"]))).is_success

    emulator.configure(require_app_id_on_signout=True)
    tokens = await login(client)
    refused = await client.post("/oauth", data=signout_form(tokens["refresh_token"]))
    assert refused.json()["error"] == "unauthorized_client"


@pytest.mark.parametrize("settings", [EmulatorSettings(require_app_id=False)])
async def test_app_id_is_ignored_when_not_required(client: httpx.AsyncClient) -> None:
    form = {k: v for k, v in password_form().items() if k != "app_id"}
    assert (await client.post("/oauth", data=form)).status_code == 200
    assert (await client.post("/oauth", data=password_form(app_id="x"))).status_code == 200


async def test_oauth_takes_form_bodies_only(client: httpx.AsyncClient) -> None:
    response = await client.post("/oauth", json=password_form())
    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"


async def test_unknown_grant_type_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/oauth", data={"grant_type": "client_credentials", "app_id": "Api"}
    )
    assert response.json()["error"] == "unauthorized_client"


async def test_oauth_answers_405_to_get(client: httpx.AsyncClient) -> None:
    response = await client.get("/oauth")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_wrong_password_is_failedlogin_with_retry_in_seconds(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/oauth", data=password_form(password="nope"))

    assert response.status_code == 400
    assert response.json() == {
        "error": "unauthorized_client",
        "error_description": "Authorization has been denied for this request",
        "error_state": "FAILEDLOGIN",
        "retry_in_seconds": 10,
    }


async def test_unknown_user_is_refused_like_a_wrong_password(client: httpx.AsyncClient) -> None:
    response = await client.post("/oauth", data=password_form("nobody@example.com"))
    assert response.json()["error_state"] == "FAILEDLOGIN"


@pytest.mark.parametrize(
    "settings", [EmulatorSettings(failed_login_threshold=3, retry_in_seconds=30)]
)
async def test_repeated_failures_lock_the_identity_even_for_the_right_password(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    for _ in range(3):
        failed = await client.post("/oauth", data=password_form(password="nope"))
        assert failed.json()["error_state"] == "FAILEDLOGIN"

    emulator.advance(10)
    locked = await client.post("/oauth", data=password_form())
    assert locked.status_code == 400
    assert locked.json()["error_state"] == "FAILEDLOGIN"
    assert locked.json()["retry_in_seconds"] == 20  # what is left of the window
    # Other identities are not affected.
    assert (await client.post("/oauth", data=password_form(BOB, "bobs-password"))).is_success

    emulator.advance(20)
    assert (await client.post("/oauth", data=password_form())).status_code == 200


async def test_a_successful_login_resets_the_failure_count(client: httpx.AsyncClient) -> None:
    for _ in range(2):
        await client.post("/oauth", data=password_form(password="nope"))
    await login(client)
    for _ in range(2):
        await client.post("/oauth", data=password_form(password="nope"))
    assert (await client.post("/oauth", data=password_form())).status_code == 200


async def test_clear_lockouts_lifts_a_lock(emulator: Emulator, client: httpx.AsyncClient) -> None:
    for _ in range(3):
        await client.post("/oauth", data=password_form(password="nope"))
    assert (await client.post("/oauth", data=password_form())).status_code == 400
    emulator.clear_lockouts()
    assert (await client.post("/oauth", data=password_form())).status_code == 200


async def test_disabled_users_and_guests_cannot_log_in(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    emulator.add_user("off@example.com", "pw", enabled=False)
    emulator.add_user("guest@example.com", "pw", guest=True)
    for email in ("off@example.com", "guest@example.com"):
        response = await client.post("/oauth", data=password_form(email, "pw"))
        assert response.json()["error"] == "unauthorized_client"


async def test_disabling_a_user_invalidates_its_access_tokens(
    emulator: Emulator, client: httpx.AsyncClient
) -> None:
    tokens = await login(client)
    emulator.update_user(ANN, enabled=False)
    assert (await client.get(LIST, headers=bearer(tokens["access_token"]))).status_code == 401


@pytest.mark.parametrize("settings", [EmulatorSettings(oauth_error_status=401)])
async def test_oauth_failure_status_is_a_setting(client: httpx.AsyncClient) -> None:
    response = await client.post("/oauth", data=password_form(password="nope"))
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized_client"


async def test_oauth_sets_a_cookie_that_is_not_accepted_as_auth(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/oauth", data=password_form())
    assert response.cookies["MBSession"] == response.json()["access_token"]
    assert "MBSession" in client.cookies

    # The client's jar now sends the cookie, but without a bearer header the answer is 401.
    assert (await client.get(LIST)).status_code == 401


async def test_cookie_auth_can_be_enabled(emulator: Emulator, client: httpx.AsyncClient) -> None:
    emulator.configure(accept_cookie_auth=True, session_cookie="Other")
    await login(client)
    assert (await client.get(LIST)).status_code == 200


@pytest.mark.parametrize("settings", [EmulatorSettings(session_cookie=None)])
async def test_the_cookie_can_be_switched_off(client: httpx.AsyncClient) -> None:
    response = await client.post("/oauth", data=password_form())
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize("settings", [EmulatorSettings(null_unset_values=False)])
async def test_error_state_is_left_out_when_unset_values_are_omitted(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/oauth", data=refresh_form("nope"))
    assert "error_state" not in response.json()


def test_settings_reject_nonsense() -> None:
    with pytest.raises(ValueError, match="token_lifetime"):
        EmulatorSettings(token_lifetime=0)
    with pytest.raises(ValueError, match="sync_commit_method"):
        EmulatorSettings(sync_commit_method="FETCH")
    with pytest.raises(ValueError, match="sync_commit_path"):
        EmulatorSettings(sync_commit_path="api/v1/x/")
    with pytest.raises(ValueError, match="oauth_error_status"):
        EmulatorSettings(oauth_error_status=99)
    with pytest.raises(ValueError, match="list_default_page_size"):
        EmulatorSettings(list_default_page_size=10, list_max_page_size=5)
    assert "control_key" not in repr(EmulatorSettings(control_key="sekrit"))
    assert attrs.evolve(EmulatorSettings(), token_lifetime=5).token_lifetime == 5
