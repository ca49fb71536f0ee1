"""What only the httpx2 twin has: no legacy httpx at run time, its exception bases, the
httpcore2 loggers masked (also for the legacy package under ``httpx2.alias_httpx()``), its own
lean aiohttp transport for ``fast=True`` (an httpx2 transport), and the generator that keeps the
twin in step with its source."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import httpx2
import pytest

import meetingbooster_async_httpx2 as mb
from meetingbooster_async_httpx2 import _logging, _transport

ROOT = Path(__file__).resolve().parents[2]


def run(code: str) -> str:
    """Run ``code`` in a fresh interpreter (imports start from nothing); its stdout."""
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_twin_runs_without_importing_legacy_httpx() -> None:
    out = run(
        """
        import sys, anyio
        import meetingbooster_async_httpx2 as mb
        from meetingbooster_async_httpx2.testing import Emulator

        async def main():
            emulator = Emulator(users={"ann@example.com": "pw"}, meetings_per_user=2)
            async with mb.MeetingBoosterClient(
                "https://mb.test", username="ann@example.com", password="pw",
                transport=emulator.transport(),
            ) as client:
                meetings = [m async for m in client.my_meetings.list()]
            print(len(meetings))

        anyio.run(main)
        legacy = ("httpx", "httpcore", "respx", "httpx_aiohttp", "meetingbooster_async")
        print(sorted(name for name in sys.modules if name.split(".")[0] in legacy))
        """
    )
    assert out.splitlines() == ["2", "[]"]


def test_the_twins_errors_are_httpx2_errors() -> None:
    assert issubclass(mb.APIConnectionError, httpx2.TransportError)
    assert issubclass(mb.APITimeoutError, httpx2.TimeoutException)
    assert issubclass(mb.APIConnectionError, mb.MeetingBoosterError)


def test_the_twins_errors_are_not_legacy_httpx_errors() -> None:
    """Documented choice: no legacy bases (the twin never imports httpx), so an application
    that catches ``httpx.TransportError`` catches ``httpx2.TransportError`` (or ours) instead.
    Legacy httpx is a base dependency of the distribution, so it is installed here."""
    out = run(
        """
        import httpx
        import meetingbooster_async_httpx2 as mb
        print(issubclass(mb.APIConnectionError, httpx.TransportError))
        """
    )
    assert out == "False"


def test_under_alias_httpx_except_httpx_transport_error_catches_the_twins_errors() -> None:
    out = run(
        """
        import httpx2
        httpx2.alias_httpx()
        import anyio, httpx
        import meetingbooster_async_httpx2 as mb

        async def main():
            async with mb.MeetingBoosterClient(
                "http://127.0.0.1:9", username="u", password="p",
                retry=mb.RetryPolicy(max_retries=0),
            ) as client:
                try:
                    await client.get("/api/v1/x")
                except httpx.TransportError as exc:
                    print(type(exc).__name__, isinstance(exc, mb.APIConnectionError))

        anyio.run(main)
        """
    )
    assert out == "APIConnectionError True"


def test_the_masking_filter_covers_httpcore2s_protocol_loggers() -> None:
    assert {"httpcore2.http11", "httpcore2.http2"} <= set(_logging.HEADER_LOGGERS)
    assert not any(name.startswith("httpcore.") for name in _logging.HEADER_LOGGERS)


@pytest.mark.parametrize("package", ["meetingbooster_async", "meetingbooster_async_httpx2"])
def test_set_cookie_is_masked_on_httpcore2_also_under_alias_httpx(package: str) -> None:
    """The legacy package under ``httpx2.alias_httpx()`` runs on httpcore2 too: before its
    filter listed httpcore2's loggers, the /oauth Set-Cookie (the access token) was logged."""
    out = run(
        f"""
        import httpx2
        httpx2.alias_httpx()
        import logging, anyio
        import {package} as mb
        from {package}.testing import Emulator, serve

        records = []
        class Keep(logging.Handler):
            def emit(self, record):
                records.append(record.getMessage())
        logging.getLogger("httpcore2").addHandler(Keep())
        logging.getLogger("httpcore2").setLevel(logging.DEBUG)

        emulator = Emulator(users={{"ann@example.com": "pw"}})
        with serve(emulator) as server:
            async def main():
                async with mb.MeetingBoosterClient(
                    server.url, username="ann@example.com", password="pw"
                ) as client:
                    await client.get("/api/v1/mymeetings/list")
                    return client.mb_auth._tokens.export().access_token
            token = anyio.run(main)
        headers = [r for r in records if "set-cookie" in r]
        print(len(headers) > 0, any(token in r for r in records), "<masked>" in " ".join(headers))
        """
    )
    assert out == "True False True"


def test_the_pool_hook_reaches_httpcore2s_pool() -> None:
    transport = httpx2.AsyncHTTPTransport()
    assert _transport.speed_up_pool(transport)
    backend = transport._pool._network_backend
    assert isinstance(backend, _transport.CachedSocketBackend)


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # aiohttp runs on asyncio only
async def test_fast_true_serves_through_the_twins_own_aiohttp_transport(anyio_backend: str) -> None:
    from meetingbooster_async_httpx2._aiohttp_transport import AiohttpTransport
    from meetingbooster_async_httpx2.testing import Emulator, aserve

    emulator = Emulator(users={"ann@example.com": "pw"}, meetings_per_user=2)
    async with (
        aserve(emulator) as server,
        mb.MeetingBoosterClient(
            server.url, username="ann@example.com", password="pw", fast=True
        ) as client,
    ):
        transport = client._transport
        assert type(transport) is AiohttpTransport
        assert isinstance(transport, httpx2.AsyncBaseTransport)
        response = await client.get("/api/v1/mymeetings/list")
    assert isinstance(response, httpx2.Response)
    assert response.status_code == 200
    assert len(response.json()) == 2
    assert emulator.stats().oauth_calls["password"] == 1  # the login went over that socket too


