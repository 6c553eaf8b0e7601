"""The middleware chain: function, class (BaseMiddleware) and raw ASGI middleware."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.middleware import Middleware as StarletteMiddleware
from starlette.middleware.cors import CORSMiddleware as StarletteCORS

from nexios import get_application
from nexios_core.app import App
from nexios_core.dispatch import HandlerDispatcher
from nexios_core.exceptions import ImproperlyConfigured, Unauthorized
from nexios_core.middleware.asgi import Middleware
from nexios_core.middleware.base import BaseMiddleware
from nexios_core.request import Request
from nexios_core.responses import BaseResponse, JSONResponse, PlainTextResponse, Response
from nexios_core.types import ASGIApp, Receive, Scope, Send

pytestmark = pytest.mark.anyio


def client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def app_with_log() -> tuple[Any, list[str]]:
    log: list[str] = []
    app = get_application()

    @app.get("/")
    async def handler(request: Request, response: Response) -> Any:
        log.append("handler")
        return {"handled": True}

    return app, log


async def test_function_middleware_runs_in_order_around_the_handler() -> None:
    app, log = app_with_log()

    @app.middleware
    async def outer(request: Request, response: Response, call_next: Any) -> Any:
        log.append("outer-in")
        result = await call_next()
        log.append("outer-out")
        return result

    async def inner(request: Request, response: Response, call_next: Any) -> Any:
        log.append("inner-in")
        result = await call_next()
        log.append("inner-out")
        return result

    app.add_middleware(inner)
    async with client(app) as c:
        r = await c.get("/")
    assert r.json() == {"handled": True}
    assert log == ["outer-in", "inner-in", "handler", "inner-out", "outer-out"]


@pytest.mark.parametrize("style", ["builder", "builder-bare-return", "dict", "response", "str"])
async def test_short_circuit_without_calling_next(style: str) -> None:
    app, log = app_with_log()

    @app.middleware
    async def gate(request: Request, response: Response, call_next: Any) -> Any:
        if style == "builder":
            return response.json({"blocked": True}, status_code=401)
        if style == "builder-bare-return":
            response.json({"blocked": True}, status_code=401)
            return None
        if style == "dict":
            response.status(401)
            return {"blocked": True}
        if style == "response":
            return JSONResponse({"blocked": True}, status_code=401)
        return "blocked"

    async with client(app) as c:
        r = await c.get("/")
    assert log == []  # the handler never ran
    if style == "str":
        assert (r.status_code, r.text) == (200, "blocked")
    else:
        assert (r.status_code, r.json()) == (401, {"blocked": True})


async def test_middleware_can_modify_the_response_from_next() -> None:
    app, _ = app_with_log()

    @app.middleware
    async def decorate(request: Request, response: Response, call_next: Any) -> Any:
        result = await call_next()
        result.headers["x-decorated"] = "yes"
        result.status_code = 203
        return result

    async with client(app) as c:
        r = await c.get("/")
    assert (r.status_code, r.headers["x-decorated"], r.json()) == (203, "yes", {"handled": True})


async def test_middleware_can_replace_the_response_from_next() -> None:
    app, log = app_with_log()

    @app.middleware
    async def replace(request: Request, response: Response, call_next: Any) -> Any:
        await call_next()
        return PlainTextResponse("replaced", status_code=202)

    async with client(app) as c:
        r = await c.get("/")
    assert (r.status_code, r.text) == (202, "replaced")
    assert log == ["handler"]


async def test_await_next_without_using_the_result() -> None:
    app, log = app_with_log()

    @app.middleware
    async def timing(request: Request, response: Response, call_next: Any) -> None:
        response.set_header("x-before", "1")
        await call_next()  # result ignored: what the handler produced is still sent
        log.append("after")

    async with client(app) as c:
        r = await c.get("/")
    assert r.json() == {"handled": True}
    assert r.headers["x-before"] == "1"
    assert log == ["handler", "after"]


async def test_middleware_sees_404_and_http_errors_as_responses() -> None:
    app = get_application()

    @app.get("/deny")
    async def deny(request: Request, response: Response) -> Any:
        raise Unauthorized(detail="nope", headers={"www-authenticate": "Bearer"})

    @app.middleware
    async def stamp(request: Request, response: Response, call_next: Any) -> Any:
        result = await call_next()
        result.headers["x-seen"] = str(result.status_code)
        return result

    async with client(app) as c:
        missing = await c.get("/missing")
        denied = await c.get("/deny")
    assert (missing.status_code, missing.headers["x-seen"]) == (404, "404")
    assert (denied.status_code, denied.headers["x-seen"]) == (401, "401")
    assert denied.headers["www-authenticate"] == "Bearer"
    assert denied.json() == {"detail": "nope"}


async def test_http_exception_raised_by_middleware_is_answered() -> None:
    app, log = app_with_log()

    @app.middleware
    async def guard(request: Request, response: Response, call_next: Any) -> Any:
        raise Unauthorized(detail="token required")

    async with client(app) as c:
        r = await c.get("/")
    assert (r.status_code, r.json()) == (401, {"detail": "token required"})
    assert log == []


# --- class-style middleware -------------------------------------------------------------------


class Recorder(BaseMiddleware):
    def __init__(self, log: list[str], block: bool = False) -> None:
        self.log = log
        self.block = block

    async def process_request(self, request: Request, response: Response, call_next: Any) -> Any:
        self.log.append("process_request")
        request.state.marker = "set-by-middleware"
        if self.block:
            return response.json({"blocked": "early"}, status_code=403)
        return None

    async def process_response(self, request: Request, response: BaseResponse) -> Any:
        self.log.append("process_response")
        response.headers["x-processed"] = "1"
        return None


async def test_base_middleware_hooks() -> None:
    log: list[str] = []
    app = get_application()

    @app.get("/")
    async def handler(request: Request, response: Response) -> Any:
        log.append("handler")
        return {"marker": request.state.marker}

    app.add_middleware(Recorder(log))
    async with client(app) as c:
        r = await c.get("/")
    assert r.json() == {"marker": "set-by-middleware"}
    assert r.headers["x-processed"] == "1"
    assert log == ["process_request", "handler", "process_response"]


async def test_base_middleware_short_circuits_from_process_request() -> None:
    log: list[str] = []
    app = get_application()

    @app.get("/")
    async def handler(request: Request, response: Response) -> Any:
        log.append("handler")
        return {}

    app.add_middleware(Recorder(log, block=True))
    async with client(app) as c:
        r = await c.get("/")
    assert (r.status_code, r.json()) == (403, {"blocked": "early"})
    assert log == ["process_request"]


async def test_base_middleware_process_response_can_replace() -> None:
    class Replacer(BaseMiddleware):
        async def process_response(self, request: Request, response: BaseResponse) -> Any:
            return {"replaced": response.status_code}

    app, _ = app_with_log()
    app.add_middleware(Replacer)  # a subclass is instantiated for you
    async with client(app) as c:
        r = await c.get("/")
    assert r.json() == {"replaced": 200}


# --- raw ASGI middleware ----------------------------------------------------------------------


class HeaderASGI:
    """A raw ASGI middleware that adds a header to every response start."""

    def __init__(self, app: ASGIApp, name: str = "x-asgi", value: str = "1") -> None:
        self.app = app
        self.name = name.encode()
        self.value = value.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def wrapped(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + [(self.name, self.value)]
            await send(message)

        await self.app(scope, receive, wrapped)


async def test_raw_asgi_middleware_forms() -> None:
    app, _ = app_with_log()
    app.add_middleware(HeaderASGI, name="x-class-form", value="a")
    app.add_middleware(Middleware(HeaderASGI, name="x-spec-form", value="b"))
    app.add_middleware(StarletteMiddleware(HeaderASGI, name="x-starlette-spec", value="c"))
    async with client(app) as c:
        r = await c.get("/")
    assert r.json() == {"handled": True}
    assert (r.headers["x-class-form"], r.headers["x-spec-form"], r.headers["x-starlette-spec"]) == (
        "a", "b", "c",
    )


async def test_raw_asgi_middleware_wraps_function_middleware() -> None:
    order: list[str] = []

    class Outer:
        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                order.append("asgi")
            await self.app(scope, receive, send)

    app, log = app_with_log()

    @app.middleware
    async def fn(request: Request, response: Response, call_next: Any) -> Any:
        order.append("function")
        return await call_next()

    app.add_middleware(Outer)
    async with client(app) as c:
        await c.get("/")
    assert order == ["asgi", "function"]


@pytest.mark.parametrize("form", ["starlette-spec", "class-and-options"])
async def test_starlette_cors_middleware_works(form: str) -> None:
    app, _ = app_with_log()
    options: dict[str, Any] = {"allow_origins": ["https://ok.example"], "allow_methods": ["GET", "POST"]}
    if form == "starlette-spec":
        app.add_middleware(StarletteMiddleware(StarletteCORS, **options))
    else:
        app.add_middleware(StarletteCORS, **options)
    async with client(app) as c:
        simple = await c.get("/", headers={"Origin": "https://ok.example"})
        other = await c.get("/", headers={"Origin": "https://evil.example"})
        preflight = await c.options("/", headers={
            "Origin": "https://ok.example", "Access-Control-Request-Method": "POST",
        })
    assert simple.json() == {"handled": True}
    assert simple.headers["access-control-allow-origin"] == "https://ok.example"
    assert "access-control-allow-origin" not in other.headers
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


async def test_core_app_with_handler_dispatcher_and_middleware_list() -> None:
    async def handler(request: Request, response: Response) -> Any:
        return {"path": request.path}

    async def mw(request: Request, response: Response, call_next: Any) -> Any:
        result = await call_next()
        result.headers["x-mw"] = "1"
        return result

    app = App(dispatcher=HandlerDispatcher(http=handler), middlewares=[mw, Middleware(HeaderASGI)])
    async with client(app) as c:
        r = await c.get("/anything")
    assert r.json() == {"path": "/anything"}
    assert (r.headers["x-mw"], r.headers["x-asgi"]) == ("1", "1")


async def test_middleware_added_after_first_request_is_used() -> None:
    app, _ = app_with_log()
    async with client(app) as c:
        first = await c.get("/")

        @app.middleware
        async def late(request: Request, response: Response, call_next: Any) -> Any:
            result = await call_next()
            result.headers["x-late"] = "1"
            return result

        second = await c.get("/")
    assert "x-late" not in first.headers
    assert second.headers["x-late"] == "1"


def test_bad_middleware_registrations() -> None:
    app = App()
    with pytest.raises(ImproperlyConfigured):
        app.add_middleware(42)

    async def fn(request: Request, response: Response, call_next: Any) -> Any:
        return await call_next()

    with pytest.raises(TypeError):
        app.add_middleware(fn, option=1)
    with pytest.raises(TypeError):
        HandlerDispatcher(http=lambda request, response: None)  # type: ignore[arg-type,return-value]


async def test_none_from_a_middleware_passes_on_a_replacement_made_below_it() -> None:
    # Route-level layers over a handler that returns its own response object, and app-level
    # layers above them: every layer returning None must pass that object on, untouched.
    app = get_application()
    seen: list[Any] = []

    async def quiet(request: Request, response: Response, call_next: Any) -> None:
        seen.append(type(await call_next()).__name__)

    async def replacing(request: Request, response: Response, call_next: Any) -> Any:
        await call_next()
        return PlainTextResponse("replaced", status_code=202)

    @app.get("/own", middleware=[quiet, quiet])
    async def own(request: Request, response: Response) -> Any:
        return JSONResponse({"own": True}, status_code=201)

    @app.get("/builder", middleware=[quiet, replacing, quiet])
    async def builder(request: Request, response: Response) -> Any:
        return response.json({"builder": True})

    app.add_middleware(quiet)

    async with client(app) as c:
        own_reply = await c.get("/own")
        builder_reply = await c.get("/builder")
    assert (own_reply.status_code, own_reply.json()) == (201, {"own": True})
    assert (builder_reply.status_code, builder_reply.text) == (202, "replaced")
    # Inner layers see the handler's object; above `replacing`, its replacement.
    assert seen == ["JSONResponse", "JSONResponse", "JSONResponse",
                    "Response", "PlainTextResponse", "PlainTextResponse"]


async def test_a_builder_returned_above_a_replacement_wins() -> None:
    app = get_application()

    async def replacing(request: Request, response: Response, call_next: Any) -> Any:
        await call_next()
        return PlainTextResponse("replaced")

    async def back_to_builder(request: Request, response: Response, call_next: Any) -> Any:
        await call_next()
        return response.text("builder again", status_code=203)

    async def quiet(request: Request, response: Response, call_next: Any) -> None:
        await call_next()

    @app.get("/", middleware=[quiet, back_to_builder, replacing])
    async def handler(request: Request, response: Response) -> Any:
        return "handler"

    async with client(app) as c:
        r = await c.get("/")
    assert (r.status_code, r.text) == (203, "builder again")


async def test_the_middleware_chain_leaves_no_reference_cycle_behind() -> None:
    # A cycle per request would be freed only by the garbage collector, in bursts, under load.
    import gc

    app = get_application()

    async def pass_through(request: Request, response: Response, call_next: Any) -> Any:
        return await call_next()

    app.add_middleware(pass_through)

    @app.get("/", middleware=[pass_through, pass_through])
    async def handler(request: Request, response: Response) -> Any:
        return response.text("ok")

    async with client(app) as c:
        await c.get("/")  # build the app and warm up
        gc.collect()
        gc.disable()
        try:
            for _ in range(20):
                assert (await c.get("/")).text == "ok"
            before = len([o for o in gc.get_objects() if isinstance(o, Response)])
            for _ in range(20):
                await c.get("/")
            after = len([o for o in gc.get_objects() if isinstance(o, Response)])
        finally:
            gc.enable()
    assert after == before
