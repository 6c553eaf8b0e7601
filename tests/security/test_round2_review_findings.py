"""Hostile input, round 2, items 4-12: body replay, guards, CSRF binding, static dotfiles, cookie
attributes, JSON media types and custom users. Each test names the finding it guards against."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from nexios import get_application
from nexios.auth import AuthenticationMiddleware, SimpleUser, auth
from nexios.auth.backends import APIKeyAuthBackend
from nexios.http import Request, Response
from nexios.limits import Limits
from nexios.middleware.csrf import CSRFMiddleware, csrf_token
from nexios.session.middleware import SessionMiddleware
from nexios_core.staticfiles import StaticFiles
from nexios_core.types import Receive, Scope, Send

pytestmark = pytest.mark.anyio

Client = Callable[..., httpx.AsyncClient]
SECRET = "round-two-review-secret-key-32-bytes!"
FORM = {"content-type": "application/x-www-form-urlencoded"}


async def fetch_token(client: httpx.AsyncClient) -> str:
    answer = await client.get("/token")
    assert answer.status_code == 200
    return answer.json()["token"]  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------- 4. body replay
async def echo_asgi(scope: Scope, receive: Receive, send: Send) -> None:
    """A mounted third-party app: answers with the body it receives, read to the end."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    headers = [(b"content-type", b"application/octet-stream")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def replay_app() -> Any:
    app = get_application(config={"secret_key": SECRET})
    app.add_middleware(CSRFMiddleware())

    @app.get("/token")
    async def token(request: Request, response: Response) -> Any:
        return {"token": csrf_token(request)}

    @app.post("/webhook")
    async def webhook(request: Request, response: Response) -> Any:
        # A signature over the raw body, checked after CSRF has parsed it as a form.
        raw = await request.body
        expected = hmac.new(b"hook-key", raw, hashlib.sha256).hexdigest()
        text = await request.text if request.content_type.startswith("application/x-www") else None
        return {
            "valid": hmac.compare_digest(expected, request.headers.get("x-signature", "")),
            "text": text, "fields": sorted((await request.form).keys()),
        }

    app.mount("/mounted", echo_asgi)
    return app


async def test_a_form_parsed_by_csrf_can_still_be_read_raw(client_for: Client) -> None:
    # Regression: after CSRF parsed the form, `request.body` raised "already streamed" (a 500).
    async with client_for(replay_app()) as client:
        token = await fetch_token(client)
        body = f"csrf_token={token}&amount=10".encode()
        signature = hmac.new(b"hook-key", body, hashlib.sha256).hexdigest()
        answer = await client.post("/webhook", content=body, headers={**FORM, "x-signature": signature})
    assert answer.status_code == 200
    assert answer.json() == {"valid": True, "text": body.decode(), "fields": ["amount", "csrf_token"]}


async def test_a_multipart_form_parsed_by_csrf_can_still_be_read_raw(client_for: Client) -> None:
    async with client_for(replay_app()) as client:
        token = await fetch_token(client)
        request = client.build_request("POST", "/webhook", data={"csrf_token": token},
                                       files={"doc": ("a.bin", os.urandom(3 * 1024 * 1024))})
        body = request.read()
        request.headers["x-signature"] = hmac.new(b"hook-key", body, hashlib.sha256).hexdigest()
        answer = await client.send(request)
    assert answer.status_code == 200
    assert answer.json() == {"valid": True, "text": None, "fields": ["csrf_token", "doc"]}


@pytest.mark.parametrize("kind", ["urlencoded", "multipart"])
async def test_a_mounted_app_behind_csrf_receives_the_whole_body(client_for: Client, kind: str) -> None:
    # Regression: the mounted app never received the body that CSRF had parsed, and the
    # connection hung until the client gave up.
    async with client_for(replay_app()) as client:
        token = await fetch_token(client)
        if kind == "urlencoded":
            request = client.build_request("POST", "/mounted/x", content=f"csrf_token={token}&a=1", headers=FORM)
        else:
            request = client.build_request("POST", "/mounted/x", data={"csrf_token": token},
                                           files={"f": ("big.bin", os.urandom(2 * 1024 * 1024 + 7))})
        sent = request.read()
        answer = await client.send(request)
    assert answer.status_code == 200
    assert answer.content == sent


# ---------------------------------------------------------------------------- 5. @auth order
def guarded_app() -> Any:
    app = get_application(config={"secret_key": SECRET})
    app.add_middleware(AuthenticationMiddleware(backends=[APIKeyAuthBackend(keys={"k": SimpleUser("ann")})]))

    @auth()
    @app.get("/above")
    async def above(request: Request, response: Response) -> Any:
        return {"user": request.user.display_name}

    @app.get("/below")
    @auth()
    async def below(request: Request, response: Response) -> Any:
        return {"user": request.user.display_name}

    return app


@pytest.mark.parametrize("path", ["/above", "/below"])
async def test_auth_protects_the_route_whichever_side_of_the_route_decorator_it_is(
    client_for: Client, path: str
) -> None:
    # Regression: `@auth()` written above the route decorator left the route open.
    async with client_for(guarded_app()) as client:
        anonymous = await client.get(path)
        known = await client.get(path, headers={"x-api-key": "k"})
    assert anonymous.status_code == 401
    assert (known.status_code, known.json()) == (200, {"user": "ann"})


