"""One regression test per "Rules by area" bullet of SECURITY.md, each named after the class of
hostile input it guards against, run through a whole app (middleware, router, handler)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from nexios import get_application
from nexios.auth import AuthenticationMiddleware, auth, login
from nexios.auth.backends import JWTAuthBackend
from nexios.auth.backends.jwt import create_jwt
from nexios.middleware.cors import CORSMiddleware
from nexios.middleware.csrf import CSRFMiddleware, csrf_token
from nexios.session.middleware import SessionMiddleware
from nexios.testclient import TestClient
from nexios_core.exceptions import ImproperlyConfigured
from nexios_core.request import Request
from nexios_core.responses import Response
from nexios_core.staticfiles import StaticFiles
from nexios_core.testclient import WebSocketDenied
from nexios_core.websocket import WebSocket
from tests.pressure.asgi_driver import call

pytestmark = pytest.mark.anyio

Client = Callable[..., httpx.AsyncClient]
SECRET = "security-regression-secret-key-long-enough-for-hs512-signatures-64b"


# ------------------------------------------------------------------ errors
async def test_unhandled_error_is_a_fixed_500_without_internals_whatever_accept(client_for: Client) -> None:
    app = get_application()

    @app.get("/boom")
    async def boom(request: Request, response: Response) -> Any:
        password = "hunter2"  # a local that must never be shown  # noqa: F841
        raise RuntimeError("database password is hunter2")

    assert app.debug is False
    async with client_for(app) as client:
        for accept in ("text/html", "application/json", "*/*", "text/plain", ""):
            answer = await client.get("/boom", headers={"accept": accept})
            assert answer.status_code == 500
            assert answer.headers["content-type"] == "application/json"
            body = answer.json()
            assert body == {"detail": "Internal Server Error", "request_id": answer.headers["x-request-id"]}
            assert "hunter2" not in answer.text and "Traceback" not in answer.text


# ------------------------------------------------------------------ static files
@pytest.fixture
def static_app(tmp_path: Path) -> Any:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "public.txt").write_text("public")
    (tmp_path / "static_private").mkdir()
    (tmp_path / "static_private" / "secret.txt").write_text("TOP SECRET")
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    app = get_application()
    app.register(StaticFiles(directory=tmp_path / "static"), prefix="/static")
    return app


async def test_static_traversal_into_a_sibling_with_a_shared_prefix_is_refused(static_app: Any) -> None:
    assert (await call(static_app, "GET", "/static/public.txt")).body == b"public"
    # What a server hands over (it does not remove dot segments): a prefix test would let it through.
    for path in ("/static/../static_private/secret.txt", "/static/../secret.txt", "/static/x/../../secret.txt"):
        answer = await call(static_app, "GET", path)
        assert answer.status == 404, path
        assert b"SECRET" not in answer.body


async def test_static_encoded_traversal_and_nul_bytes_are_refused(static_app: Any) -> None:
    # Servers decode one level of %-escapes; these arrive still encoded, or with a NUL or a backslash.
    for path in ("/static/%2e%2e/secret.txt", "/static/%252e%252e/secret.txt", "/static/..%2fsecret.txt",
                 "/static/..%5csecret.txt", "/static/..\\secret.txt", "/static/public.txt\x00.png",
                 "/static/%00", "/static//etc/passwd"):
        answer = await call(static_app, "GET", path)
        assert answer.status == 404, path
        assert b"SECRET" not in answer.body and b"root:" not in answer.body


# ------------------------------------------------------------------ host
async def test_invalid_host_header_is_never_built_into_an_absolute_url(client_for: Client) -> None:
    app = get_application()

    @app.get("/link")
    async def link(request: Request, response: Response) -> Any:
        return {"url": request.build_absolute_uri("/next")}

    async with client_for(app) as client:
        assert (await client.get("/link", headers={"host": "app.example:8080"})).json() == {
            "url": "http://app.example:8080/next"}
        for host in (b"evil.example/<script>", b"evil.example@x", b"a b", b"evil.example:80:80", b"[::1", b"",
                     b"evil.example:\xb2", b"evil.example:" + b"9" * 5000, b"\xe9vil.example", b"evil.example:80\xb9"):
            answer = await client.get("/link", headers={"host": host})
            assert answer.status_code == 400, host
            assert "evil" not in answer.text


async def test_host_header_with_a_non_ascii_or_huge_port_reads_as_no_port_not_a_500(client_for: Client) -> None:
    # Header bytes are decoded as latin-1: "\xb2" becomes "²", which str.isdigit() accepts but
    # int() refuses; 5000 digits pass isdigit() and exceed int()'s digit limit.
    app = get_application()

    @app.get("/where")
    async def where(request: Request, response: Response) -> Any:
        return {"host": request.url.hostname, "port": request.url.port}

    async with client_for(app) as client:
        assert (await client.get("/where", headers={"host": "app.example:8080"})).json() == {
            "host": "app.example", "port": 8080}
        for host in (b"app.example:\xb2", b"app.example:8\xb9", b"app.example:" + b"9" * 5000):
            answer = await client.get("/where", headers={"host": host})
            assert answer.status_code == 200, host[:30]
            assert answer.json()["port"] is None


async def test_trailing_slash_redirect_is_relative_whatever_the_host(client_for: Client) -> None:
    app = get_application()

    @app.get("/docs/")
    async def docs(request: Request, response: Response) -> Any:
        return "docs"

    async with client_for(app, base_url="http://evil.example") as client:
        answer = await client.get("/docs", follow_redirects=False)
        for path in ("//evil.example/docs", "/\\evil.example/docs"):
            answer_odd = await client.get(path, follow_redirects=False)
            location = answer_odd.headers.get("location", "")
            assert not location.startswith(("//", "/\\", "http")), location
    assert answer.status_code in (307, 308)
    assert answer.headers["location"] == "/docs/"


async def test_security_checks_match_the_routed_path_not_a_url_rebuilt_from_host(client_for: Client) -> None:
    app = get_application(config={"secret_key": SECRET})
    app.add_middleware(CSRFMiddleware(exempt_paths=["/webhooks/*"]))

    @app.route("/transfer", methods=["POST"])
    async def transfer(request: Request, response: Response) -> Any:
        return {"moved": "money"}

    async with client_for(app) as client:
        for host in ("testserver/webhooks/x", "evil.example/webhooks/", "evil.example"):
            answer = await client.post("/transfer", headers={"host": host})
            assert answer.status_code == 403, host


# ------------------------------------------------------------------ sessions
def session_app(**options: Any) -> Any:
    app = get_application(config={"secret_key": SECRET})
    app.add_middleware(SessionMiddleware(**options))

    @app.get("/write")
    async def write(request: Request, response: Response) -> Any:
        request.session["visits"] = request.session.get("visits", 0) + 1
        return {"id": request.session.session_id}

    @app.get("/read")
    async def read(request: Request, response: Response) -> Any:
        return {"id": request.session.session_id, "data": dict(request.session.items())}

    @app.post("/login")
    async def log_in(request: Request, response: Response) -> Any:
        from nexios.auth import SimpleUser

        before = request.session.session_id
        await login(request, SimpleUser("alice"))
        return {"before": before, "after": request.session.session_id}

    return app


async def test_session_cookie_is_httponly_lax_secure_on_https_and_varies_by_cookie(client_for: Client) -> None:
    for base_url, secure in (("http://app.example", False), ("https://app.example", True)):
        async with client_for(session_app(), base_url) as client:
            answer = await client.get("/write")
        cookie = answer.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
        assert ("secure" in cookie.split("; ")) is secure
        assert "cookie" in answer.headers["vary"].lower()


async def test_login_regenerates_the_session_id_against_fixation(client_for: Client) -> None:
    async with client_for(session_app()) as client:
        planted = (await client.get("/write")).json()["id"]  # the id an attacker got the victim to use
        answer = await client.post("/login")
        assert answer.json()["before"] == planted
        assert answer.json()["after"] != planted
        after_login = (await client.get("/read")).json()
    assert after_login["id"] not in (planted, None)
    assert after_login["data"]["visits"] == 1  # the data survives, the id does not


async def test_tampered_or_foreign_session_cookie_gives_a_fresh_empty_session(client_for: Client) -> None:
    async with client_for(session_app()) as client:
        genuine = (await client.get("/write")).cookies["session_id"]
    other_app = get_application(config={"secret_key": "another-secret-entirely-32-bytes-x"})
    other_app.add_middleware(SessionMiddleware())

    @other_app.get("/write")
    async def write(request: Request, response: Response) -> Any:
        request.session["admin"] = True
        return {}

    async with client_for(other_app) as client:
        foreign = (await client.get("/write")).cookies["session_id"]
    flipped = genuine[:-2] + ("A" if genuine[-2] != "A" else "B") + genuine[-1]
    async with client_for(session_app()) as client:
        for value in (flipped, foreign, genuine + "x", "x" * 5000, "", '"', "a.b.c", "\u00e9"):
            answer = await client.get("/read", headers={"cookie": f"session_id={value}".encode()})
            assert answer.status_code == 200, value[:20]
            assert answer.json()["data"] == {}


# ------------------------------------------------------------------ CSRF
def csrf_app() -> Any:
    app = get_application(config={"secret_key": SECRET})
    app.add_middleware(CSRFMiddleware(exempt_paths=["/webhooks/*"]))

    @app.get("/token")
    async def token(request: Request, response: Response) -> Any:
        return {"token": csrf_token(request)}

    async def change(request: Request, response: Response) -> Any:
        return {"changed": True}

    for path in ("/account", "/webhooks/stripe"):
        app.add_route(path, change, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    return app


async def test_csrf_protects_every_unsafe_method_unless_exempted(client_for: Client) -> None:
    async with client_for(csrf_app()) as client:
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            assert (await client.request(method, "/account")).status_code == 403, method
            assert (await client.request(method, "/webhooks/stripe")).status_code == 200, method
        assert (await client.get("/account")).status_code == 200
        token = (await client.get("/token")).json()["token"]
        assert (await client.post("/account", headers={"x-csrf-token": token})).status_code == 200


async def test_csrf_token_forged_or_from_another_secret_is_refused(client_for: Client) -> None:
    async with client_for(csrf_app()) as client:
        token = (await client.get("/token")).json()["token"]
        for forged in (token[:-1] + ("a" if token[-1] != "a" else "b"), "x" * len(token), "", token + "x"):
            answer = await client.post("/account", headers={"x-csrf-token": forged})
            assert answer.status_code == 403, forged
        other = get_application(config={"secret_key": "a-completely-different-secret-key!!"})
        other.add_middleware(CSRFMiddleware())

        @other.get("/token")
        async def other_token(request: Request, response: Response) -> Any:
            return {"token": csrf_token(request)}

        async with client_for(other) as foreign_client:
            foreign = (await foreign_client.get("/token")).json()["token"]
        client.cookies.set("csrftoken", foreign)
        assert (await client.post("/account", headers={"x-csrf-token": foreign})).status_code == 403


# ------------------------------------------------------------------ CORS
def cors_app(**options: Any) -> Any:
    app = get_application()
    if options:
        app.add_middleware(CORSMiddleware, **options)

    @app.route("/data", methods=["GET", "PUT"])
    async def data(request: Request, response: Response) -> Any:
        return {"data": 1}

    return app


async def test_cors_is_off_by_default_and_credentials_are_off_by_default(client_for: Client) -> None:
    async with client_for(cors_app()) as client:
        answer = await client.get("/data", headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in answer.headers
    async with client_for(cors_app(allow_origins=["https://app.example"])) as client:
        answer = await client.get("/data", headers={"origin": "https://app.example"})
    assert answer.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-credentials" not in answer.headers


async def test_cors_wildcard_origin_with_credentials_is_refused_at_start_up() -> None:
    app = cors_app(allow_origins=["*"], allow_credentials=True)
    with pytest.raises(ImproperlyConfigured):
        app.build()


async def test_cors_origin_must_match_exactly_and_answers_vary_by_origin(client_for: Client) -> None:
    async with client_for(cors_app(allow_origins=["https://app.example"], allow_credentials=True)) as client:
        for lookalike in ("https://app.example.evil.com", "https://evilapp.example", "http://app.example",
                          "https://app.example:443x", "https://APP.example.", "null"):
            answer = await client.get("/data", headers={"origin": lookalike})
            assert "access-control-allow-origin" not in answer.headers, lookalike
            assert "origin" in answer.headers["vary"].lower()
        answer = await client.get("/data", headers={"origin": "https://app.example"})
    assert answer.headers["access-control-allow-origin"] == "https://app.example"
    assert "origin" in answer.headers["vary"].lower()


async def test_cors_preflight_with_a_disallowed_method_or_header_is_refused(client_for: Client) -> None:
    origin = "https://app.example"
    app = cors_app(allow_origins=[origin], allow_methods=["GET"], allow_headers=["x-allowed"])
    async with client_for(app) as client:
        good = await client.options("/data", headers={"origin": origin, "access-control-request-method": "GET",
                                                      "access-control-request-headers": "x-allowed"})
        bad_method = await client.options("/data", headers={"origin": origin, "access-control-request-method": "PUT"})
        bad_header = await client.options("/data", headers={"origin": origin, "access-control-request-method": "GET",
                                                            "access-control-request-headers": "x-secret"})
    assert good.status_code == 200 and good.headers["access-control-allow-origin"] == origin
    for refused in (bad_method, bad_header):
        assert refused.status_code >= 400
        assert "access-control-allow-origin" not in refused.headers


# ------------------------------------------------------------------ auth
def auth_app() -> Any:
    app = get_application(config={"secret_key": SECRET})
    app.add_middleware(AuthenticationMiddleware(backends=[JWTAuthBackend(algorithms=["HS256"])]))

    @app.get("/me")
    @auth()
    async def me(request: Request, response: Response) -> Any:
        return {"user": request.user.display_name}

    @app.get("/admin")
    @auth(scopes=["admin"])
    async def admin(request: Request, response: Response) -> Any:
        return {"admin": True}

    return app


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def test_auth_decorator_answers_401_for_anonymous_and_403_for_a_missing_scope(client_for: Client) -> None:
    async with client_for(auth_app()) as client:
        anonymous = await client.get("/me")
        reader = create_jwt({"sub": "ada", "scope": "read"}, SECRET)
        assert (await client.get("/me", headers=bearer(reader))).json() == {"user": "ada"}
        forbidden = await client.get("/admin", headers=bearer(reader))
        admin = create_jwt({"sub": "root", "scope": "read admin"}, SECRET)
        assert (await client.get("/admin", headers=bearer(admin))).json() == {"admin": True}
    assert anonymous.status_code == 401 and "www-authenticate" in anonymous.headers
    assert forbidden.status_code == 403


async def test_jwt_needs_an_allowlist_refuses_alg_none_and_checks_expiry(client_for: Client) -> None:
    with pytest.raises(ImproperlyConfigured):
        JWTAuthBackend(SECRET, algorithms=[])
    with pytest.raises(ImproperlyConfigured):
        JWTAuthBackend(SECRET, algorithms=["none"])
    future = int(time.time()) + 600
    unsigned = jwt.encode({"sub": "mallory", "exp": future}, None, algorithm="none")
    expired = jwt.encode({"sub": "ada", "exp": int(time.time()) - 60}, SECRET, algorithm="HS256")
    no_expiry = jwt.encode({"sub": "ada"}, SECRET, algorithm="HS256")
    other_algorithm = jwt.encode({"sub": "ada", "exp": future}, SECRET, algorithm="HS512")
    async with client_for(auth_app()) as client:
        for token in (unsigned, expired, no_expiry, other_algorithm, "a.b.c", "\u00fc.\u00fc.\u00fc"):
            answer = await client.get("/me", headers={"authorization": f"Bearer {token}".encode()})
            assert answer.status_code == 401, token[:30]


async def test_malformed_authorization_headers_read_as_no_credentials_not_a_500(client_for: Client) -> None:
    app = get_application()

    @app.get("/credentials")
    async def credentials(request: Request, response: Response) -> Any:
        return {"basic": request.basic_auth, "bearer": request.bearer_token}

    async with client_for(app) as client:
        good = await client.get("/credentials", auth=("ada", "s3cret"))
        assert good.json() == {"basic": ["ada", "s3cret"], "bearer": None}
        for value in (b"Basic \xe9\xe9==", b"Basic !!!!", b"Basic " + base64.b64encode(b"\xff:\xfe"),
                      b"Basic YWRh", b"Basic", b"Bearer", b"Bearer \xe9", b"\xe9\xe9 x"):
            answer = await client.get("/credentials", headers={"authorization": value})
            assert answer.status_code == 200, value
            assert answer.json()["basic"] is None


# ------------------------------------------------------------------ WebSockets
async def test_cross_site_websocket_handshake_is_refused_by_the_origin_check() -> None:
    app = get_application()

    @app.websocket("/ws")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("welcome")
        await websocket.close()

    client = TestClient(app)
    for origin in ("https://evil.example", "http://testserver.evil.example", "null", "http://testserver:81"):
        with pytest.raises(WebSocketDenied):
            with client.websocket_connect("/ws", headers={"origin": origin}):
                pass
    for headers in ({"origin": "http://testserver"}, {}):
        with client.websocket_connect("/ws", headers=headers) as session:
            assert session.receive_text() == "welcome"


# ------------------------------------------------------------------ HEAD and unknown methods
async def test_head_is_answered_for_every_get_route_and_unknown_methods_get_405_with_allow(client_for: Client) -> None:
    app = get_application()

    @app.get("/page")
    async def page(request: Request, response: Response) -> Any:
        return {"page": "x" * 50}

    @app.get("/items/{item_id:int}")
    async def item(request: Request, response: Response, item_id: int) -> Any:
        return {"item_id": item_id}

    async with client_for(app) as client:
        for path in ("/page", "/items/3"):
            get = await client.get(path)
            head = await client.head(path)
            assert head.status_code == 200 and head.content == b""
            assert head.headers["content-length"] == get.headers["content-length"]
        for method in ("POST", "DELETE", "PATCH", "PROPFIND", "BREW"):
            refused = await client.request(method, "/page")
            assert refused.status_code == 405, method
            assert {m.strip() for m in refused.headers["allow"].split(",")} >= {"GET", "HEAD"}
            assert json.loads(refused.text)["detail"]
