"""Request ids: accepted when well-formed, made otherwise, echoed on every response, the same
everywhere in one request (handler, 500 body, log records, a mounted app)."""

from __future__ import annotations

import logging
import os
import re
import threading
from typing import Any

import anyio
import anyio.to_thread
import pytest

from nexios import get_application
from nexios.testclient import TestClient
from nexios_core import App, PlainTextResponse, Request, Response, StreamingResponse
from nexios_core.request_ids import (
    RequestIdFilter,
    current_request_id,
    is_well_formed_request_id,
    new_request_id,
)

NEW_ID = re.compile(r"[0-9a-f]{32}")


def make_app(**options: Any) -> Any:
    app = get_application(**options)

    @app.get("/plain")
    async def plain(request: Request, response: Response) -> Any:
        return response.text(request.id)

    @app.get("/returned")
    async def returned(request: Request, response: Response) -> Any:
        return PlainTextResponse(request.id)

    @app.get("/stream")
    async def stream(request: Request, response: Response) -> Any:
        async def chunks() -> Any:
            yield request.id.encode()

        return StreamingResponse(chunks())

    @app.get("/own-header")
    async def own_header(request: Request, response: Response) -> Any:
        return response.set_header("x-request-id", "chosen-by-handler").text("x")

    @app.get("/boom")
    async def boom(request: Request, response: Response) -> Any:
        raise RuntimeError("boom")

    sub = get_application()

    @sub.get("/where")
    async def where(request: Request, response: Response) -> Any:
        return {"id": request.id}

    app.register(sub, prefix="/sub")
    return app


@pytest.mark.parametrize("path", ["/plain", "/returned", "/stream"])
def test_every_kind_of_response_echoes_the_id_the_handler_saw(path: str) -> None:
    with TestClient(make_app()) as client:
        answer = client.get(path)
    assert answer.headers.get_list("x-request-id") == [answer.text]
    assert NEW_ID.fullmatch(answer.text)


def test_errors_and_misses_carry_the_id_once() -> None:
    with TestClient(make_app(), raise_server_exceptions=False) as client:
        crash = client.get("/boom")
        missing = client.get("/nowhere")
        wrong_method = client.post("/plain")
    assert crash.headers.get_list("x-request-id") == [crash.json()["request_id"]]
    for answer in (missing, wrong_method):
        assert len(answer.headers.get_list("x-request-id")) == 1
        assert NEW_ID.fullmatch(answer.headers["x-request-id"])


def test_a_well_formed_incoming_id_is_kept_everywhere() -> None:
    with TestClient(make_app(), raise_server_exceptions=False) as client:
        plain = client.get("/plain", headers={"x-request-id": "req-42.abc_DEF"})
        crash = client.get("/boom", headers={"x-request-id": "trace-7"})
    assert (plain.text, plain.headers["x-request-id"]) == ("req-42.abc_DEF", "req-42.abc_DEF")
    assert crash.json()["request_id"] == crash.headers["x-request-id"] == "trace-7"


@pytest.mark.parametrize("given", ["bad id", "a" * 129, "<script>", "id\r\nx-admin: 1", "é", "a/b", "a=b"])
def test_a_malformed_or_long_incoming_id_is_replaced(given: str) -> None:
    with TestClient(make_app()) as client:
        answer = client.get("/plain", headers={"x-request-id": given.encode("utf-8")})
    assert answer.text != given
    assert NEW_ID.fullmatch(answer.text) and answer.headers["x-request-id"] == answer.text


def test_the_id_is_checked_strictly() -> None:
    assert is_well_formed_request_id("a" * 128) and not is_well_formed_request_id("a" * 129)
    assert not is_well_formed_request_id("") and not is_well_formed_request_id("ä")
    ids = {new_request_id() for _ in range(2000)}
    assert len(ids) == 2000 and all(NEW_ID.fullmatch(i.decode()) for i in ids)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_a_forked_worker_does_not_hand_out_its_parents_pooled_ids() -> None:
    new_request_id()  # the batch now holds ids drawn in this process
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            os.write(writer, new_request_id())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        from_child = pipe.read()
    os.waitpid(child, 0)
    following = [new_request_id() for _ in range(300)]  # the rest of the parent's pool, and more
    assert NEW_ID.fullmatch(from_child.decode())
    assert from_child not in following


def test_a_handler_choosing_its_own_header_is_not_overridden_or_duplicated() -> None:
    with TestClient(make_app()) as client:
        answer = client.get("/own-header")
    assert answer.headers.get_list("x-request-id") == ["chosen-by-handler"]


def test_a_mounted_app_sees_the_id_of_the_request() -> None:
    with TestClient(make_app()) as client:
        answer = client.get("/sub/where", headers={"x-request-id": "outer-1"})
        fresh = client.get("/sub/where")
    assert answer.json() == {"id": "outer-1"} and answer.headers.get_list("x-request-id") == ["outer-1"]
    assert fresh.headers.get_list("x-request-id") == [fresh.json()["id"]]


def test_the_echo_can_be_turned_off_and_the_500_still_names_the_id() -> None:
    with TestClient(make_app(), raise_server_exceptions=False) as client:
        client.app.echo_request_id = False
        plain = client.get("/plain")
        crash = client.get("/boom")
    assert "x-request-id" not in plain.headers
    assert crash.headers["x-request-id"] == crash.json()["request_id"]
    with TestClient(make_app(echo_request_id=False)) as client:
        assert "x-request-id" not in client.get("/plain").headers


