"""The rest of upstream Nexios's documented surface (shared/API.md, "Upstream surface"), each
with the behaviour upstream documents: application options, ``Request`` and ``Response``
additions, routing, ``BaseMiddleware``, and the ``nexios.structs``/``status``/``testing``/
``logging``/``decorators``/``utils.concurrency`` modules."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

from nexios import Group, NexiosApp, Router
from nexios.http.response import JSONResponse
from nexios.middleware import BaseMiddleware
from nexios.testclient import TestClient
from nexios_core import ImproperlyConfigured

pytestmark = pytest.mark.anyio


# ---------------------------------------------------------------- application
def test_server_error_handler_answers_unhandled_errors_only() -> None:
    async def on_error(req: Any, res: Any, exc: Exception) -> Any:
        return res.json({"handled": type(exc).__name__}, status_code=500)

    app = NexiosApp(server_error_handler=on_error)

    @app.get("/boom")
    async def boom(req: Any, res: Any) -> Any:
        raise KeyError("x")

    with TestClient(app) as client:
        assert client.get("/boom").json() == {"handled": "KeyError"}
        assert client.get("/missing").json() == {"detail": "Not Found"}


def test_add_exception_handler_as_a_decorator_with_a_status_code() -> None:
    app = NexiosApp()

    @app.add_exception_handler(404)
    async def not_found(req: Any, res: Any, exc: Any) -> Any:
        return res.json({"nothing at": req.path}, status_code=404)

    @app.add_exception_handler(ValueError)
    async def bad_value(req: Any, res: Any, exc: ValueError) -> Any:
        return res.json({"bad": str(exc)}, status_code=400)

    @app.get("/value")
    async def value(req: Any, res: Any) -> Any:
        raise ValueError("no")

    assert not_found.__name__ == "not_found"  # the decorator returns the function
    with TestClient(app) as client:
        assert client.get("/nope").json() == {"nothing at": "/nope"}
        assert client.get("/value").json() == {"bad": "no"}


def test_add_ws_middleware_wraps_websockets_only_and_get_all_routes() -> None:
    seen: list[str] = []

    def tag_websockets(asgi: Any) -> Any:
        async def wrapped(scope: Any, receive: Any, send: Any) -> None:
            seen.append(scope["type"])
            await asgi(scope, receive, send)

        return wrapped

    app = NexiosApp(openapi=False)
    app.add_ws_middleware(tag_websockets)

    @app.get("/page")
    async def page(req: Any, res: Any) -> Any:
        return "page"

    @app.websocket("/ws")
    async def ws(websocket: Any) -> None:
        await websocket.accept()
        await websocket.send_text("hello")
        await websocket.close()

    with TestClient(app) as client:
        assert client.get("/page").text == "page"
        with client.websocket_connect("/ws") as socket:
            assert socket.receive_text() == "hello"
    assert seen == ["websocket"]
    assert sorted(route.path for route in app.get_all_routes()) == ["/page", "/ws"]


def test_run_serves_with_uvicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append((app, options)))
    app = NexiosApp()
    app.run(port=8123)
    assert calls == [(app, {"host": "127.0.0.1", "port": 8123})]


# ---------------------------------------------------------------- Request
def test_request_additions() -> None:
    inner = NexiosApp()
    outer = NexiosApp()

    @outer.get("/target/{n:int}", name="target")
    async def target(req: Any, res: Any, n: int) -> Any:
        return n

    @inner.post("/info")
    async def info(req: Any, res: Any) -> Any:
        req.custom = "kept"  # upstream middleware sets attributes on the request
        form = await req.form_data
        return {
            "user_agent": req.user_agent, "content_length": req.content_length, "secure": req.is_secure,
            "valid": req.valid(), "header": req.get_header("x-a"), "default": req.get_header("x-b", "d"),
            "url_for": req.url_for("target", n=3), "base_app_is_outer": req.base_app is outer,
            "app_is_inner": req.app is inner, "origin": req.origin, "referrer": req.referrer,
            "absolute": req.build_absolute_uri("/x", {"q": "1 2", "t": ["a", "b"]}),
            "form": dict(form), "custom": req.custom,
        }

    outer.register(inner, prefix="/inner")
    with TestClient(outer, base_url="https://api.example") as client:
        got = client.post("/inner/info", data={"a": "1"}, headers={"user-agent": "ua/1", "x-a": "A"}).json()
        with_origin = client.post("/inner/info", headers={"origin": "https://other.example", "referer": "https://r/"}).json()
    assert got == {
        "user_agent": "ua/1", "content_length": 3, "secure": True, "valid": True, "header": "A", "default": "d",
        "url_for": "/target/3", "base_app_is_outer": True, "app_is_inner": True,
        "origin": "https://api.example", "referrer": "", "absolute": "https://api.example/x?q=1+2&t=a&t=b",
        "form": {"a": "1"}, "custom": "kept",
    }
    assert (with_origin["origin"], with_origin["referrer"]) == ("https://other.example", "https://r/")


# ---------------------------------------------------------------- Response
def test_response_additions() -> None:
    app = NexiosApp()

    @app.get("/headers")
    async def headers(req: Any, res: Any) -> Any:
        res.set_header("x-old", "1")
        res.set_headers({"x-a": "1", "x-b": "2"})
        res.set_header("x-multi", "1").set_header("x-multi", "2", overide=False)
        res.set_cookies([{"key": "a", "value": "1"}, {"key": "b", "value": "2", "httponly": True}])
        res.set_permanent_cookie("remember", "yes")
        return res.add_csp_header("default-src 'self'").no_cache().json({"é": [1]}, indent=2, ensure_ascii=True)

    @app.get("/replaced")
    async def replaced(req: Any, res: Any) -> Any:
        res.set_header("x-old", "1")
        return res.set_headers({"x-new": "1"}, overide_all=True).send("plain text")

    @app.get("/made")
    async def made(req: Any, res: Any) -> Any:
        res.set_header("x-from-builder", "1")
        return res.make_response(JSONResponse({"made": True}, status_code=201))

    with TestClient(app) as client:
        answer = client.get("/headers")
        replaced_answer = client.get("/replaced")
        made_answer = client.get("/made")
    assert answer.text == '{\n  "\\u00e9": [\n    1\n  ]\n}'
    assert (answer.headers["x-a"], answer.headers["x-old"]) == ("1", "1")
    assert answer.headers.get_list("x-multi") == ["1", "2"]
    assert answer.headers["content-security-policy"] == "default-src 'self'"
    assert answer.headers["cache-control"] == "no-cache, no-store, must-revalidate"
    assert answer.headers["pragma"] == "no-cache"
    a, b, remember = answer.headers.get_list("set-cookie")
    assert a.startswith("a=1;") and "HttpOnly" in b and "Max-Age=315360000" in remember
    assert "x-old" not in replaced_answer.headers and replaced_answer.headers["content-type"].startswith("text/plain")
    assert replaced_answer.text == "plain text"
    assert (made_answer.status_code, made_answer.json()) == (201, {"made": True})
    assert made_answer.headers["x-from-builder"] == "1"



def test_response_at_nexios_http_response_is_the_response_class() -> None:
    # Upstream: ``from nexios.http.response import Response`` is BaseResponse, a class a handler
    # returns; the per-request builder is nexios.http.Response (NexiosResponse).
    from nexios.http import Response as Builder
    from nexios.http.response import BaseResponse, NexiosResponse, Response

    assert Response is BaseResponse and NexiosResponse is Builder
    app = NexiosApp()

    @app.get("/plain")
    async def plain(req: Any, res: Response) -> Any:  # upstream guides annotate with it too
        return Response(content="accepted", status_code=202, media_type="text/plain")

    with TestClient(app) as client:
        answer = client.get("/plain")
    assert (answer.status_code, answer.text) == (202, "accepted")
    assert answer.headers["content-type"].startswith("text/plain")


# ---------------------------------------------------------------- routing
def test_add_route_by_keyword_group_upstream_order_and_route_helpers() -> None:
    async def item(req: Any, res: Any) -> Any:
        return {"id": req.path_params.id}

    async def legacy(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"legacy"})

    app = NexiosApp()
    app.add_route(path="/items/{id:int}", handler=item, methods="GET", name="item")
    app.add_route(Group("/old", legacy))  # upstream: Group(path, app)
    router = Router()
    router.add_route(path="/p", handler=item)
    with pytest.raises(TypeError, match="needs a route object, or a path and a handler"):
        router.add_route(path="/p")
    route = next(route for route in app.get_all_routes() if route.name == "item")
    assert route.raw_path == "/items/{id:int}" and route.url_path_for("item", id=5) == "/items/5"
    with pytest.raises(KeyError):
        route.url_path_for("other")
    with TestClient(app) as client:
        assert client.get("/items/5").json() == {"id": 5}
        assert client.get("/old/anything").text == "legacy"


def test_responses_given_as_a_model_or_a_list_of_models_document_the_200_answer() -> None:
    from pydantic import BaseModel

    from nexios.routing import Routes

    class Item(BaseModel):
        name: str

    app = NexiosApp()

    @app.get("/items", responses=list[Item])
    async def items(req: Any, res: Any) -> Any:
        return [{"name": "a"}]

    @app.get("/item", responses=Item, summary="One item")
    async def item(req: Any, res: Any) -> Any:
        return {"unchecked": True}  # documenting is not validating (response_model= validates)

    async def listed(req: Any, res: Any) -> Any:
        return {"name": "b"}

    app.add_route(Routes("/listed", listed, responses=Item))
    with TestClient(app) as client:
        assert client.get("/item").json() == {"unchecked": True}
        paths = client.get("/openapi.json").json()["paths"]
    item_ref = {"$ref": "#/components/schemas/Item"}
    assert paths["/items"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "array", "items": item_ref}
    for path in ("/item", "/listed"):
        assert paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"] == item_ref


def test_dotted_url_for_reaches_into_named_mounts() -> None:
    shop = NexiosApp()

    @shop.get("/products/{slug:slug}", name="product")
    async def product(req: Any, res: Any) -> Any: ...

    app = NexiosApp()
    app.register(shop, prefix="/shop", name="shop")
    assert app.url_for("shop.product", slug="blue-mug") == "/shop/products/blue-mug"
    with pytest.raises(KeyError):
        app.url_for("shop.missing")


# ---------------------------------------------------------------- middleware
def test_base_middleware_keeps_options_and_runs_the_chain_once() -> None:
    calls: list[str] = []

    class Tagging(BaseMiddleware):
        async def process_request(self, req: Any, res: Any, cnext: Any) -> Any:
            await cnext(req, res)
            await cnext(req, res)  # a second call gives the same response, without rerunning

        async def process_response(self, req: Any, res: Any) -> Any:
            res.set_header("x-tag", self.options["tag"])
            return res

    app = NexiosApp()
    app.add_middleware(Tagging(tag="blue"))

    @app.get("/")
    async def home(req: Any, res: Any) -> Any:
        calls.append("handler")
        return "home"

    with TestClient(app) as client:
        assert client.get("/").headers["x-tag"] == "blue"
    assert calls == ["handler"]


# ---------------------------------------------------------------- modules
def test_structs() -> None:
    from nexios.structs import URL, MultiDict, Secret, State, URLPath

    secret = Secret("hunter2")
    assert str(secret) == "hunter2" and "hunter2" not in repr(secret) and bool(secret)
    path = URLPath("/ws/chat", protocol="websocket")
    assert str(path.make_absolute_url("https://example.com/app")) == "wss://example.com/app/ws/chat"
    assert str(URLPath("/a").make_absolute_url(URL("http://h:8000"))) == "http://h:8000/a"
    with pytest.raises(ValueError):
        URLPath("/a", protocol="ftp")
    values = MultiDict([("a", 1), ("a", 2)], b=3)
    assert (values["a"], values.getlist("a"), len(values), dict(values)) == (2, [1, 2], 2, {"a": 2, "b": 3})
    values.append("b", 4)
    values["a"] = 9
    assert values.multi_items() == [("b", 3), ("b", 4), ("a", 9)]
    assert values.poplist("b") == [3, 4] and "b" not in values
    assert State({"x": 1}).missing is None


def test_status_constants() -> None:
    from nexios import status

    assert (status.HTTP_200_OK, status.HTTP_404_NOT_FOUND, status.HTTP_418_IM_A_TEAPOT) == (200, 404, 418)
    assert status.HTTP_422_UNPROCESSABLE_ENTITY == status.HTTP_422_UNPROCESSABLE_CONTENT == 422
    assert status.WS_1008_POLICY_VIOLATION == 1008 and len(status.__all__) > 80


async def test_testing_client_does_not_run_the_lifespan() -> None:
    from nexios.testing import Client

    started: list[bool] = []
    app = NexiosApp()
    app.on_startup(lambda: started.append(True))

    @app.get("/")
    async def home(req: Any, res: Any) -> Any:
        return {"started": bool(started)}

    async with Client(app) as client:
        assert (await client.get("/")).json() == {"started": False}
    assert started == []


def test_create_logger_adds_its_handlers_once(tmp_path: Path) -> None:
    from nexios.logging import DEBUG, create_logger

    log_file = tmp_path / "app.log"
    logger = create_logger("nexios.compat-test", log_level=DEBUG, log_file=str(log_file))
    again = create_logger("nexios.compat-test", log_level=DEBUG, log_file=str(log_file))
    assert logger is again and len(logger.handlers) == 2 and logger.level == logging.DEBUG
    logger.debug("written")
    for handler in logger.handlers:
        handler.flush()
    assert "written" in log_file.read_text()
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()


def test_decorators() -> None:
    from nexios.decorators import allowed_methods, catch_exception

    app = NexiosApp()

    @app.route("/items", methods=["GET", "POST", "PUT"])
    @allowed_methods(["GET", "POST"])
    async def items(req: Any, res: Any) -> Any:
        return {"method": req.method}

    @allowed_methods(["GET"])
    @app.route("/above", methods=["GET", "DELETE"])
    async def above(req: Any, res: Any) -> Any:
        return {"method": req.method}

    async def on_lookup(req: Any, res: Any, exc: Exception) -> Any:
        return res.json({"missing": str(exc)}, status_code=404)

    @app.get("/things/{name}")
    @catch_exception(KeyError, on_lookup)
    async def things(req: Any, res: Any, name: str) -> Any:
        return {"thing": {"a": 1}[name]}

    with TestClient(app) as client:
        assert client.post("/items").json() == {"method": "POST"}
        refused = client.put("/items")
        assert (refused.status_code, refused.headers["allow"]) == (405, "GET, POST")
        assert client.delete("/above").status_code == 405
        assert client.get("/things/a").json() == {"thing": 1}
        assert client.get("/things/b").json() == {"missing": "'b'"}
    with pytest.raises(ImproperlyConfigured):
        catch_exception("not an exception", on_lookup)  # type: ignore[arg-type]


async def test_concurrency_helpers() -> None:
    from nexios.utils.concurrency import AsyncLazy, TaskGroup, create_background_task, run_until_first_complete

    finished: list[str] = []

    async def forever(name: str) -> None:
        try:
            await anyio.sleep(60)
        finally:
            finished.append(name)

    async with TaskGroup() as group:
        group.create_task(forever("a"))
        group.create_task(forever("b"))
        await anyio.sleep(0.01)
    assert sorted(finished) == ["a", "b"]  # cancelled on leaving the block

    async with create_background_task(forever("background")) as task:
        await anyio.sleep(0.01)
        assert isinstance(task, asyncio.Task) and not task.done()
    assert finished[-1] == "background" and task.cancelled()

    computed: list[int] = []

    async def expensive() -> int:
        computed.append(1)
        await anyio.sleep(0.01)
        return 42

    lazy = AsyncLazy(expensive)
    results: list[int] = []
    async with anyio.create_task_group() as tasks:
        for _ in range(5):
            tasks.start_soon(lambda: _collect(lazy, results))
    assert results == [42] * 5 and computed == [1]
    lazy.reset()
    assert await lazy.get() == 42 and computed == [1, 1]

    async def fast() -> str:
        return "fast"

    async def slow(delay: float) -> str:
        await anyio.sleep(delay)
        return "slow"

    assert await run_until_first_complete(fast, (slow, {"delay": 5})) == "fast"


async def test_task_group_hands_out_tasks_as_upstreams_guide_awaits_them() -> None:
    from nexios.utils.concurrency import TaskGroup, create_background_task

    async with TaskGroup() as group:  # the concurrency guide's dashboard example
        first = group.create_task(asyncio.sleep(0.01, result=1))
        second = group.create_task(asyncio.sleep(0.02, result=2), name="second")
        assert [await first, await second] == [1, 2] and second.get_name() == "second"
        left_running = group.create_task(asyncio.sleep(60))
    assert left_running.cancelled()

    async def fail() -> None:
        raise ValueError("task failed")

    with pytest.raises(ValueError, match="task failed"):  # a failing task is not swallowed
        async with TaskGroup() as group:
            sibling = group.create_task(asyncio.sleep(60))
            group.create_task(fail())
            await asyncio.sleep(0.01)
    assert sibling.cancelled()

    loose = TaskGroup()  # without `async with`: cancel_all() stops what is left
    pending = loose.create_task(asyncio.sleep(60))
    await loose.cancel_all()
    assert pending.cancelled()

    assert await create_background_task(asyncio.sleep(0.01, result="done")) == "done"


async def _collect(lazy: Any, results: list[int]) -> None:
    results.append(await lazy.get())


def test_nexios_auth_imports_without_pyjwt() -> None:
    # PyJWT is an extra: only nexios.auth.backends.jwt needs it, even with the compat layer.
    code = ("import sys; sys.modules['jwt'] = None; import nexios.auth, nexios.auth.backends; "
            "print(nexios.auth.SimpleUser('ada', permissions=['x']).has_permission('x'))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout.strip()) == (0, "True"), result.stderr


def test_a_custom_backend_imported_from_upstream_3s_module_paths() -> None:
    # Upstream Nexios 3 moved the backend interface to nexios.auth.backends.base and the users to
    # nexios.auth.users.{base,simple}; an app importing from there runs unchanged.
    from nexios.auth import AuthenticationMiddleware
    from nexios.auth.backends.base import AuthenticationBackend
    from nexios.auth.base import AuthenticationBackend as documented_backend
    from nexios.auth.decorator import auth
    from nexios.auth.users.base import BaseUser
    from nexios.auth.users.simple import SimpleUser, UnauthenticatedUser

    assert AuthenticationBackend is documented_backend
    assert issubclass(SimpleUser, BaseUser) and isinstance(UnauthenticatedUser(), BaseUser)

    class AccountUser(BaseUser):  # a user class written upstream's way stays a plain subclass
        def __init__(self, id: int) -> None:  # noqa: A002 - upstream's attribute name
            self.id = id

    assert isinstance(AccountUser(3), BaseUser) and AccountUser(3).identity == 3
    assert not issubclass(SimpleUser, AccountUser)

    class HeaderBackend(AuthenticationBackend):
        async def authenticate(self, request: Any, response: Any) -> Any:
            name = request.headers.get("x-user")
            return (SimpleUser(username=name, permissions=[]), "header") if name else None

    app = NexiosApp()
    app.add_middleware(AuthenticationMiddleware(backend=HeaderBackend()))

    @app.get("/me")
    @auth(["header"])
    async def me(req: Any, res: Any) -> Any:
        return {"user": req.user.username, "anonymous": isinstance(req.user, UnauthenticatedUser)}

    with TestClient(app) as client:
        assert client.get("/me", headers={"x-user": "ada"}).json() == {"user": "ada", "anonymous": False}
        assert client.get("/me").status_code == 401


def test_isinstance_checks_against_either_base_user_never_recurse() -> None:
    # nexios.auth.BaseUser answers for nexios_auth's user classes; asking nexios_auth.BaseUser
    # about an unrelated object asks each of its subclasses in turn, that one included, which
    # recursed without end when its hook called issubclass() back.
    import nexios.auth
    import nexios_auth

    class NotAUser:
        pass

    assert not isinstance(NotAUser(), nexios_auth.BaseUser)
    assert not isinstance(NotAUser(), nexios.auth.BaseUser)
    assert isinstance(nexios_auth.SimpleUser("ada"), nexios.auth.BaseUser)
    assert isinstance(nexios_auth.UnauthenticatedUser(), nexios.auth.BaseUser)
