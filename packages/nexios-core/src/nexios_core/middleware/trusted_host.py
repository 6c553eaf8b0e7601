"""Refuse requests whose ``Host`` header is not one the app serves.

Anything that builds an absolute URL from ``Host`` (password-reset links, redirects, cache keys)
trusts it; this middleware makes that trust explicit. Patterns are exact host names or IPs
(``"example.com"``, ``"127.0.0.1"``, ``"[::1]"``), ``"*.example.com"`` for any subdomain (not
``example.com`` itself), or ``"*"`` for any syntactically valid host.

Usage::

    app = TrustedHostMiddleware(app, allowed_hosts=["example.com", "*.example.com"])
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable
from urllib.parse import quote

from ..exceptions import ImproperlyConfigured
from ..types import ASGIApp, Receive, Scope, Send

RawHeaders = list[tuple[bytes, bytes]]

# host = reg-name / IPv4 / "[" IPv6 "]", then an optional port (RFC 9110 §7.2, RFC 3986 §3.2.2).
# Names allow "_" because internal service names use it; labels are 1-63 characters.
_HOST = re.compile(
    r"(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<name>(?:[A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63}\.?))"
    r"(?::(?P<port>[0-9]{0,5}))?"
)
_MAX_HOST_LENGTH = 255 + 6  # longest DNS name plus ":" and a five-digit port

_INVALID_HOST_BODY = json.dumps({"detail": "Invalid host header"}, separators=(",", ":")).encode()
_INVALID_HOST_HEADERS: RawHeaders = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(_INVALID_HOST_BODY)).encode()),
]


class TrustedHostMiddleware:
    """Answer 400 ``{"detail": "Invalid host header"}`` unless ``Host`` matches ``allowed_hosts``.

    The port is ignored when matching, names are case-insensitive and a trailing dot is dropped.
    A missing ``Host``, a repeated one, or one that is not a valid ``host[:port]`` is refused
    whatever the patterns (``"*"`` included). WebSocket handshakes are checked too and closed with
    code 1008 before they are accepted.

    With ``www_redirect=True``, a request for ``example.com`` when only ``www.example.com`` is
    allowed is redirected there (301 for GET/HEAD, 308 otherwise, so bodies are resent). The
    target host comes from ``allowed_hosts``, never from anything else the client sent.

    Raises :class:`~nexios_core.exceptions.ImproperlyConfigured` for a pattern that cannot match
    (a port, a scheme, a wildcard anywhere but the first label).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        allowed_hosts: Iterable[str] = ("*",),
        www_redirect: bool = False,
    ) -> None:
        if isinstance(allowed_hosts, str):
            allowed_hosts = (allowed_hosts,)
        self.app = app
        self.www_redirect = www_redirect
        self.allow_any = False
        exact: set[str] = set()
        suffixes: list[str] = []
        for pattern in allowed_hosts:
            if pattern == "*":
                self.allow_any = True
            elif pattern.startswith("*."):
                suffixes.append("." + _check_pattern_host(pattern[2:], pattern))
            else:
                exact.add(_check_pattern_host(pattern, pattern))
        self.allowed_exact = frozenset(exact)
        self.allowed_suffixes = tuple(suffixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http" and kind != "websocket":
            await self.app(scope, receive, send)
            return

        host_header: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"host":
                if host_header is not None:
                    host_header = None  # two Host headers: ambiguous, so trust neither
                    break
                host_header = value
        parsed = parse_host(host_header) if host_header is not None else None
        if parsed is not None and self.is_allowed(parsed[0]):
            await self.app(scope, receive, send)
            return

        if kind == "websocket":
            # Closing before accept makes the server refuse the handshake (HTTP 403).
            await send({"type": "websocket.close", "code": 1008})
            return
        if parsed is not None and self.www_redirect and not parsed[0].startswith("www."):
            target = "www." + parsed[0]
            if self.is_allowed(target):
                await self._redirect(scope, send, target, parsed[1])
                return
        await send(
            {"type": "http.response.start", "status": 400, "headers": list(_INVALID_HOST_HEADERS)}
        )
        await send({"type": "http.response.body", "body": _INVALID_HOST_BODY})

    def is_allowed(self, host: str) -> bool:
        """Whether a normalised host (from :func:`parse_host`) matches the allowed patterns."""
        if self.allow_any or host in self.allowed_exact:
            return True
        return any(host.endswith(suffix) for suffix in self.allowed_suffixes)

    async def _redirect(self, scope: Scope, send: Send, host: str, port: str | None) -> None:
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else quote(scope.get("path", "/"))
        if not path.startswith("/"):
            path = "/" + path
        query = scope.get("query_string", b"")
        location = f"{scope.get('scheme', 'http')}://{host}{':' + port if port else ''}{path}"
        if query:
            location += "?" + query.decode("latin-1")
        status = 301 if scope.get("method") in ("GET", "HEAD") else 308
        headers: RawHeaders = [
            (b"location", location.encode("latin-1")),
            (b"content-length", b"0"),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


def parse_host(value: bytes) -> tuple[str, str | None] | None:
    """Split a ``Host`` value into a normalised host and its port; ``None`` if invalid.

    The host is lower-cased, loses one trailing dot, and an IPv6 address loses its brackets and
    is written in compressed form, so ``[0:0::1]:8000`` gives ``("::1", "8000")``.
    """
    if len(value) > _MAX_HOST_LENGTH:
        return None
    try:
        text = value.decode("ascii")
    except UnicodeDecodeError:
        return None
    match = _HOST.fullmatch(text)
    if match is None:
        return None
    port = match.group("port")
    if port and int(port) > 65535:
        return None
    ipv6 = match.group("ipv6")
    if ipv6 is not None:
        try:
            return ipaddress.IPv6Address(ipv6).compressed, port or None
        except ValueError:
            return None
    name = match.group("name")
    if len(name) > 254:
        return None
    return name.lower().removesuffix("."), port or None


def _check_pattern_host(host: str, pattern: str) -> str:
    parsed = _parse_bare_ipv6(host)
    if parsed is None and ":" not in host.replace("[", "").split("]")[-1]:
        parsed = parse_host(host.encode("ascii", "replace"))
    if parsed is None:
        raise ImproperlyConfigured(
            f"TrustedHost: {pattern!r} is not a host pattern. Use a host name or IP without "
            f"scheme or port ('example.com', '[::1]'), '*.example.com' for its subdomains, "
            f"or '*' for any host."
        )
    return parsed[0]


def _parse_bare_ipv6(host: str) -> tuple[str, str | None] | None:
    # People write "::1" as often as "[::1]"; accept both in configuration.
    try:
        return ipaddress.IPv6Address(host).compressed, None
    except ValueError:
        return None


__all__ = ["TrustedHostMiddleware", "parse_host"]
