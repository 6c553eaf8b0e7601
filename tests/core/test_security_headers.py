"""SecurityHeadersMiddleware: defaults, app overrides, HSTS only over https."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from nexios_core.exceptions import ImproperlyConfigured
from nexios_core.middleware.security import ONE_YEAR, SecurityHeadersMiddleware
from nexios_core.types import ASGIApp, Message, Receive, Scope, Send

pytestmark = pytest.mark.anyio


def app_with_headers(*headers: tuple[bytes, bytes]) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raw = [(b"content-type", b"text/plain"), (b"content-length", b"2"), *headers]
        await send({"type": "http.response.start", "status": 200, "headers": raw})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


def client(app: Any, base_url: str = "http://testserver") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


async def test_defaults_are_added_to_every_response() -> None:
    async with client(SecurityHeadersMiddleware(app_with_headers())) as c:
        response = await c.get("/")
    assert response.text == "ok"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["cross-origin-opener-policy"] == "same-origin"
    assert "content-security-policy" not in response.headers
    assert "permissions-policy" not in response.headers


async def test_hsts_is_not_sent_over_plain_http() -> None:
    async with client(SecurityHeadersMiddleware(app_with_headers())) as c:
        response = await c.get("/")
    assert "strict-transport-security" not in response.headers


async def test_hsts_is_sent_over_https_with_a_one_year_default() -> None:
    app = SecurityHeadersMiddleware(app_with_headers())
    async with client(app, "https://testserver") as c:
        response = await c.get("/")
    assert response.headers["strict-transport-security"] == f"max-age={ONE_YEAR}"


async def test_hsts_flags() -> None:
    app = SecurityHeadersMiddleware(
        app_with_headers(), hsts_include_subdomains=True, hsts_preload=True
    )
    async with client(app, "https://testserver") as c:
        response = await c.get("/")
    assert response.headers["strict-transport-security"] == (
        f"max-age={ONE_YEAR}; includeSubDomains; preload"
    )


async def test_hsts_can_be_disabled() -> None:
    app = SecurityHeadersMiddleware(app_with_headers(), hsts_max_age=None)
    async with client(app, "https://testserver") as c:
        response = await c.get("/")
    assert "strict-transport-security" not in response.headers


async def test_headers_set_by_the_app_win() -> None:
    app = SecurityHeadersMiddleware(
        app_with_headers((b"X-Frame-Options", b"SAMEORIGIN"), (b"referrer-policy", b"no-referrer")),
        content_security_policy="default-src 'self'",
    )
    async with client(app) as c:
        response = await c.get("/")
    assert response.headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert response.headers.get_list("referrer-policy") == ["no-referrer"]
    assert response.headers["content-security-policy"] == "default-src 'self'"


async def test_none_leaves_a_header_out() -> None:
    app = SecurityHeadersMiddleware(
        app_with_headers(), frame_options=None, cross_origin_opener_policy=None
    )
    async with client(app) as c:
        response = await c.get("/")
    assert "x-frame-options" not in response.headers
    assert "cross-origin-opener-policy" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_permissions_policy_is_optional() -> None:
    app = SecurityHeadersMiddleware(app_with_headers(), permissions_policy="geolocation=()")
    async with client(app) as c:
        response = await c.get("/")
    assert response.headers["permissions-policy"] == "geolocation=()"


def test_header_injection_in_a_value_is_refused_at_startup() -> None:
    with pytest.raises(ImproperlyConfigured, match="single line"):
        SecurityHeadersMiddleware(app_with_headers(), content_security_policy="a\r\nSet-Cookie: x")


def test_preload_without_subdomains_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="hsts_preload"):
        SecurityHeadersMiddleware(app_with_headers(), hsts_preload=True)


def test_negative_hsts_max_age_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="hsts_max_age"):
        SecurityHeadersMiddleware(app_with_headers(), hsts_max_age=-1)


async def test_non_http_scopes_pass_through_untouched() -> None:
    sent: list[Message] = []

    async def ws_app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "websocket.accept", "headers": []})

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "websocket", "scheme": "wss", "headers": []}
    await SecurityHeadersMiddleware(ws_app)(scope, receive, send)
    assert sent == [{"type": "websocket.accept", "headers": []}]