def test_fast_true_imports_neither_legacy_httpx_nor_httpx_aiohttp() -> None:
    out = run(
        """
        import sys, asyncio
        import meetingbooster_async_httpx2 as mb
        from meetingbooster_async_httpx2.testing import Emulator, serve

        async def main(url):
            async with mb.MeetingBoosterClient(
                url, username="ann@example.com", password="pw", fast=True
            ) as client:
                return (await client.get("/api/v1/mymeetings/sync")).status_code

        with serve(Emulator(users={"ann@example.com": "pw"})) as server:
            print(asyncio.run(main(server.url)))
        legacy = ("httpx", "httpcore", "httpx_aiohttp", "meetingbooster_async")
        print(sorted(name for name in sys.modules if name.split(".")[0] in legacy))
        """
    )
    assert out.splitlines() == ["200", "[]"]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "generate_httpx2", ROOT / "tools/generate_httpx2.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_rewrite_changes_code_and_logger_names_not_other_prose() -> None:
    source = textwrap.dedent(
        '''\
        """Uses httpx.AsyncClient (encode/httpx#3686; httpx-aiohttp; meetingbooster-async)."""
        import httpx
        import httpcore
        from httpx_aiohttp import AiohttpTransport
        from meetingbooster_async import Meeting
        LOGGERS = ("httpcore.http11", "httpcore2.http2", "meetingbooster_async")
        x = obj.httpx  # the httpx transport
        '''
    )
    out = _generator().rewrite(source, source="m.py")
    assert out.splitlines()[:2] == [
        "# GENERATED FILE, DO NOT EDIT. Source: m.py",
        "# Edit the source (on httpx), then run: python tools/generate_httpx2.py",
    ]
    assert out.splitlines()[2:] == [
        '"""Uses httpx2.AsyncClient (encode/httpx#3686; httpx-aiohttp; meetingbooster-async)."""',
        "import httpx2",
        "import httpcore2",
        "from httpx_aiohttp.httpx2 import AiohttpTransport",
        "from meetingbooster_async_httpx2 import Meeting",
        'LOGGERS = ("httpcore2.http11", "httpcore2.http2", "meetingbooster_async_httpx2")',
        "x = obj.httpx  # the httpx2 transport",
    ]


def test_every_form_of_httpx_aiohttp_import_goes_to_its_httpx2_variant() -> None:
    source = textwrap.dedent(
        """\
        import httpx_aiohttp
        import httpx_aiohttp as adapter
        import httpx_aiohttp.transport as transport
        import os, httpx_aiohttp
        from httpx_aiohttp.transport import AIOHTTP_EXC_MAP
        def f():
            import httpx_aiohttp; return httpx_aiohttp.AiohttpTransport
        """
    )
    out = _generator().rewrite_snippet(source)
    assert out.splitlines() == [
        "import httpx_aiohttp.httpx2 as httpx_aiohttp",
        "import httpx_aiohttp.httpx2 as adapter",
        "import httpx_aiohttp.httpx2.transport as transport",
        "import os, httpx_aiohttp.httpx2 as httpx_aiohttp",
        "from httpx_aiohttp.httpx2.transport import AIOHTTP_EXC_MAP",
        "def f():",
        "    import httpx_aiohttp.httpx2 as httpx_aiohttp; return httpx_aiohttp.AiohttpTransport",
    ]
    # Run, the rewritten imports bind the adapter for httpx2 under the names the code uses.
    import httpx_aiohttp.httpx2

    namespace: dict[str, object] = {}
    exec(compile(out, "rewritten.py", "exec"), namespace)
    adapter = httpx_aiohttp.httpx2
    assert namespace["httpx_aiohttp"] is adapter
    assert namespace["adapter"] is adapter
    assert namespace["transport"] is adapter.transport
    assert namespace["AIOHTTP_EXC_MAP"] is adapter.transport.AIOHTTP_EXC_MAP
    assert namespace["f"]() is adapter.AiohttpTransport  # type: ignore[operator]
    assert issubclass(adapter.AiohttpTransport, httpx2.AsyncBaseTransport)


def test_import_of_an_httpx_aiohttp_submodule_without_as_is_refused() -> None:
    """Its uses (``httpx_aiohttp.transport.X``) would still name the legacy module."""
    with pytest.raises(ValueError, match=r"line 2: `import httpx_aiohttp\.transport` without"):
        _generator().rewrite_snippet("import os\nimport httpx_aiohttp.transport\n")


def test_the_snippet_rewrite_keeps_every_line_and_adds_no_header() -> None:
    source = "import httpx\n\nfrom meetingbooster_async import X  # see meetingbooster_async\n"
    out = _generator().rewrite_snippet(source)
    assert out.split("\n") == [
        "import httpx2",
        "",
        "from meetingbooster_async_httpx2 import X  # see meetingbooster_async_httpx2",
        "",
    ]
    assert _generator().rewrite_snippet(out) == out  # twin code stays as it is


def test_the_tests_rewrite_swaps_respx_for_the_httpx2_replacement() -> None:
    out = _generator().rewrite(
        "import respx\nfrom tests.fakes import BASE\n", source="t.py", tests=True
    )
    assert out.splitlines()[2:] == [
        "from tests_httpx2 import respx",
        "from tests_httpx2.fakes import BASE",
    ]


def test_the_committed_twin_is_what_the_generator_makes() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools/generate_httpx2.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
