"""The plugin's fixtures in a user's project: pytest-asyncio auto or strict mode, trio installed."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

USER_TESTS = """
import pytest
import sniffio

from meetingbooster_async.testing._pytest_plugin import DEFAULT_CREDENTIALS


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request):
    return request.param


@pytest.mark.anyio
async def test_the_client_lists_the_fixture_users_meetings(
    meetingbooster_client, meetingbooster_emulator, meetingbooster_credentials
):
    assert meetingbooster_credentials == DEFAULT_CREDENTIALS == ("user@example.com", "password")
    response = await meetingbooster_client.get("/api/v1/mymeetings/list")
    assert response.status_code == 200 and len(response.json()) == 3
    assert meetingbooster_emulator.stats().oauth_calls == {"password": 1}
    print("LOOP", sniffio.current_async_library())
"""


def run(pytester: pytest.Pytester, mode: str) -> pytest.RunResult:
    pytester.makeini(
        f"[pytest]\nasyncio_mode = {mode}\nasyncio_default_fixture_loop_scope = function\n"
    )
    pytester.makepyfile(test_user=USER_TESTS)
    return pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider", "-W", "error")


def test_auto_mode_runs_both_variants(pytester: pytest.Pytester) -> None:
    result = run(pytester, "auto")
    result.assert_outcomes(passed=2)
    # pytest-asyncio's auto mode claims every async test, the [trio] one too: the client
    # follows the loop that really runs the test instead of failing on a trio lock.
    assert result.stdout.str().count("LOOP asyncio") == 2


def test_strict_mode_runs_the_trio_variant_on_trio(pytester: pytest.Pytester) -> None:
    result = run(pytester, "strict")
    result.assert_outcomes(passed=2)
    out = result.stdout.str()
    assert out.count("LOOP asyncio") == 1 and out.count("LOOP trio") == 1
