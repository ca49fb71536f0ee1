"""Small request helpers shared by the emulator's tests."""

from __future__ import annotations

from typing import Any

import httpx

ANN = "ann@example.com"
BOB = "bob@example.com"
PASSWORD = "ann-secret"


def password_form(username: str = ANN, password: str = PASSWORD, **extra: str) -> dict[str, str]:
    return {
        "grant_type": "password",
        "username": username,
        "password": password,
        "app_id": "Api",
        **extra,
    }


def refresh_form(refresh_token: str, **extra: str) -> dict[str, str]:
    return {"grant_type": "refresh_token", "refresh_token": refresh_token, "app_id": "Api", **extra}


def signout_form(refresh_token: str) -> dict[str, str]:
    return {"grant_type": "signout", "refresh_token": refresh_token}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def login(client: httpx.AsyncClient, username: str = ANN, password: str = PASSWORD) -> Any:
    """The JSOAuthResponse of a successful password grant."""
    response = await client.post("/oauth", data=password_form(username, password))
    assert response.status_code == 200, response.text
    return response.json()


async def get_json(client: httpx.AsyncClient, token: str, url: str, **params: Any) -> Any:
    response = await client.get(url, headers=bearer(token), params=params)
    assert response.status_code == 200, response.text
    return response.json()


SYNC = "/api/v1/mymeetings/sync"
COMMIT = "/api/v1/mymeetings/synccommit"


async def sync(client: httpx.AsyncClient, token: str, **params: str) -> Any:
    """A JSMeetingSynchronization from MyMeetings Sync."""
    return await get_json(client, token, SYNC, **params)


async def commit(client: httpx.AsyncClient, token: str, body: Any, status: int = 200) -> Any:
    """The JSON answer of a SyncCommit, which must have ``status``."""
    response = await client.post(COMMIT, headers=bearer(token), json=body)
    assert response.status_code == status, response.text
    return response.json()


def states(synchronization: Any) -> list[tuple[str, str]]:
    """(State, Meeting.Id) of each JSSyncMeeting."""
    return [(item["State"], item["Meeting"]["Id"]) for item in synchronization["Meetings"]]
