"""Exceptions become responses: HTTPException, registered handlers, and safe 500s."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from nexios import get_application
from nexios_core.app import App
from nexios_core.dispatch import HandlerDispatcher
from nexios_core.exceptions import HTTPException, NotFoundException, PayloadTooLarge
from nexios_core.request import Request
from nexios_core.responses import PlainTextResponse, Response

pytestmark = pytest.mark.anyio

SECRET = "db-password=hunter2"


class Boom(RuntimeError):
    pass


class TeapotError(Exception):
    pass


def client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                             base_url="http://testserver")


def failing_app(**options: Any) -> Any:
    app = get_application(**options)

    @app.get("/boom")
    async def boom(request: Request, response: Response) -> Any:
        raise Boom(SECRET)

    @app.get("/ok")
    async def ok(request: Request, response: Response) -> Any:
        return {"ok": True}

    return app


async def test_http_exception_detail_and_headers() -> None:
    app = get_application()

    @app.get("/e/{kind}")
    async def handler(request: Request, response: Response, kind: str) -> Any:
        if kind == "custom":
            raise HTTPException(409, detail={"field": "taken"}, headers={"x-reason": "dup"})
        if kind == "default-detail":
            raise HTTPException(429)
        raise NotFoundException(detail="no such thing")

    async with client(app) as c:
        custom = await c.get("/e/custom")
        default = await c.get("/e/default-detail")
        nf = await c.get("/e/other")
    assert (custom.status_code, custom.json(), custom.headers["x-reason"]) == (
        409, {"detail": {"field": "taken"}}, "dup",
    )
    assert (default.status_code, default.json()) == (429, {"detail": "Too Many Requests"})
    assert (nf.status_code, nf.json()) == (404, {"detail": "no such thing"})


async def test_handlers_by_class_and_by_status() -> None:
    app = get_application()

    @app.get("/teapot")
    async def teapot(request: Request, response: Response) -> Any:
        raise TeapotError("short and stout")

    @app.get("/big")
    async def big(request: Request, response: Response) -> Any:
        raise PayloadTooLarge()

    @app.exception_handler(TeapotError)
    async def on_teapot(request: Request, response: Response, exc: Exception) -> Any:
        return response.json({"teapot": str(exc)}, status_code=418)

    def on_413(request: Request, response: Response, exc: HTTPException) -> Any:  # sync handler
        response.status(exc.status_code)
        return {"too": "big", "path": request.path}

    app.add_exception_handler(413, on_413)
    async with client(app) as c:
        t = await c.get("/teapot")
        b = await c.get("/big")
    assert (t.status_code, t.json()) == (418, {"teapot": "short and stout"})
    assert (b.status_code, b.json()) == (413, {"too": "big", "path": "/big"})


async def test_status_handler_for_404_from_the_router() -> None:
    app = get_application()

    async def not_found(request: Request, response: Response, exc: Exception) -> Any:
        return PlainTextResponse(f"nothing at {request.path}", status_code=404)

    app.add_exception_handler(404, not_found)
    async with client(app) as c:
        r = await c.get("/nowhere")
    assert (r.status_code, r.text) == (404, "nothing at /nowhere")


async def test_handler_by_base_class_catches_subclasses() -> None:
    app = failing_app()

    @app.exception_handler(RuntimeError)
    async def on_runtime(request: Request, response: Response, exc: Exception) -> Any:
        return response.json({"kind": type(exc).__name__}, status_code=503)

    async with client(app) as c:
        r = await c.get("/boom")
    assert (r.status_code, r.json()) == (503, {"kind": "Boom"})


@pytest.mark.parametrize("accept", ["text/html", "application/json", "*/*", ""])
async def test_unhandled_error_is_a_fixed_500_in_production(
    accept: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = failing_app()
    caplog.set_level(logging.ERROR)
    async with client(app) as c:
        r = await c.get("/boom", headers={"Accept": accept} if accept else {})
        after = await c.get("/ok")
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert set(body) == {"detail", "request_id"}
    assert body["detail"] == "Internal Server Error"
    assert r.headers["x-request-id"] == body["request_id"]
    assert SECRET not in r.text and "Traceback" not in r.text and "Boom" not in r.text
    assert after.json() == {"ok": True}  # the app keeps serving


async def test_error_is_logged_once_with_the_request_id(caplog: pytest.LogCaptureFixture) -> None:
    app = failing_app()
    caplog.set_level(logging.DEBUG)
    async with client(app) as c:
        r = await c.get("/boom", headers={"x-request-id": "req-42.abc"})
    assert r.json()["request_id"] == "req-42.abc"
    errors = [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    assert len(errors) == 1
    record = errors[0]
    assert "req-42.abc" in record.getMessage()
    assert record.exc_info is not None and record.exc_info[0] is Boom


async def test_malformed_client_request_id_is_replaced(caplog: pytest.LogCaptureFixture) -> None:
    app = failing_app()
    caplog.set_level(logging.ERROR)
    async with client(app) as c:
        r = await c.get("/boom", headers={"x-request-id": "bad id <script>"})
    request_id = r.json()["request_id"]
    assert request_id != "bad id <script>"
    assert len(request_id) == 32 and request_id.isalnum()
    assert request_id in caplog.records[-1].getMessage()


async def test_debug_shows_traceback_as_html_or_json() -> None:
    app = failing_app(debug=True)
    async with client(app) as c:
        html_page = await c.get("/boom", headers={"Accept": "text/html"})
        as_json = await c.get("/boom", headers={"Accept": "application/json"})
    assert html_page.status_code == 500
    assert html_page.headers["content-type"].startswith("text/html")
    assert "Traceback" in html_page.text and SECRET in html_page.text and "Boom" in html_page.text
    assert as_json.status_code == 500
    body = as_json.json()
    assert body["error"] == f"Boom: {SECRET}"
    assert any("raise Boom" in line for line in body["traceback"])
    assert body["request_id"] == as_json.headers["x-request-id"]


async def test_debug_page_escapes_html() -> None:
    app = get_application(debug=True)

    @app.get("/xss")
    async def xss(request: Request, response: Response) -> Any:
        raise ValueError("<script>alert(1)</script>")

    async with client(app) as c:
        r = await c.get("/xss", headers={"Accept": "text/html"})
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;" in r.text


async def test_500_handler_is_used_and_a_broken_one_still_gives_500(
    caplog: pytest.LogCaptureFixture,
) -> None:
    good = failing_app()

    @good.exception_handler(500)
    async def on_500(request: Request, response: Response, exc: Exception) -> Any:
        return response.json({"custom": True}, status_code=500)

    broken = failing_app()

    @broken.exception_handler(Exception)
    async def on_exception(request: Request, response: Response, exc: Exception) -> Any:
        raise KeyError("handler bug")

    caplog.set_level(logging.ERROR)
    async with client(good) as c:
        g = await c.get("/boom")
    async with client(broken) as c:
        b = await c.get("/boom")
    assert (g.status_code, g.json()) == (500, {"custom": True})
    assert b.status_code == 500
    assert b.json()["detail"] == "Internal Server Error"
    assert "handler bug" not in b.text


async def test_error_in_middleware_is_a_500_too(caplog: pytest.LogCaptureFixture) -> None:
    app = failing_app()

    @app.middleware
    async def broken(request: Request, response: Response, call_next: Any) -> Any:
        raise Boom(SECRET)

    caplog.set_level(logging.ERROR)
    async with client(app) as c:
        r = await c.get("/ok", headers={"Accept": "text/html"})
    assert r.status_code == 500
    assert SECRET not in r.text
    assert len([rec for rec in caplog.records if rec.levelno >= logging.ERROR]) == 1


async def test_core_app_error_handlers_in_constructor() -> None:
    async def handler(request: Request, response: Response) -> Any:
        raise TeapotError("x")

    def on_teapot(request: Request, response: Response, exc: Exception) -> Any:
        return "handled in a thread"

    app = App(dispatcher=HandlerDispatcher(http=handler), exception_handlers={TeapotError: on_teapot})
    async with client(app) as c:
        r = await c.get("/")
    assert (r.status_code, r.text) == (200, "handled in a thread")


def test_exception_handler_keys_are_validated() -> None:
    app = App()
    with pytest.raises(TypeError):
        app.add_exception_handler("500", lambda *a: None)  # type: ignore[arg-type]


async def test_broken_handler_for_a_middleware_error_still_gives_a_500(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Regression: when the handler for an exception raised by middleware itself failed, the
    # error escaped the app: an empty answer from the server, no request id, no log of ours.
    app = failing_app()

    @app.middleware
    async def guard(request: Request, response: Response, call_next: Any) -> Any:
        if request.path == "/ok":
            raise TeapotError("from middleware")
        if request.path == "/boom":
            raise LookupError("converted")
        return await call_next()

    @app.exception_handler(TeapotError)
    async def on_teapot(request: Request, response: Response, exc: Exception) -> Any:
        raise KeyError("handler bug")

    @app.exception_handler(LookupError)
    def on_lookup(request: Request, response: Response, exc: Exception) -> Any:
        raise HTTPException(422, detail="converted to 422")

    caplog.set_level(logging.ERROR)
    async with client(app) as c:
        broken = await c.get("/ok")
        converted = await c.get("/boom")
    assert broken.status_code == 500
    assert broken.json()["detail"] == "Internal Server Error"
    assert broken.json()["request_id"] == broken.headers["x-request-id"]
    assert any(broken.json()["request_id"] in r.getMessage() for r in caplog.records)
    assert (converted.status_code, converted.json()) == (422, {"detail": "converted to 422"})


async def test_catch_all_handler_errors_are_logged_once_even_behind_function_middleware(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = get_application()

    @app.middleware
    async def passthrough(request: Any, response: Any, call_next: Any) -> Any:
        return await call_next()

    @app.get("/boom")
    async def boom(request: Any, response: Any) -> Any:
        raise RuntimeError("secret detail")

    async def catch_all(request: Any, response: Any, exc: Exception) -> Any:
        return response.json({"handled": type(exc).__name__}, status_code=500)

    app.add_exception_handler(Exception, catch_all)
    transport = httpx.ASGITransport(app=app)
    with caplog.at_level(logging.ERROR, logger="nexios.error"):
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            answer = await client.get("/boom")
    assert answer.status_code == 500
    assert answer.json() == {"handled": "RuntimeError"}
    errors = [r for r in caplog.records if r.name == "nexios.error"]
    assert len(errors) == 1
    assert "request_id=" in errors[0].getMessage()


def test_a_subclass_given_text_first_takes_it_as_the_detail() -> None:
    from nexios_core.exceptions import Forbidden, HTTPException, NotFoundException

    assert (Forbidden("Not yours").status_code, Forbidden("Not yours").detail) == (403, "Not yours")
    assert (NotFoundException("No such book").status_code, NotFoundException("No such book").detail) == (
        404, "No such book")
    assert (HTTPException(418, "tea").status_code, HTTPException(418, "tea").detail) == (418, "tea")
    with pytest.raises(TypeError, match="must be an int"):
        HTTPException("418", "tea")
