"""TrustedHostMiddleware: Host header validation for HTTP and WebSocket (SECURITY.md, Host)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from nexios_core.exceptions import ImproperlyConfigured
from nexios_core.middleware.trusted_host import TrustedHostMiddleware, parse_host
from nexios_core.types import Message, Receive, Scope, Send

pytestmark = pytest.mark.anyio


async def ok_app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.accept"})
        return
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]}
    )
    await send({"type": "http.response.body", "body": b"ok"})


def client(app: Any, base_url: str = "http://example.com") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


async def call_raw(app: Any, host_headers: list[bytes], kind: str = "http") -> list[Message]:
    """Drive ``app`` with exact ``Host`` header values (none, several, malformed)."""
    scope: Scope = {
        "type": kind,
        "method": "GET",
        "scheme": "http" if kind == "http" else "ws",
        "path": "/",
        "query_string": b"",
        "headers": [(b"host", value) for value in host_headers],
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request"} if kind == "http" else {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b"example.com", ("example.com", None)),
        (b"Example.COM:8000", ("example.com", "8000")),
        (b"example.com.", ("example.com", None)),
        (b"127.0.0.1:80", ("127.0.0.1", "80")),
        (b"[::1]:8000", ("::1", "8000")),
        (b"[0:0:0:0:0:0:0:1]", ("::1", None)),
        (b"my_service", ("my_service", None)),
    ],
)
def test_parse_valid_hosts(value: bytes, expected: tuple[str, str | None]) -> None:
    assert parse_host(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        b"",
        b"example.com:99999",
        b"example.com:80:80",
        b"user@example.com",
        b"example.com/path",
        b"exa mple.com",
        b"[::1",
        b"[not-ipv6]",
        b"::1",
        b"example..com",
        b"\xe9xample.com",
        b"a" * 300,
        b"example.com\r\nx",
    ],
)
def test_parse_refuses_invalid_hosts(value: bytes) -> None:
    assert parse_host(value) is None


# --- start-up checks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern", ["example.com:8000", "https://example.com", "ex*.com", "*example.com", "[::1]:80"]
)
def test_invalid_patterns_are_refused_at_startup(pattern: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="host pattern"):
        TrustedHostMiddleware(ok_app, allowed_hosts=[pattern])


# --- HTTP ------------------------------------------------------------------------------------


async def test_allowed_host_reaches_the_app() -> None:
    app = TrustedHostMiddleware(ok_app, allowed_hosts=["example.com"])
    async with client(app, "http://EXAMPLE.com:8000") as c:
        response = await c.get("/")
    assert response.status_code == 200
    assert response.text == "ok"


async def test_disallowed_host_gets_400_json() -> None:
    app = TrustedHostMiddleware(ok_app, allowed_hosts=["example.com"])
    async with client(app, "http://evil.com") as c:
        response = await c.get("/")
    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid host header"}
    assert response.headers["content-type"] == "application/json"


async def test_lookalike_hosts_are_refused() -> None:
    app = TrustedHostMiddleware(ok_app, allowed_hosts=["example.com"])
    for host in (b"example.com.evil.com", b"evilexample.com", b"sub.example.com"):
        sent = await call_raw(app, [host])
        assert sent[0]["status"] == 400, host


async def test_wildcard_subdomain_matches_subdomains_only() -> None:
    app = TrustedHostMiddleware(ok_app, allowed_hosts=["*.example.com"])
    assert (await call_raw(app, [b"api.example.com"]))[0]["status"] == 200
    assert (await call_raw(app, [b"a.b.example.com:443"]))[0]["status"] == 200
    assert (await call_raw(app, [b"example.com"]))[0]["status"] == 400
    assert (await call_raw(app, [b"badexample.com"]))[0]["status"] == 400


async def test_ipv6_host_matches_bracketed_or_bare_pattern() -> None:
    for pattern in ("[::1]", "::1"):
        app = TrustedHostMiddleware(ok_app, allowed_hosts=[pattern])
        assert (await call_raw(app, [b"[::1]:8000"]))[0]["status"] == 200
        assert (await call_raw(app, [b"[::2]"]))[0]["status"] == 400


async def test_missing_host_is_refused_even_with_wildcard() -> None:
    app = TrustedHostMiddleware(ok_app)
    sent = await call_raw(app, [])
    assert sent[0]["status"] == 400
    assert sent[1]["body"] == b'{"detail":"Invalid host header"}'


async def test_repeated_host_header_is_refused() -> None:
    app = TrustedHostMiddleware(ok_app, allowed_hosts=["example.com"])
    sent = await call_raw(app, [b"example.com", b"example.com"])
    assert sent[0]["status"] == 400


async def test_malformed_host_is_refused_with_wildcard() -> None:
    app = TrustedHostMiddleware(ok_app, allowed_hosts=["*"])
    assert (await call_raw(app, [b"evil.com/../x"]))[0]["status"] == 400
    assert (await call_raw(app, [b"anything.test:8080"]))[0]["status"] == 200


async def test_www_redirect_goes_to_the_allowed_www_host() -> None:
    app = TrustedHostMiddleware(ok_app, allowed_hosts=["www.example.com"], www_redirect=True)
    async with client(app, "https://example.com") as c:
        response = await c.get("/a%20b/c", params={"q": "1"})
        posted = await c.post("/form")
    assert response.status_code == 301
    assert response.headers["location"] == "https://www.example.com/a%20b/c?q=1"
    assert posted.status_code == 308


async def test_www_redirect_never_targets_an_unlisted_host() -> None:
    app = TrustedHostMiddleware(ok_app, allowed_hosts=["www.example.com"], www_redirect=True)
    async with client(app, "http://evil.com") as c:
        response = await c.get("/")
    assert response.status_code == 400
    assert "location" not in response.headers


# --- WebSocket and other scopes --------------------------------------------------------------


async def test_websocket_with_bad_host_is_closed_with_1008_before_accept() -> None:
    app = TrustedHostMiddleware(ok_app, allowed_hosts=["example.com"])
    sent = await call_raw(app, [b"evil.com"], kind="websocket")
    assert sent == [{"type": "websocket.close", "code": 1008}]


async def test_websocket_with_good_host_is_accepted() -> None:
    app = TrustedHostMiddleware(ok_app, allowed_hosts=["example.com"])
    sent = await call_raw(app, [b"example.com"], kind="websocket")
    assert sent == [{"type": "websocket.accept"}]


async def test_lifespan_passes_through() -> None:
    seen: list[str] = []

    async def lifespan_app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    async def send(message: Message) -> None:
        raise AssertionError("nothing should be sent")

    await TrustedHostMiddleware(lifespan_app, allowed_hosts=["example.com"])(
        {"type": "lifespan"}, receive, send
    )
    assert seen == ["lifespan"]