# ---------------------------------------------------------------------------- 6. route limits
def small_form_route_app() -> Any:
    app = get_application(config={"secret_key": SECRET})
    app.add_middleware(CSRFMiddleware())

    @app.get("/token")
    async def token(request: Request, response: Response) -> Any:
        return {"token": csrf_token(request)}

    @app.post("/small", limits=Limits(max_body_size=200, max_form_fields=2))
    async def small(request: Request, response: Response) -> Any:
        return {"fields": len(await request.form)}

    @app.post("/upload", limits=Limits(max_multipart_size=40 * 1024 * 1024, max_part_size=1024))
    async def upload(request: Request, response: Response) -> Any:
        return {"size": (await request.form)["f"].size}  # type: ignore[union-attr]

    return app


async def test_route_limits_apply_to_a_form_that_csrf_parses_first(client_for: Client) -> None:
    # Regression: CSRF parsed the form with the app's limits before the route's applied.
    async with client_for(small_form_route_app()) as client:
        token = await fetch_token(client)
        too_many = await client.post("/small", content=f"csrf_token={token}&a=1&b=2", headers=FORM)
        too_big = await client.post("/small", content=f"csrf_token={token}&a=" + "x" * 150, headers=FORM)
        fine = await client.post("/small", content=f"csrf_token={token}&a=1", headers=FORM)
    assert too_many.status_code == 413
    assert too_big.status_code == 413
    assert (fine.status_code, fine.json()) == (200, {"fields": 2})


async def test_a_route_may_raise_the_limits_for_a_form_that_csrf_parses_first(client_for: Client) -> None:
    async with client_for(small_form_route_app()) as client:
        token = await fetch_token(client)
        answer = await client.post("/upload", data={"csrf_token": token},
                                   files={"f": ("big.bin", b"x" * (12 * 1024 * 1024))})
    assert (answer.status_code, answer.json()) == (200, {"size": 12 * 1024 * 1024})


# ---------------------------------------------------------------------------- 7. CSRF binding
def session_csrf_app() -> Any:
    app = get_application(config={"secret_key": SECRET})
    app.add_middleware(SessionMiddleware())
    app.add_middleware(CSRFMiddleware())

    @app.get("/token")
    async def token(request: Request, response: Response) -> Any:
        return {"token": csrf_token(request)}

    @app.post("/transfer")
    async def transfer(request: Request, response: Response) -> Any:
        return {"ok": True}

    @app.post("/login")
    async def login(request: Request, response: Response) -> Any:
        from nexios_auth import login as log_in

        await log_in(request, SimpleUser("victim"))
        return {"ok": True}

    return app


async def test_a_csrf_token_fetched_with_another_session_is_refused(client_for: Client) -> None:
    # Regression: tokens were bound to nothing, so a token the attacker fetched with their own
    # client, planted in the victim's cookie jar, passed the check with the victim's session.
    app = session_csrf_app()
    async with client_for(app) as attacker, client_for(app) as victim:
        attacker_token = await fetch_token(attacker)
        own_token = await fetch_token(victim)  # the victim has a session, and a token of their own
        planted = {"cookie": f"{victim_session(victim)}; csrftoken={attacker_token}"}
        forged = await victim.post("/transfer", headers={"x-csrf-token": attacker_token, **planted})
        genuine = await victim.post("/transfer", headers={"x-csrf-token": own_token})
    assert forged.status_code == 403
    assert genuine.status_code == 200


def victim_session(client: httpx.AsyncClient) -> str:
    """The victim's session cookie as a ``name=value`` pair (sent without the jar's CSRF cookie)."""
    name = next(n for n in client.cookies if n != "csrftoken")
    return f"{name}={client.cookies[name]}"


async def test_logging_in_voids_the_csrf_tokens_issued_before(client_for: Client) -> None:
    async with client_for(session_csrf_app()) as client:
        before = await fetch_token(client)
        logged_in = await client.post("/login", headers={"x-csrf-token": before})
        replay = await client.post("/transfer", headers={"x-csrf-token": before})
        fresh = client.cookies["csrftoken"]
        after = await client.post("/transfer", headers={"x-csrf-token": fresh})
    assert logged_in.status_code == 200
    assert fresh != before
    assert replay.status_code == 403
    assert after.status_code == 200


# ---------------------------------------------------------------------------- 8. dotfiles
@pytest.fixture
def static_root(tmp_path: Path) -> Path:
    root = tmp_path / "public"
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "config").write_text("[remote] url=secret")
    (root / ".env").write_text("SECRET=1")
    (root / "app.css").write_text("body{}")
    (root / "innocent.txt").symlink_to(root / ".env")
    return root


