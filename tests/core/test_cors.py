"""CORSMiddleware: secure defaults, exact origin matching, preflights, Vary (SECURITY.md, CORS)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from nexios_core.exceptions import ImproperlyConfigured
from nexios_core.middleware.cors import CORSMiddleware
from nexios_core.types import Message, Receive, Scope, Send

pytestmark = pytest.mark.anyio

ALLOWED = "https://example.com"


async def hello_app(scope: Scope, receive: Receive, send: Send) -> None:
    """A tiny ASGI app that records whether it ran and answers 200 'hello'."""
    calls.append(scope["method"])
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain"), (b"content-length", b"5")],
        }
    )
    await send({"type": "http.response.body", "body": b"hello"})


calls: list[str] = []


@pytest.fixture(autouse=True)
def _reset_calls() -> None:
    calls.clear()


def client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def preflight_headers(
    origin: str, method: str = "GET", headers: str | None = None
) -> dict[str, str]:
    result = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers is not None:
        result["Access-Control-Request-Headers"] = headers
    return result


# --- start-up checks -------------------------------------------------------------------------


def test_wildcard_origin_with_credentials_is_refused_at_startup() -> None:
    with pytest.raises(ImproperlyConfigured, match="allow_credentials"):
        CORSMiddleware(hello_app, allow_origins=["*"], allow_credentials=True)


def test_origin_with_trailing_slash_is_refused_with_a_hint() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"did you mean 'https://example\.com'"):
        CORSMiddleware(hello_app, allow_origins=["https://example.com/"])


def test_invalid_origin_regex_is_refused_at_startup() -> None:
    with pytest.raises(ImproperlyConfigured, match="allow_origin_regex"):
        CORSMiddleware(hello_app, allow_origin_regex="https://(")


def test_invalid_method_token_is_refused_at_startup() -> None:
    with pytest.raises(ImproperlyConfigured, match="allow_methods"):
        CORSMiddleware(hello_app, allow_origins=[ALLOWED], allow_methods=["GET POST"])


def test_from_config_reads_the_constructor_keys() -> None:
    mw = CORSMiddleware.from_config(
        hello_app,
        {"allow_origins": [ALLOWED], "allow_methods": ["GET", "POST"], "max_age": 60},
    )
    assert mw.allow_origins == frozenset({ALLOWED})
    assert mw.allow_methods == frozenset({"GET", "POST"})
    assert mw.max_age == 60


def test_from_config_rejects_a_misspelt_key() -> None:
    with pytest.raises(ImproperlyConfigured, match="allow_origin"):
        CORSMiddleware.from_config(hello_app, {"allow_origin": [ALLOWED]})


def test_from_config_refuses_wildcard_with_credentials() -> None:
    with pytest.raises(ImproperlyConfigured):
        CORSMiddleware.from_config(hello_app, {"allow_origins": "*", "allow_credentials": True})


# --- off by default --------------------------------------------------------------------------


async def test_cors_is_off_without_configured_origins() -> None:
    app = CORSMiddleware(hello_app)
    async with client(app) as c:
        simple = await c.get("/", headers={"Origin": ALLOWED})
        preflight = await c.options("/", headers=preflight_headers(ALLOWED))
    assert "access-control-allow-origin" not in simple.headers
    assert "vary" not in simple.headers
    # Without a policy the preflight is the app's business.
    assert preflight.text == "hello"
    assert calls == ["GET", "OPTIONS"]


# --- simple requests -------------------------------------------------------------------------


async def test_allowed_origin_gets_cors_headers_and_vary_origin() -> None:
    app = CORSMiddleware(hello_app, allow_origins=[ALLOWED], expose_headers=["X-Total"])
    async with client(app) as c:
        response = await c.get("/", headers={"Origin": ALLOWED})
    assert response.text == "hello"
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert response.headers["access-control-expose-headers"] == "X-Total"
    assert response.headers["vary"] == "Origin"
    assert "access-control-allow-credentials" not in response.headers


async def test_lookalike_origin_is_not_allowed() -> None:
    """Exact match: a suffix or prefix of an allowed origin must not pass."""
    app = CORSMiddleware(hello_app, allow_origins=[ALLOWED])
    async with client(app) as c:
        for origin in (
            "https://example.com.evil.com",
            "https://evilexample.com",
            "http://example.com",
            "https://example.com:8443",
            "https://sub.example.com",
        ):
            response = await c.get("/", headers={"Origin": origin})
            assert response.status_code == 200
            assert "access-control-allow-origin" not in response.headers, origin
            assert response.headers["vary"] == "Origin"


async def test_disallowed_origin_request_still_reaches_the_app() -> None:
    app = CORSMiddleware(hello_app, allow_origins=[ALLOWED])
    async with client(app) as c:
        response = await c.post("/", headers={"Origin": "https://evil.com"})
    assert response.text == "hello"
    assert calls == ["POST"]


async def test_request_without_origin_gets_vary_but_no_cors_headers() -> None:
    app = CORSMiddleware(hello_app, allow_origins=[ALLOWED])
    async with client(app) as c:
        response = await c.get("/")
    assert "access-control-allow-origin" not in response.headers
    assert response.headers["vary"] == "Origin"


async def test_regex_must_match_the_whole_origin() -> None:
    app = CORSMiddleware(hello_app, allow_origin_regex=r"https://[a-z]+\.example\.com")
    async with client(app) as c:
        good = await c.get("/", headers={"Origin": "https://app.example.com"})
        bad = await c.get("/", headers={"Origin": "https://app.example.com.evil.com"})
    assert good.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "access-control-allow-origin" not in bad.headers


async def test_credentials_header_sent_for_allowed_origin_only() -> None:
    app = CORSMiddleware(hello_app, allow_origins=[ALLOWED], allow_credentials=True)
    async with client(app) as c:
        good = await c.get("/", headers={"Origin": ALLOWED})
        bad = await c.get("/", headers={"Origin": "https://evil.com"})
    assert good.headers["access-control-allow-credentials"] == "true"
    assert good.headers["access-control-allow-origin"] == ALLOWED
    assert "access-control-allow-credentials" not in bad.headers


async def test_wildcard_origin_answers_star_without_vary() -> None:
    app = CORSMiddleware(hello_app, allow_origins=["*"])
    async with client(app) as c:
        response = await c.get("/", headers={"Origin": "https://anything.test"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "vary" not in response.headers


async def test_vary_is_merged_with_the_apps_vary() -> None:
    async def app_with_vary(scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"vary", b"Accept")]}
        )
        await send({"type": "http.response.body", "body": b"x"})

    app = CORSMiddleware(app_with_vary, allow_origins=[ALLOWED])
    async with client(app) as c:
        response = await c.get("/", headers={"Origin": ALLOWED})
    assert response.headers.get_list("vary") == ["Accept, Origin"]


async def test_multiple_origin_headers_are_not_trusted() -> None:
    app = CORSMiddleware(hello_app, allow_origins=[ALLOWED])
    async with client(app) as c:
        response = await c.get("/", headers=[("Origin", ALLOWED), ("Origin", ALLOWED)])
    assert "access-control-allow-origin" not in response.headers


# --- preflights ------------------------------------------------------------------------------


async def test_allowed_preflight_is_answered_without_calling_the_app() -> None:
    app = CORSMiddleware(
        hello_app,
        allow_origins=[ALLOWED],
        allow_methods=["GET", "POST"],
        allow_headers=["X-Token"],
        allow_credentials=True,
        max_age=123,
    )
    async with client(app) as c:
        response = await c.options("/", headers=preflight_headers(ALLOWED, "POST", "x-token"))
    assert response.status_code == 200
    assert calls == []
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert response.headers["access-control-allow-methods"] == "GET, POST"
    allowed_headers = response.headers["access-control-allow-headers"].split(", ")
    assert "x-token" in allowed_headers
    assert response.headers["access-control-max-age"] == "123"
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["vary"] == "Origin"


async def test_preflight_from_disallowed_origin_is_refused() -> None:
    app = CORSMiddleware(hello_app, allow_origins=[ALLOWED])
    async with client(app) as c:
        response = await c.options("/", headers=preflight_headers("https://example.com.evil.com"))
    assert response.status_code == 400
    assert response.json() == {"detail": "CORS origin not allowed"}
    assert not any(name.startswith("access-control-") for name in response.headers)
    assert response.headers["vary"] == "Origin"
    assert calls == []


async def test_preflight_with_disallowed_method_is_refused() -> None:
    app = CORSMiddleware(hello_app, allow_origins=[ALLOWED], allow_methods=["GET"])
    async with client(app) as c:
        response = await c.options("/", headers=preflight_headers(ALLOWED, "DELETE"))
    assert response.status_code == 400
    assert response.json() == {"detail": "CORS method not allowed"}
    assert not any(name.startswith("access-control-") for name in response.headers)


async def test_preflight_with_disallowed_header_is_refused() -> None:
    app = CORSMiddleware(hello_app, allow_origins=[ALLOWED], allow_headers=["X-Token"])
    async with client(app) as c:
        response = await c.options(
            "/", headers=preflight_headers(ALLOWED, "GET", "x-token, x-evil")
        )
    assert response.status_code == 400
    assert response.json() == {"detail": "CORS request headers not allowed"}
    assert not any(name.startswith("access-control-") for name in response.headers)


async def test_preflight_with_malformed_header_list_is_refused() -> None:
    app = CORSMiddleware(hello_app, allow_origins=[ALLOWED], allow_headers=["*"])
    async with client(app) as c:
        response = await c.options(
            "/", headers=preflight_headers(ALLOWED, "GET", "x-a, bad header")
        )
    assert response.status_code == 400


async def test_preflight_allows_safelisted_headers_like_content_type() -> None:
    app = CORSMiddleware(hello_app, allow_origins=[ALLOWED], allow_methods=["POST"])
    async with client(app) as c:
        response = await c.options("/", headers=preflight_headers(ALLOWED, "POST", "Content-Type"))
    assert response.status_code == 200
    assert "content-type" in response.headers["access-control-allow-headers"].split(", ")


async def test_allow_any_method_and_header_echo_the_request_for_credentialed_use() -> None:
    app = CORSMiddleware(
        hello_app,
        allow_origins=[ALLOWED],
        allow_methods=["*"],
        allow_headers=["*"],
        allow_credentials=True,
    )
    async with client(app) as c:
        response = await c.options("/", headers=preflight_headers(ALLOWED, "PATCH", "X-One, x-two"))
    assert response.status_code == 200
    assert response.headers["access-control-allow-methods"] == "PATCH"
    assert response.headers["access-control-allow-headers"] == "x-one, x-two"


async def test_options_without_request_method_is_not_a_preflight() -> None:
    app = CORSMiddleware(hello_app, allow_origins=[ALLOWED])
    async with client(app) as c:
        response = await c.options("/", headers={"Origin": ALLOWED})
    assert response.text == "hello"
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert calls == ["OPTIONS"]


# --- composition -----------------------------------------------------------------------------


async def test_non_http_scopes_pass_through_untouched() -> None:
    seen: list[Scope] = []

    async def ws_app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope)
        await send({"type": "websocket.accept"})

    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "websocket", "headers": [(b"origin", b"https://evil.com")]}
    await CORSMiddleware(ws_app, allow_origins=[ALLOWED])(scope, receive, send)
    assert seen == [scope]
    assert sent == [{"type": "websocket.accept"}]


async def test_app_set_cors_headers_are_replaced_by_the_policy() -> None:
    async def greedy_app(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"access-control-allow-origin", b"*"), (b"content-length", b"2")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})

    app = CORSMiddleware(greedy_app, allow_origins=[ALLOWED])
    async with client(app) as c:
        response = await c.get("/", headers={"Origin": ALLOWED})
    assert response.headers.get_list("access-control-allow-origin") == [ALLOWED]
    assert response.content == b"ok"
