"""Pure URL rules that keep secrets safe: https or loopback only, origins, printable URLs."""

from __future__ import annotations

import ipaddress
import re
from typing import Final

import httpx

from ._errors import ConfigurationError

__all__ = [
    "Origin",
    "check_secure_url",
    "is_loopback",
    "origin_of",
    "safe_url",
    "scrub_chain",
    "without_queries",
]

Origin = tuple[str, str, int | None]

_LOOPBACK_NAMES: Final = frozenset({"localhost", "localhost.localdomain"})


def is_loopback(host: str) -> bool:
    """True for ``localhost`` names and loopback addresses (127.0.0.0/8, ::1)."""
    host = host.lower()
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def safe_url(url: httpx.URL) -> str:
    """The URL for messages and logs: no ``user:password@`` and no query (sync tokens)."""
    return str(url.copy_with(userinfo=b"", query=None, fragment=None))


_QUERY: Final = re.compile(r"""(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'"?#]*)[?#][^\s'"]*""")


def without_queries(text: str) -> str:
    """``text`` with the query and fragment cut from every URL in it (third-party messages)."""
    return _QUERY.sub(r"\1", text)


def scrub_chain(error: BaseException, request: httpx.Request | None = None) -> None:
    """Drop the frames of ``error``'s whole cause/context chain; point its requests at ``request``.

    A grant request's body (the password, a refresh token) lives in the locals of the frames
    that sent it, and a refresh token in those of the token flow; error reporters serialise
    those locals. The chain keeps each error's type and message, and (given ``request``) every
    httpx error in it names that body-less copy.
    """
    seen: set[int] = set()
    stack = [error]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        current.__traceback__ = None
        if request is not None and isinstance(current, httpx.RequestError):
            current.request = request
        stack.extend(e for e in (current.__cause__, current.__context__) if e is not None)


def origin_of(url: httpx.URL) -> Origin:
    """(scheme, host, port) — where a bearer token may be sent."""
    return (url.scheme, url.host, url.port)


def check_secure_url(url: httpx.URL, *, allow_insecure_http: bool, what: str) -> None:
    """Refuse plain ``http://`` to anything but this machine unless explicitly allowed."""
    if url.scheme == "https" or allow_insecure_http:
        return
    if url.scheme == "http" and is_loopback(url.host):
        return
    raise ConfigurationError(
        f"{what} {safe_url(url)} is not https: passwords and tokens would travel in clear "
        "text. Use https, or pass allow_insecure_http=True if you mean it."
    )
