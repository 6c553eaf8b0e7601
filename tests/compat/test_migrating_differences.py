"""Each row of ``docs/migrating.md``'s differences table, shown: what an app written for upstream
Nexios meets here, and the message it gets. One test per row, named after it (``test_m01_...``);
``tests/docs/test_migrating_page.py`` checks that none is missing."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

import anyio
import jwt
import pytest

from nexios import MakeConfig, NexiosApp, get_application
from nexios.auth.backends.jwt import JWTAuthBackend
from nexios.auth.decorator import auth
from nexios.auth.middleware import AuthenticationMiddleware
from nexios.exceptions import HTTPException
from nexios.limits import Limits
from nexios.middleware.cors import CORSMiddleware
from nexios.middleware.csrf import CSRFMiddleware
from nexios.routing import Router, Routes
from nexios.session.middleware import SessionMiddleware
from nexios.static import StaticFiles
from nexios.testclient import TestClient, WebSocketDenied
from nexios_core import ImproperlyConfigured

SECRET = "a-secret-key-long-enough-for-every-hmac-algorithm-in-these-tests!!"


def client(app: Any, **options: Any) -> TestClient:
    return TestClient(app, **options)


async def echo_json(req: Any, res: Any) -> Any:
    return {"got": await req.json}


# ---------------------------------------------------------------- requests
def test_m01_json_needs_a_json_content_type_unless_the_route_opts_out() -> None:
    app = NexiosApp()
    app.add_route(path="/strict", handler=echo_json, methods=["POST"])
    app.add_route(path="/lenient", handler=echo_json, methods=["POST"],
                  limits=Limits(require_json_content_type=False))
    with client(app) as c:
        refused = c.post("/strict", content=b'{"a": 1}', headers={"content-type": "text/plain"})
        message = {"detail": "Expected a JSON body (Content-Type: application/json)"}
        assert (refused.status_code, refused.json()) == (415, message)
        assert c.post("/strict", json={"a": 1}).json() == {"got": {"a": 1}}
        lenient = c.post("/lenient", content=b'{"a": 1}', headers={"content-type": "text/plain"})
        assert lenient.json() == {"got": {"a": 1}}


def test_m02_body_charsets_outside_utf8_ascii_latin1_are_refused() -> None:
    app = NexiosApp()

    @app.post("/text")
    async def text(req: Any, res: Any) -> Any:
        return {"text": await req.text}

    with client(app) as c:
        refused = c.post("/text", content="é".encode("utf-16"), headers={"content-type": "text/plain; charset=utf-16"})
        assert (refused.status_code, refused.json()["detail"]) == (
            415, "Unsupported charset: request bodies must be UTF-8, ASCII or Latin-1")
        latin = c.post("/text", content="é".encode("latin-1"), headers={"content-type": "text/plain; charset=latin-1"})
        assert latin.json() == {"text": "é"}


def test_m03_basic_auth_is_none_without_credentials() -> None:
    app = NexiosApp()

    @app.get("/who")
    async def who(req: Any, res: Any) -> Any:
        return {"basic": req.basic_auth, "allowed": bool(req.basic_auth)}

    with client(app) as c:
        assert c.get("/who").json() == {"basic": None, "allowed": False}
        assert c.get("/who", auth=("ann", "pw")).json() == {"basic": ["ann", "pw"], "allowed": True}


def test_m04_client_ip_ignores_forwarded_headers_unless_proxies_are_declared() -> None:
    app = NexiosApp()

    @app.get("/ip")
    async def ip(req: Any, res: Any) -> Any:
        return {"default": req.get_client_ip(), "behind_one_proxy": req.get_client_ip(trusted_proxies=1)}

    with client(app) as c:
        forged = {"x-forwarded-for": "6.6.6.6, 10.0.0.1", "x-real-ip": "6.6.6.6"}
        assert c.get("/ip", headers=forged).json() == {"default": "testclient", "behind_one_proxy": "10.0.0.1"}


# ---------------------------------------------------------------- routing
def test_m05_routes_without_methods_answer_get_only() -> None:
    async def read(req: Any, res: Any) -> Any:
        return {"read": True}

    app = NexiosApp(routes=[Routes("/items", read)])
    app.route("/other")(read)
    with client(app) as c:
        assert c.get("/items").json() == {"read": True} and c.get("/other").json() == {"read": True}
        for method in ("POST", "DELETE", "PUT"):
            refused = c.request(method, "/items")
            assert refused.status_code == 405 and refused.headers["allow"] == "GET, HEAD, OPTIONS"
            assert c.request(method, "/other").status_code == 405


def test_m06_a_misspelt_route_option_is_refused_naming_the_handler() -> None:
    app = NexiosApp()

    async def create(req: Any, res: Any) -> Any: ...

    with pytest.raises(TypeError, match=r"Unknown route option\(s\) 'method' for .*create at '/items'"):
        app.post("/items", method=["POST"])(create)
    app.get("/ok", middlewares=[])(create)  # upstream's spelling of middleware= is accepted


def test_m07_a_star_in_a_path_is_a_literal() -> None:
    app = NexiosApp()

    @app.get("/wild/*/card")
    async def wild(req: Any, res: Any) -> Any:
        return {"matched": True}

    @app.get("/tame/{part}/card")
    async def tame(req: Any, res: Any, part: str) -> Any:
        return {"part": part}

    with client(app) as c:
        assert c.get("/wild/anything/card").status_code == 404
        assert c.get("/wild/*/card").json() == {"matched": True}
        assert c.get("/tame/anything/card").json() == {"part": "anything"}


def test_m08_registered_extension_methods_are_accepted_typos_refused() -> None:
    app = NexiosApp()

    async def purge(req: Any, res: Any) -> Any:
        return "purged"

    app.route("/cache", ["PURGE"])(purge)
    app.route("/dav", ["propfind"])(purge)
    for typo in ("GTE", "FETCH"):
        with pytest.raises(ImproperlyConfigured, match=rf"Unknown HTTP method\(s\) \['{typo}'\] for route '/typo'"):
            app.route("/typo", [typo])(purge)
    with client(app) as c:
        assert c.request("PURGE", "/cache").text == "purged" and c.request("PROPFIND", "/dav").text == "purged"


def test_m09_function_middleware_cannot_reroute_raw_asgi_middleware_can() -> None:
    app = NexiosApp()

    @app.get("/new")
    async def new(req: Any, res: Any) -> Any:
        return {"at": "new"}

    async def rewrite(req: Any, res: Any, call_next: Any) -> Any:
        if req.scope["path"] == "/old":
            req.scope["path"] = "/new"
        return await call_next()

    app.add_middleware(rewrite)
    with client(app) as c:
        assert c.get("/old").status_code == 404  # the route was chosen before the middleware ran

    class Rewrite:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["path"] == "/old":
                scope = {**scope, "path": "/new"}
            await self.inner(scope, receive, send)

    app.wrap_asgi(Rewrite)
    with client(app) as c:
        assert c.get("/old").json() == {"at": "new"}


# ---------------------------------------------------------------- responses and errors
def test_m10_http_exceptions_answer_detail_objects_a_handler_restores_bare_details() -> None:
    app = NexiosApp()

    @app.get("/missing")
    async def missing(req: Any, res: Any) -> Any:
        raise HTTPException(404, detail="no such thing")

    with client(app) as c:
        assert c.get("/missing").json() == {"detail": "no such thing"}

    @app.add_exception_handler(HTTPException)
    async def bare(req: Any, res: Any, exc: HTTPException) -> Any:
        return res.json(exc.detail, status_code=exc.status_code)

    with client(app) as c:
        answer = c.get("/missing")
        assert (answer.status_code, answer.json()) == (404, "no such thing")


def test_m11_a_500_shows_no_traceback_unless_debug() -> None:
    def app_with(**config: Any) -> NexiosApp:
        app = NexiosApp(config=MakeConfig(config))

        @app.get("/boom")
        async def boom(req: Any, res: Any) -> Any:
            raise RuntimeError("secret internals")

        return app

    with client(app_with(), raise_server_exceptions=False) as c:
        body = c.get("/boom", headers={"accept": "text/html"}).json()
        assert body["detail"] == "Internal Server Error" and "secret internals" not in str(body)
    with client(app_with(debug=True), raise_server_exceptions=False) as c:
        assert "secret internals" in c.get("/boom").text


def test_m12_empty_answers_204_unless_told() -> None:
    app = NexiosApp()

    @app.get("/gone")
    async def gone(req: Any, res: Any) -> Any:
        return res.status(200).empty()

    @app.get("/ok")
    async def ok(req: Any, res: Any) -> Any:
        return res.empty(status_code=200)

    @app.get("/created")
    async def created(req: Any, res: Any) -> Any:
        res.status(201)
        return res.empty()  # a status set before (other than the default 200) is kept

    with client(app) as c:
        assert c.get("/gone").status_code == 204 and c.get("/ok").status_code == 200
        assert c.get("/created").status_code == 201


def test_m13_set_cookie_is_not_secure_unless_asked() -> None:
    app = NexiosApp()

    @app.get("/cookies")
    async def cookies(req: Any, res: Any) -> Any:
        return res.set_cookie("plain", "1").set_cookie("strict", "1", secure=True).text("ok")

    with client(app) as c:
        plain, strict = c.get("/cookies").headers.get_list("set-cookie")
    assert "Secure" not in plain and "Secure" in strict


def test_m14_one_response_per_request() -> None:
    from nexios.http.response import NexiosResponse

    seen: list[Any] = []  # the objects themselves, so that no id is reused
    app = NexiosApp()

    @app.get("/r")
    async def handler(req: Any, res: Any) -> Any:
        assert isinstance(res, NexiosResponse)
        seen.append(res)
        return res.json({"n": len(seen)})

    with client(app) as c:
        assert c.get("/r").json() == {"n": 1} and c.get("/r").json() == {"n": 2}
    assert seen[0] is not seen[1]


async def _lifespan(app: Any) -> Any:
    yield {"db": "connected"}


def test_m15_app_state_reads_as_a_dict_and_missing_names_are_none() -> None:
    import contextlib

    app = NexiosApp(lifespan=contextlib.asynccontextmanager(_lifespan))

    @app.get("/state")
    async def state(req: Any, res: Any) -> Any:
        return {"db": req.app.state["db"], "missing": req.app.state.nothing, "keys": sorted(req.app.state)}

    with client(app) as c:
        assert c.get("/state").json() == {"db": "connected", "missing": None, "keys": ["db"]}


# ---------------------------------------------------------------- config
def test_m16_get_config_is_the_config_of_the_app_handling_the_request() -> None:
    from nexios.config import get_config

    def build(name: str) -> NexiosApp:
        app = NexiosApp(config=MakeConfig(name=name))

        @app.get("/who")
        async def who(req: Any, res: Any) -> Any:
            return {"name": get_config().name}

        return app

    first, second = build("first"), build("second")  # upstream: both would now read "second"
    with client(first) as c:
        assert c.get("/who").json() == {"name": "first"}
    with client(second) as c:
        assert c.get("/who").json() == {"name": "second"}


def test_m17_a_missing_plain_key_is_a_key_error() -> None:
    config = MakeConfig({"db": {"host": "h"}})
    with pytest.raises(KeyError):
        _ = config["missing"]
    assert config.missing is None and config["db.missing"] is None and config.get("missing") is None


def test_m18_an_immutable_config_with_upstream_keys_refuses_to_start() -> None:
    app = NexiosApp(config=MakeConfig({"secret_key": SECRET, "session": {"session_cookie_name": "s"}},
                                      immutable=True))
    app.add_middleware(SessionMiddleware())
    with pytest.raises(ImproperlyConfigured, match="An immutable config uses upstream Nexios's setting names"):
        app.build()


# ---------------------------------------------------------------- CORS
def cors_app(**cors: Any) -> NexiosApp:
    app = NexiosApp(config=MakeConfig({"cors": cors}))
    app.add_middleware(CORSMiddleware())

    @app.get("/data")
    async def data(req: Any, res: Any) -> Any:
        return {"data": 1}

    return app


def test_m19_cors_credentials_are_off_unless_asked() -> None:
    with client(cors_app(allow_origins=["https://a.example"])) as c:
        assert "access-control-allow-credentials" not in c.get("/data", headers={"Origin": "https://a.example"}).headers
    with client(cors_app(allow_origins=["https://a.example"], allow_credentials=True)) as c:
        shared = c.get("/data", headers={"Origin": "https://a.example"})
        assert shared.headers["access-control-allow-credentials"] == "true"


def test_m20_cors_allows_get_unless_methods_are_listed() -> None:
    ask = {"Origin": "https://a.example", "Access-Control-Request-Method": "DELETE"}
    with client(cors_app(allow_origins=["https://a.example"])) as c:
        refused = c.options("/data", headers=ask)
        assert (refused.status_code, refused.json()) == (400, {"detail": "CORS method not allowed"})
    with client(cors_app(allow_origins=["https://a.example"], allow_methods=["GET", "DELETE"])) as c:
        assert c.options("/data", headers=ask).status_code == 200


def test_m21_any_origin_with_credentials_refuses_to_start() -> None:
    message = r"allow_origins=\['\*'\] cannot be combined with allow_credentials=True"
    with pytest.raises(ImproperlyConfigured, match=message):
        cors_app(allow_origins=["*"], allow_credentials=True).build()


def test_m22_strict_origin_checking_refuses_requests_without_origin() -> None:
    with client(cors_app(allow_origins=["https://a.example"], strict_origin_checking=True,
                         custom_error_messages={"missing_origin": "Origin required"})) as c:
        refused = c.get("/data")
        assert (refused.status_code, refused.json()) == (400, {"detail": "Origin required"})
        assert c.get("/data", headers={"Origin": "https://a.example"}).status_code == 200


# ---------------------------------------------------------------- sessions
def session_app(session: dict[str, Any]) -> NexiosApp:
    app = NexiosApp(config=MakeConfig({"secret_key": SECRET, "session": session}))
    app.add_middleware(SessionMiddleware())

    @app.get("/set")
    async def set_value(req: Any, res: Any) -> Any:
        req.session["n"] = 1
        return {"ok": True}

    return app


def test_m23_sessions_always_expire_and_session_permanent_is_ignored(caplog: pytest.LogCaptureFixture) -> None:
    with client(session_app({})) as c:
        assert "Max-Age=1209600" in c.get("/set").headers["set-cookie"]  # 14 days
    with caplog.at_level(logging.WARNING, logger="nexios.compat"):
        with client(session_app({"session_permanent": True, "session_expiration_time": 3600})) as c:
            assert "Max-Age=3600" in c.get("/set").headers["set-cookie"]
    assert "Session setting 'session_permanent' is ignored" in caplog.text


def test_m24_the_session_cookie_is_httponly() -> None:
    with client(session_app({})) as c:
        assert "HttpOnly" in c.get("/set").headers["set-cookie"]


def test_m25_custom_sessions_only_see_ids_this_app_signed() -> None:
    from nexios.session.base import BaseSessionInterface

    asked: list[str] = []

    class Recording(BaseSessionInterface):
        async def load(self) -> None:
            asked.append(self.session_key or "")

        async def save(self) -> None:
            return None

    with client(session_app({"manager": Recording}), cookies={"session_id": "../../etc/passwd"}) as c:
        c.get("/set")
    assert asked == []  # the forged cookie never reached load()


def test_m26_per_session_expiry_is_not_available() -> None:
    from nexios.session.base import BaseSessionInterface

    assert not hasattr(BaseSessionInterface(), "set_expiry")
    with client(session_app({"expiry": 60})) as c:
        assert "Max-Age=60" in c.get("/set").headers["set-cookie"]


def test_m27_file_sessions_are_named_by_their_id_and_prefix_is_ignored(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from nexios.session.file import FileSessionManager

    with caplog.at_level(logging.WARNING, logger="nexios.compat"):
        with client(session_app({"manager": FileSessionManager, "directory": str(tmp_path), "prefix": "s_"})) as c:
            c.get("/set")
    (stored,) = [path.name for path in tmp_path.iterdir()]
    assert not stored.startswith("s_") and len(stored) == len("x" * 43 + ".json")
    assert "Session setting 'prefix' is ignored" in caplog.text


# ---------------------------------------------------------------- auth
def jwt_app(**backend: Any) -> NexiosApp:
    app = get_application(config={"secret_key": SECRET})
    app.add_middleware(AuthenticationMiddleware(backend=JWTAuthBackend(**backend)))

    @app.get("/me")
    @auth()
    async def me(req: Any, res: Any) -> Any:
        return {"user": req.user.username}

    return app


def test_m28_jwt_without_an_algorithm_allowlist_refuses_to_start() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"set config\.jwt_algorithms=\['HS256'\]"):
        jwt_app().build()
    jwt_app(algorithm="HS256").build()


def test_m29_tokens_without_exp_are_refused() -> None:
    def bearer(claims: dict[str, Any]) -> dict[str, str]:
        return {"Authorization": f"Bearer {jwt.encode(claims, SECRET, algorithm='HS256')}"}

    with client(jwt_app(algorithm="HS256")) as c:
        assert c.get("/me", headers=bearer({"sub": "ada"})).status_code == 401
        assert c.get("/me", headers=bearer({"sub": "ada", "exp": int(time.time()) + 60})).json() == {"user": "ada"}


def test_m30_upstream_3_user_model_is_refused() -> None:
    with pytest.raises(TypeError, match=r"AuthenticationMiddleware\(user_model=\.\.\.\) is upstream Nexios 3's API"):
        AuthenticationMiddleware(user_model=object, backend=JWTAuthBackend(algorithm="HS256"))


# ---------------------------------------------------------------- CSRF
def csrf_app(**config: Any) -> NexiosApp:
    app = get_application(config={"secret_key": SECRET, **config})
    app.add_middleware(SessionMiddleware())
    app.add_middleware(CSRFMiddleware())

    @app.get("/token")
    async def token(req: Any, res: Any) -> Any:
        return {"token": req.state.csrf_token}

    for path in ("/api/items", "/other"):
        @app.post(path)
        async def change(req: Any, res: Any) -> Any:
            return {"changed": True}

    return app


def test_m31_every_unsafe_route_is_protected_and_the_required_list_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="nexios.compat"):
        with client(csrf_app(csrf_enabled=True, csrf_required_urls=["/api/.*"])) as c:
            assert c.post("/other").status_code == 403 and c.post("/api/items").status_code == 403
    assert caplog.text.count("csrf_required_urls is satisfied by protecting every unsafe route") == 1  # once per app
    with client(csrf_app(csrf_enabled=True, csrf_required_urls=["/api/.*"], csrf_protect_only_required_urls=True)) as c:
        assert c.post("/other").status_code == 200 and c.post("/api/items").status_code == 403


def test_m32_csrf_enabled_false_with_the_middleware_refuses_to_start() -> None:
    with pytest.raises(ImproperlyConfigured, match="remove the CSRFMiddleware to go without it"):
        csrf_app(csrf_enabled=False).build()


def test_m33_csrf_sensitive_cookies_refuses_to_start() -> None:
    with pytest.raises(ImproperlyConfigured, match="config csrf_sensitive_cookies is not supported"):
        csrf_app(csrf_sensitive_cookies=["session"]).build()


def test_m34_csrf_url_regexes_beyond_paths_and_prefixes_refuse_to_start() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"csrf_exempt_urls: '/\(a\|b\)/\.\+' is a regular expression"):
        csrf_app(csrf_exempt_urls=["/(a|b)/.+"]).build()
    with client(csrf_app(csrf_exempt_urls=["/api/.*", "/other"])) as c:
        assert c.post("/api/items").status_code == 200 and c.post("/other").status_code == 200


def test_m35_a_csrf_token_works_only_in_its_own_session() -> None:
    app = csrf_app()
    with client(app) as attacker:
        stolen = attacker.get("/token").json()["token"]
        assert attacker.post("/other", headers={"X-CSRF-Token": stolen}).status_code == 200
    with client(app) as victim:
        victim.get("/token")  # the victim's own session and token cookie
        victim.cookies.set("csrftoken", stolen)
        refused = victim.post("/other", headers={"X-CSRF-Token": stolen})
        assert (refused.status_code, refused.json()) == (403, {"detail": "CSRF token missing or invalid"})


# ---------------------------------------------------------------- WebSockets, static files, run
def test_m36_websocket_same_origin_compares_the_scheme() -> None:
    app = NexiosApp()

    @app.websocket("/ws")
    async def ws(websocket: Any) -> None:
        await websocket.accept()
        await websocket.send_text("hi")
        await websocket.close()

    with client(app) as c:
        with pytest.raises(WebSocketDenied, match="close code 1008"):
            with c.websocket_connect("/ws", headers={"origin": "https://testserver"}):
                pass
        with c.websocket_connect("/ws", headers={"origin": "http://testserver"}) as socket:
            assert socket.receive_text() == "hi"


def test_m37_static_files_stay_in_their_directory_and_hide_dot_files(tmp_path: Path) -> None:
    public = tmp_path / "static"
    public.mkdir()
    (public / "site.css").write_text("body{}")
    (public / ".env").write_text("SECRET=1")
    (tmp_path / "static_private").mkdir()
    (tmp_path / "static_private" / "x.txt").write_text("private")
    app = NexiosApp()
    app.register(StaticFiles(directory=public), prefix="/static")
    revealing = NexiosApp()
    revealing.register(StaticFiles(directory=public, allow_hidden=True), prefix="/static")
    with client(app) as c:
        assert c.get("/static/site.css").text == "body{}"
        for path in ("/static/.env", "/static/../static_private/x.txt", "/static/%2e%2e/static_private/x.txt"):
            assert c.get(path).status_code == 404, path
    with client(revealing) as c:
        assert c.get("/static/.env").text == "SECRET=1"


def test_m38_run_with_reload_is_refused_with_the_command_to_use() -> None:
    with pytest.raises(RuntimeError, match="run `nexios dev module:app`"):
        NexiosApp().run(reload=True)



def test_m39_json_bodies_are_utf8_unless_ascii_is_asked_for() -> None:
    app = NexiosApp()

    @app.get("/utf8")
    async def utf8(req: Any, res: Any) -> Any:
        return res.json({"café": "é"})

    @app.get("/ascii")
    async def ascii_only(req: Any, res: Any) -> Any:
        return res.json({"café": "é"}, ensure_ascii=True)

    with client(app) as c:
        utf8_body, ascii_body = c.get("/utf8"), c.get("/ascii")
    assert utf8_body.content == '{"café":"é"}'.encode() and utf8_body.json() == {"café": "é"}
    assert ascii_body.content == b'{"caf\\u00e9":"\\u00e9"}' and ascii_body.json() == {"café": "é"}

def test_m40_cache_sets_cache_control_only_and_files_revalidate_themselves(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("cached")
    app = NexiosApp()

    @app.get("/cached")
    async def cached(req: Any, res: Any) -> Any:
        return res.cache().json({"a": 1})  # upstream's defaults: an hour, private

    @app.get("/public")
    async def public(req: Any, res: Any) -> Any:
        return res.cache(max_age=60, private=False).json({"a": 1})

    @app.get("/file")
    async def file(req: Any, res: Any) -> Any:
        return res.cache().file(page)

    with client(app) as c:
        answer = c.get("/cached")
        assert answer.headers["cache-control"] == "private, max-age=3600"
        assert "etag" not in answer.headers and "expires" not in answer.headers
        assert c.get("/public").headers["cache-control"] == "public, max-age=60"
        served = c.get("/file")
        assert served.headers["cache-control"] == "private, max-age=3600" and served.headers["etag"]
        again = c.get("/file", headers={"if-none-match": served.headers["etag"]})
        assert (again.status_code, again.content) == (304, b"")


@pytest.mark.anyio
async def test_m41_events_with_async_listeners_are_emitted_from_async_code() -> None:
    app = NexiosApp()
    heard: list[str] = []

    @app.events.on("user.created")
    async def welcome(user: dict[str, str]) -> None:
        heard.append(user["name"])

    def emit_at_module_level() -> None:  # upstream's guide: app.events.emit(...) with no loop running
        app.events.emit("user.created", {"name": "Bob"})

    errors: list[BaseException] = []  # a thread without an event loop, like an import-time call
    thread = threading.Thread(target=lambda: _capture(emit_at_module_level, errors))
    thread.start()
    thread.join()
    (error,) = errors
    assert isinstance(error, RuntimeError)
    assert str(error) == ("Listeners of 'user.created' are async: emit it from async code "
                          "(await emitter.emit(...))")
    assert heard == []
    result = await app.events.emit("user.created", {"name": "Bob"})  # the fix
    assert heard == ["Bob"] and result["listeners_executed"] == 1


def test_m42_a_missing_template_directory_is_refused_not_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nexios.templating
    from nexios.templating import TemplateConfig, TemplateEngine

    # setup_environment makes its engine upstream's global one: put the previous one back after
    monkeypatch.setattr(nexios.templating, "_last_engine", nexios.templating._last_engine)
    missing = tmp_path / "templates"
    with pytest.raises(ImproperlyConfigured) as refused:
        TemplateEngine().setup_environment(TemplateConfig(template_dir=str(missing)))
    assert str(refused.value).startswith(f"Template directory {missing} does not exist")
    assert "pass directory=Path(__file__).parent / 'templates'" in str(refused.value)
    assert not missing.exists()
    missing.mkdir()  # the fix
    (missing / "hi.html").write_text("<p>{{ name }}</p>")
    engine = TemplateEngine()
    engine.setup_environment(TemplateConfig(template_dir=str(missing)))
    assert anyio.run(engine.render, "hi.html", {"name": "<ada>"}) == "<p>&lt;ada&gt;</p>"


def test_m43_a_view_overriding_dispatch_is_refused_and_middleware_does_its_work() -> None:
    from nexios.views import APIHandler

    class UserView(APIHandler):
        async def dispatch(self, req: Any, res: Any, **kwargs: Any) -> Any:  # upstream's hook
            res.set_header("x-seen", "yes")
            return await super().dispatch(req, res, **kwargs)  # type: ignore[misc]

        async def get(self, req: Any, res: Any) -> Any:
            return {"user": 1}

    with pytest.raises(ImproperlyConfigured, match=r"\.UserView\.dispatch would never be called: Nexios "
                       r"routes each verb straight to its method"):
        UserView.as_route("/user")

    class Refusing(APIHandler):
        async def method_not_allowed(self, req: Any, res: Any, **kwargs: Any) -> Any:
            return res.status(405).json({"error": "Method Not Allowed"})

        async def get(self, req: Any, res: Any) -> Any:
            return {}

    with pytest.raises(ImproperlyConfigured, match="Refusing.method_not_allowed would never be called"):
        Refusing.as_route("/r")

    async def seen(req: Any, res: Any, call_next: Any) -> Any:  # the fix: the view's middleware
        await call_next()
        res.set_header("x-seen", "yes")

    class FixedView(APIHandler):
        middleware = [seen]

        async def get(self, req: Any, res: Any) -> Any:
            return {"user": 1}

    app = NexiosApp()
    app.add_route(FixedView.as_route("/user"))
    with client(app) as c:
        answer = c.get("/user")
        assert (answer.json(), answer.headers["x-seen"]) == ({"user": 1}, "yes")
        assert c.delete("/user").status_code == 405 and "GET" in c.delete("/user").headers["allow"]


def _capture(call: Any, errors: list[BaseException]) -> None:
    try:
        call()
    except BaseException as exc:  # noqa: BLE001 - handed to the test to inspect
        errors.append(exc)


def test_routers_built_the_upstream_way_are_ours() -> None:
    # Not a difference: upstream's positional order and list-first WSRouter both work.
    router = Router("/v1", None, ["tag"], True, "v1")
    assert (router.prefix, router.tags, router.exclude_from_schema, router.name) == ("/v1", ["tag"], True, "v1")