@pytest.mark.parametrize("path", ["/static/.env", "/static/.git/config", "/static/%2eenv", "/static/innocent.txt"])
async def test_static_files_refuse_hidden_files_by_default(client_for: Client, static_root: Path, path: str) -> None:
    # Regression: `/static/.env` was served.
    app = get_application()
    app.mount("/static", StaticFiles(static_root))
    async with client_for(app) as client:
        answer = await client.get(path)
        css = await client.get("/static/app.css")
    assert answer.status_code == 404
    assert css.status_code == 200


async def test_static_files_serve_hidden_files_when_allowed(client_for: Client, static_root: Path) -> None:
    app = get_application()
    app.mount("/static", StaticFiles(static_root, allow_hidden=True))
    async with client_for(app) as client:
        answer = await client.get("/static/.env")
    assert (answer.status_code, answer.text) == (200, "SECRET=1")


# ---------------------------------------------------------------------------- 10. cookie attributes
@pytest.mark.parametrize(
    "attributes",
    [{"path": "/; Domain=evil.example"}, {"domain": "example.com; Secure"}, {"domain": "exa mple.com"},
     {"expires": "Thu, 01 Jan 2099 00:00:00 GMT; Domain=evil"}, {"path": "/\r\nX-Injected: 1"}, {"path": "/a\x00"}],
)
def test_set_cookie_refuses_attribute_values_that_would_add_attributes(attributes: dict[str, str]) -> None:
    # Regression: `set_cookie(path="/; Domain=evil.example")` was emitted as given.
    with pytest.raises(ValueError, match="Cookie"):
        Response().set_cookie("sid", "v", **attributes)  # type: ignore[arg-type]


def test_set_cookie_keeps_ordinary_attribute_values() -> None:
    response = Response().set_cookie("sid", "v", path="/app/x-y_z.~", domain=".example.co.uk",
                                     expires="Thu, 01 Jan 2099 00:00:00 GMT")
    assert response.headers.get("set-cookie") == (
        "sid=v; Domain=.example.co.uk; expires=Thu, 01 Jan 2099 00:00:00 GMT; Path=/app/x-y_z.~; SameSite=Lax"
    )


# ---------------------------------------------------------------------------- 11. JSON media type
def json_app() -> Any:
    app = get_application()

    @app.post("/json")
    async def read(request: Request, response: Response) -> Any:
        return {"data": await request.json}

    @app.post("/beacon", limits=Limits(require_json_content_type=False))
    async def beacon(request: Request, response: Response) -> Any:
        return {"data": await request.json}

    return app


@pytest.mark.parametrize("content_type", ["text/plain", "text/plain; charset=utf-8",
                                          "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None])
async def test_untyped_json_refuses_bodies_not_sent_as_json(client_for: Client, content_type: str | None) -> None:
    # Regression (CVE-2021-32677 class): `await request.json` parsed text/plain bodies, which a
    # cross-site form can send without a CORS preflight.
    headers = {"content-type": content_type} if content_type else {}
    async with client_for(json_app()) as client:
        answer = await client.post("/json", content=b'{"amount": 1}', headers=headers)
    assert answer.status_code == 415


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          "application/vnd.api+json", "Application/JSON"])
async def test_untyped_json_reads_json_media_types(client_for: Client, content_type: str) -> None:
    async with client_for(json_app()) as client:
        answer = await client.post("/json", content=b'{"amount": 1}', headers={"content-type": content_type})
    assert answer.json() == {"data": {"amount": 1}}


async def test_a_route_can_accept_json_sent_as_text_plain(client_for: Client) -> None:
    async with client_for(json_app()) as client:
        answer = await client.post("/beacon", content=b'{"event": "view"}', headers={"content-type": "text/plain"})
    assert answer.json() == {"data": {"event": "view"}}


# ---------------------------------------------------------------------------- 12. custom users
class MethodUser:
    """A custom user whose `is_authenticated` is a method, as some ORMs and old Django code have."""

    def __init__(self, authenticated: bool) -> None:
        self.authenticated = authenticated
        self.scopes: list[str] = []

    def is_authenticated(self) -> bool:
        return self.authenticated


class AsyncMethodUser:
    async def is_authenticated(self) -> bool:
        return True


def custom_user_app(user: Any) -> Any:
    app = get_application(config={"secret_key": SECRET})
    app.add_middleware(AuthenticationMiddleware(backends=[APIKeyAuthBackend(keys={"k": user})]))

    @app.get("/private")
    @auth()
    async def private(request: Request, response: Response) -> Any:
        return {"ok": True}

    return app


async def test_a_user_whose_is_authenticated_method_says_no_is_refused(client_for: Client) -> None:
    # Regression: a bound method is truthy, so such a user counted as authenticated.
    async with client_for(custom_user_app(MethodUser(False))) as client:
        refused = await client.get("/private", headers={"x-api-key": "k"})
    async with client_for(custom_user_app(MethodUser(True))) as client:
        allowed = await client.get("/private", headers={"x-api-key": "k"})
    assert refused.status_code == 401
    assert allowed.status_code == 200


def test_a_coroutine_is_authenticated_is_refused_loudly() -> None:
    from nexios_auth.users import is_authenticated
    from nexios_core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match=re.escape("AsyncMethodUser.is_authenticated")):
        is_authenticated(AsyncMethodUser())
