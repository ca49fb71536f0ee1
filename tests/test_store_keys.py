"""Store keys with a deployment secret: an HMAC of server and username, a password verifier."""

from __future__ import annotations

import pytest

from meetingbooster_async import LoginFailedError, MeetingBoosterClient, MemoryTokenStore
from meetingbooster_async._store import password_verifier, token_key
from meetingbooster_async.testing import Emulator

from .emulated import ANN, LIST, PASSWORD, URL

pytestmark = pytest.mark.anyio

BASE = "https://mb.example.com/"
SECRET = b"the deployment's secret"


def test_a_secret_key_needs_no_password_and_names_no_one() -> None:
    key = token_key(BASE, "Ann@Example.com", None, secret=SECRET)
    assert key == token_key(BASE, "ann@example.com", "any password", secret=SECRET)
    assert key != token_key(BASE, "bob@example.com", None, secret=SECRET)
    assert key != token_key("https://other.example.com/", "ann@example.com", None, secret=SECRET)
    assert key != token_key(BASE, "ann@example.com", None, secret=b"another secret")
    assert key.startswith("meetingbooster:token:") and "ann" not in key and "example" not in key
    assert key != token_key(BASE, "ann@example.com", "pw")  # the slow key is another


def test_the_verifier_is_per_key_and_password() -> None:
    key = token_key(BASE, "ann@example.com", None, secret=SECRET)
    verifier = password_verifier(key, "secret")
    assert verifier == password_verifier(key, "secret")
    assert verifier != password_verifier(key, "Secret")
    assert verifier != password_verifier(key + "x", "secret")
    assert "secret" not in verifier


def client(
    emulator: Emulator, store: MemoryTokenStore, password: str = PASSWORD
) -> MeetingBoosterClient:
    return MeetingBoosterClient(
        URL,
        username=ANN,
        password=password,
        token_store=store,
        transport=emulator.transport(),
    )


async def test_sharers_with_the_password_share_one_login(emulator: Emulator) -> None:
    store = MemoryTokenStore(key_secret=SECRET)
    async with client(emulator, store) as first, client(emulator, store) as second:
        await first.get(LIST)
        await second.get(LIST)
    assert emulator.stats().oauth_calls == {"password": 1}
    [entry] = store._data.values()
    assert entry.verifier and PASSWORD not in entry.verifier


async def test_a_wrong_password_never_adopts_nor_deletes_anothers_tokens(
    emulator: Emulator,
) -> None:
    store = MemoryTokenStore(key_secret=SECRET)
    async with client(emulator, store) as right:
        await right.get(LIST)
        before = dict(store._data)
        async with client(emulator, store, password="not the password") as wrong:
            with pytest.raises(LoginFailedError):
                await wrong.get(LIST)  # the same key, another verifier: a login, refused
            await wrong.signout()
        assert store._data == before  # the right user's tokens are untouched
        assert (await right.get(LIST)).status_code == 200
    assert emulator.stats().oauth_calls["password"] == 2  # ours, and the refused one


async def test_a_job_without_the_password_finds_the_users_tokens(emulator: Emulator) -> None:
    store = MemoryTokenStore(key_secret=SECRET)
    async with client(emulator, store) as web:
        await web.get(LIST)  # logged in somewhere, with the password
    async with MeetingBoosterClient(
        URL, username="job", password="", transport=emulator.transport(), token_store=store
    ) as job:
        ann = job.as_user(ANN, "")
        ann.forget_password()  # the job never asks the credentials provider
        assert (await ann.get(LIST)).status_code == 200
    assert emulator.stats().oauth_calls == {"password": 1}