def test_a_core_app_echoes_too() -> None:
    async def handler(request: Request, response: Response) -> Any:
        return response.text(request.id)

    from nexios_core import HandlerDispatcher

    with TestClient(App(dispatcher=HandlerDispatcher(handler))) as client:
        answer = client.get("/")
    assert answer.headers["x-request-id"] == answer.text
    with TestClient(App(dispatcher=HandlerDispatcher(handler), echo_request_id=False)) as client:
        assert "x-request-id" not in client.get("/").headers


def test_concurrent_requests_keep_their_own_ids() -> None:
    app = get_application()

    @app.get("/slow")
    async def slow(request: Request, response: Response) -> Any:
        before = request.id
        await anyio.sleep(0.05)
        return {"before": before, "after": request.id, "logged": current_request_id()}

    results: list[Any] = []
    with TestClient(app) as client:
        def call(index: int) -> None:
            results.append((index, client.get("/slow", headers={"x-request-id": f"req-{index}"}).json()))

        threads = [threading.Thread(target=call, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(results) == 8
    for index, body in results:
        assert body == {"before": f"req-{index}", "after": f"req-{index}", "logged": f"req-{index}"}


@pytest.fixture(autouse=True)
def restore_binding(monkeypatch: pytest.MonkeyPatch) -> None:
    from nexios_core import request_ids

    monkeypatch.setattr(request_ids, "_context_wanted", request_ids._context_wanted)


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_log_records_from_user_code_carry_the_id_in_the_task_in_threads_and_sync_handlers() -> None:
    handler = Records()
    user_logger = logging.getLogger("tests.user_code")
    user_logger.addHandler(handler)
    user_logger.setLevel(logging.INFO)
    app = get_application()

    @app.get("/async")
    async def in_task(request: Request, response: Response) -> Any:
        user_logger.info("in the request task")
        await anyio.to_thread.run_sync(user_logger.info, "in a worker thread")
        return "ok"

    @app.get("/sync")
    def sync_handler(request: Request, response: Response) -> Any:
        user_logger.info("in a sync handler")
        return "ok"

    try:
        with TestClient(app) as client:
            client.get("/async", headers={"x-request-id": "from-async"})
            client.get("/sync", headers={"x-request-id": "from-sync"})
        user_logger.info("outside any request")
    finally:
        user_logger.removeHandler(handler)
    seen = {record.getMessage(): getattr(record, "request_id", None) for record in handler.records}
    assert seen == {
        "in the request task": "from-async",
        "in a worker thread": "from-async",
        "in a sync handler": "from-sync",
        "outside any request": "-",
    }


def test_answers_from_raw_asgi_middleware_carry_the_id_too() -> None:
    from nexios_core import CORSMiddleware, TrustedHostMiddleware

    app = make_app()
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=["testserver"])
    app.add_middleware(CORSMiddleware, allow_origins=["https://app.example"])
    with TestClient(app) as client:
        refused = client.get("/plain", headers={"host": "evil.example", "x-request-id": "host-1"})
        preflight = client.options("/plain", headers={"origin": "https://elsewhere.example",
                                                      "access-control-request-method": "GET"})
        served = client.get("/plain", headers={"x-request-id": "through-1"})
    assert (refused.status_code, refused.headers.get_list("x-request-id")) == (400, ["host-1"])
    assert preflight.status_code == 400 and NEW_ID.fullmatch(preflight.headers["x-request-id"])
    assert (served.text, served.headers.get_list("x-request-id")) == ("through-1", ["through-1"])


@pytest.mark.parametrize("given", [
    [b""], [b"first-1", b"second-2"], [b"bad id", b"second-2"], [b"same-1", b"same-1"]])
def test_an_empty_or_repeated_incoming_id_is_replaced(given: list[bytes]) -> None:
    # Two ids (a client's beside a proxy's, or a forgery beside the real one) cannot be told
    # apart: neither is trusted.
    with TestClient(make_app()) as client:
        answer = client.get("/plain", headers=[(b"x-request-id", value) for value in given])
    assert NEW_ID.fullmatch(answer.text) and answer.headers.get_list("x-request-id") == [answer.text]


def test_answers_from_exception_handlers_files_static_and_raw_mounts_carry_the_id(tmp_path: Any) -> None:
    from nexios_core import FileResponse, JSONResponse, StaticFiles

    class Teapot(Exception):
        pass

    (tmp_path / "a.txt").write_text("hello")
    app = make_app()

    @app.get("/file")
    async def file(request: Request, response: Response) -> Any:
        return FileResponse(tmp_path / "a.txt")

    @app.get("/teapot")
    async def teapot(request: Request, response: Response) -> Any:
        raise Teapot()

    async def on_teapot(request: Request, response: Response, exc: Teapot) -> Any:
        return JSONResponse({"teapot": True}, status_code=418)

    async def raw_app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"raw"})

    app.add_exception_handler(Teapot, on_teapot)
    app.mount("/raw", raw_app)
    app.register(StaticFiles(directory=tmp_path), prefix="/static")
    with TestClient(app) as client:
        answers = {path: client.get(path, headers={"x-request-id": "kept-1"})
                   for path in ("/file", "/teapot", "/raw/", "/static/a.txt", "/static/missing", "/sub/nowhere")}
        head = client.head("/plain", headers={"x-request-id": "kept-1"})
    assert {path: (a.status_code, a.headers.get_list("x-request-id")) for path, a in answers.items()} == {
        "/file": (200, ["kept-1"]), "/teapot": (418, ["kept-1"]), "/raw/": (200, ["kept-1"]),
        "/static/a.txt": (200, ["kept-1"]), "/static/missing": (404, ["kept-1"]), "/sub/nowhere": (404, ["kept-1"])}
    assert head.headers.get_list("x-request-id") == ["kept-1"]
