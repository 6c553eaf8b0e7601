"""Structured logs: one JSON object per line with the request id, access records with the route
template (never the raw path, query, headers or cookies), text stays the default, and nothing is
added to the request path unless logging asks for it."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from typing import Any

import pytest

from nexios import get_application
from nexios.testclient import TestClient
from nexios_core import Request, Response
from nexios_core.logs import logging_config, setup_logging
from nexios_core.request_log import RequestObserver

SECRET = "s3cr3t-t0ken"


def make_app() -> Any:
    app = get_application()

    @app.get("/users/{user_id:int}")
    async def user(request: Request, response: Response, user_id: int) -> Any:
        logging.getLogger("tests.handler").warning("looking up user %d", user_id)
        return {"id": user_id}

    @app.get("/boom")
    async def boom(request: Request, response: Response) -> Any:
        raise RuntimeError("boom")

    sub = get_application()

    @sub.get("/items/{item_id}")
    async def item(request: Request, response: Response, item_id: str) -> Any:
        return {"item": item_id}

    app.register(sub, prefix="/shop")
    return app


def json_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_logging_writes_one_access_object_per_request_with_the_route_template() -> None:
    stream = io.StringIO()
    setup_logging("json", stream=stream)
    with TestClient(make_app(), raise_server_exceptions=False) as client:
        client.get(f"/users/42?token={SECRET}", headers={
            "x-request-id": "abc-1", "authorization": f"Bearer {SECRET}", "cookie": f"session={SECRET}"})
        client.get("/boom", headers={"x-request-id": "abc-2"})
        client.get("/nowhere", headers={"x-request-id": "abc-3"})
        client.post("/users/42", headers={"x-request-id": "abc-4"})
        client.get("/shop/items/x1", headers={"x-request-id": "abc-5"})
    lines = json_lines(stream)
    access = [line for line in lines if line["logger"] == "nexios.access"]
    summary = [(a["request_id"], a["method"], a.get("route"), a["status"]) for a in access]
    assert summary == [
        ("abc-1", "GET", "/users/{user_id:int}", 200),
        ("abc-2", "GET", "/boom", 500),
        ("abc-3", "GET", None, 404),
        ("abc-4", "POST", "/users/{user_id:int}", 405),
        ("abc-5", "GET", "/shop/items/{item_id}", 200),  # one record for the mounted app, full template
    ]
    for record in access:
        assert set(record) >= {"time", "level", "request_id", "method", "status", "duration_ms", "client"}
        assert record["level"] == "info" and record["duration_ms"] >= 0 and record["client"].startswith("testclient")
        assert record["time"].endswith("+00:00")
    handler_line = next(line for line in lines if line["logger"] == "tests.handler")
    assert handler_line["request_id"] == "abc-1" and handler_line["message"] == "looking up user 42"
    error_line = next(line for line in lines if line["logger"] == "nexios.error")
    assert error_line["request_id"] == "abc-2" and "RuntimeError: boom" in error_line["exception"]
    our_lines = [line for line in lines if line["logger"] != "httpx"]  # the test client's own log
    assert SECRET not in json.dumps(our_lines) and "/users/42" not in json.dumps(access)


def test_text_format_puts_the_request_id_on_every_line() -> None:
    stream = io.StringIO()
    setup_logging("text", stream=stream)
    with TestClient(make_app()) as client:
        client.get("/users/7", headers={"x-request-id": "text-1"})
    lines = stream.getvalue().splitlines()
    assert any("[text-1]" in line and "looking up user 7" in line for line in lines)
    assert any("[text-1]" in line and '"GET /users/{user_id:int}" 200' in line for line in lines)


def test_setting_up_again_replaces_the_handler_instead_of_doubling_lines() -> None:
    first, second = io.StringIO(), io.StringIO()
    setup_logging("json", stream=first)
    setup_logging("json", stream=second)
    logging.getLogger("tests.twice").warning("once")
    assert first.getvalue() == "" and len(second.getvalue().splitlines()) == 1
    with pytest.raises(ValueError, match="'text' or 'json'"):
        setup_logging("xml")  # type: ignore[arg-type]


def test_without_logging_set_up_nothing_is_added_around_requests() -> None:
    app = make_app()
    app.build()
    assert not isinstance(app._asgi, RequestObserver) and app._direct_http
    setup_logging("json", stream=io.StringIO())
    observed = make_app()
    observed.build()
    assert isinstance(observed._asgi, RequestObserver) and not observed._direct_http


def test_access_log_can_be_left_off_while_ids_still_reach_records() -> None:
    stream = io.StringIO()
    setup_logging("json", stream=stream, access_log=False)
    with TestClient(make_app()) as client:
        client.get("/users/1", headers={"x-request-id": "quiet-1"})
    lines = json_lines(stream)
    assert not [line for line in lines if line["logger"] == "nexios.access"]
    assert any(line["request_id"] == "quiet-1" for line in lines if line["logger"] == "tests.handler")


def test_the_dict_config_for_servers_routes_uvicorn_through_the_same_formatter() -> None:
    config = logging_config("json", "debug")
    assert config["formatters"]["nexios"] == {"()": "nexios_core.logs.JSONFormatter"}
    assert config["loggers"]["uvicorn.access"]["level"] == "WARNING"  # replaced by nexios.access
    assert config["loggers"]["nexios.access"]["level"] == "INFO" and config["root"]["level"] == "DEBUG"
    logging.config.dictConfig(config)  # valid for the standard library
    assert isinstance(logging.getLogger().handlers[0].formatter, logging.Formatter)



def test_records_from_tasks_and_threads_a_handler_starts_carry_its_id() -> None:
    import asyncio

    import anyio.to_thread

    stream = io.StringIO()
    setup_logging("json", stream=stream, access_log=False)
    app = get_application()
    background = logging.getLogger("tests.background")

    async def later() -> None:
        await asyncio.sleep(0)
        background.warning("from a task")

    @app.get("/spawn")
    async def spawn(request: Request, response: Response) -> Any:
        await asyncio.get_running_loop().create_task(later())
        await anyio.to_thread.run_sync(background.warning, "from a thread")
        return "ok"

    with TestClient(app) as client:
        client.get("/spawn", headers={"x-request-id": "spawned-1"})
    lines = [line for line in json_lines(stream) if line["logger"] == "tests.background"]
    assert [(line["message"], line["request_id"]) for line in lines] == [
        ("from a task", "spawned-1"), ("from a thread", "spawned-1")]


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_an_error_record_names_the_route_not_the_raw_path_or_anything_secret(log_format: str) -> None:
    # A path can hold a secret (a reset token) or, percent-encoded, a line break that would
    # forge a second log line in the text format.
    stream = io.StringIO()
    setup_logging(log_format, stream=stream)  # type: ignore[arg-type]
    app = get_application()

    @app.get("/reset/{token}")
    async def reset(request: Request, response: Response, token: str) -> Any:
        raise RuntimeError("reset failed")

    sub = get_application()

    @sub.get("/orders/{order_id}")
    async def order(request: Request, response: Response, order_id: str) -> Any:
        raise RuntimeError("order failed")

    app.register(sub, prefix="/shop")
    secrets_sent = {"authorization": f"Bearer {SECRET}", "cookie": f"session={SECRET}"}
    with TestClient(app, raise_server_exceptions=False) as client:
        crash = client.get(f"/reset/{SECRET}%0D%0AFORGED%20line?api_key={SECRET}",
                           headers={**secrets_sent, "x-request-id": "err-1"})
        mounted = client.get(f"/shop/orders/{SECRET}?token={SECRET}", headers={**secrets_sent, "x-request-id": "err-2"})
    assert (crash.status_code, mounted.status_code) == (500, 500)
    written = stream.getvalue()
    ours = [line for line in written.splitlines() if "httpx" not in line]  # the test client's own log
    assert SECRET not in "\n".join(ours)
    assert not [line for line in ours if line.startswith("FORGED")]
    if log_format == "json":
        errors = [line for line in json_lines(stream) if line["logger"] == "nexios.error"]
        assert [(e["request_id"], e["method"], e["route"]) for e in errors] == [
            ("err-1", "GET", "/reset/{token}"), ("err-2", "GET", "/shop/orders/{order_id}")]
        assert "RuntimeError: reset failed" in errors[0]["exception"]
    else:
        assert any("GET /reset/{token}" in line and "[err-1]" in line for line in ours)
        assert any("GET /shop/orders/{order_id}" in line and "[err-2]" in line for line in ours)


def test_the_documented_ways_to_start_a_thread_carry_the_id() -> None:
    # Threads do not inherit context variables unless started with the request's context:
    # asyncio.to_thread and anyio do it; a threading.Thread needs copy_context().run.
    import asyncio
    import contextvars
    import threading

    stream = io.StringIO()
    setup_logging("json", stream=stream, access_log=False)
    app = get_application()
    worker = logging.getLogger("tests.threads")

    def in_own_thread(message: str) -> None:
        thread = threading.Thread(target=contextvars.copy_context().run, args=(worker.warning, message))
        thread.start()
        thread.join()

    @app.get("/async")
    async def from_async(request: Request, response: Response) -> Any:
        await asyncio.to_thread(worker.warning, "asyncio.to_thread")
        in_own_thread("thread from an async handler")
        return "ok"

    @app.get("/sync")
    def from_sync(request: Request, response: Response) -> Any:
        in_own_thread("thread from a sync handler")
        return "ok"

    with TestClient(app) as client:
        client.get("/async", headers={"x-request-id": "thread-1"})
        client.get("/sync", headers={"x-request-id": "thread-2"})
    lines = [line for line in json_lines(stream) if line["logger"] == "tests.threads"]
    assert [(line["message"], line["request_id"]) for line in lines] == [
        ("asyncio.to_thread", "thread-1"), ("thread from an async handler", "thread-1"),
        ("thread from a sync handler", "thread-2")]


def uvicorns_lines(secret: str) -> None:
    """What uvicorn writes for one request and one WebSocket handshake (its own words)."""
    logging.getLogger("uvicorn.error").info("Started server process [%d]", 42)
    logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "10.0.0.1:5000", "GET",
                                             f"/?token={secret}", "1.1", 200)
    logging.getLogger("uvicorn.error").info('%s - "WebSocket %s" [accepted]', "10.0.0.1:5001", f"/ws?token={secret}")
    logging.getLogger("uvicorn.error").info('%s - "WebSocket %s" 403', "10.0.0.1:5002", f"/ws?token={secret}")


@pytest.mark.parametrize("how", ["setup_logging", "logging_config"])
def test_the_servers_lines_go_through_the_formatter_without_raw_paths(
        how: str, capsys: pytest.CaptureFixture[str]) -> None:
    # As under `uvicorn main:app`: uvicorn configures its loggers, then the app module sets up logging.
    import uvicorn.config

    logging.config.dictConfig(uvicorn.config.LOGGING_CONFIG)
    if how == "setup_logging":
        stream = io.StringIO()
        setup_logging("json", stream=stream)
        uvicorns_lines(SECRET)
        written = stream.getvalue()
    else:
        logging.config.dictConfig(logging_config("json"))
        uvicorns_lines(SECRET)
        written = capsys.readouterr().err
    assert SECRET not in written + capsys.readouterr().err
    lines = [json.loads(line) for line in written.splitlines()]
    assert [(line["logger"], line["message"]) for line in lines] == [("uvicorn.error", "Started server process [42]")]


def test_a_clients_unicode_line_breaks_cannot_split_a_json_line() -> None:
    # JSON leaves U+2028, U+2029 and NEL unescaped; str.splitlines (and other readers) end a
    # line there, so text a client sent, logged by a handler, would cut one object in two.
    stream = io.StringIO()
    setup_logging("json", stream=stream)
    app = get_application()

    @app.get("/search/{term}")
    async def search(request: Request, response: Response, term: str) -> Any:
        logging.getLogger("tests.search").warning("searching %s", term)
        return {"term": term}

    with TestClient(app) as client:
        assert client.get("/search/a%E2%80%A8b%C2%85c%E2%80%A9d", headers={"x-request-id": "lb-1"}).status_code == 200
    lines = json_lines(stream)  # every line parses on its own
    record = next(line for line in lines if line["logger"] == "tests.search")
    assert record["message"] == "searching a\u2028b\x85c\u2029d" and record["request_id"] == "lb-1"


def test_a_forwarded_address_cannot_forge_an_access_line_under_uvicorn() -> None:
    # uvicorn takes the client's address from X-Forwarded-For when the peer is trusted (127.0.0.1
    # by default); a value that is no address is written quoted and escaped, so the text line
    # still parses as one request.
    import httpx

    from tests.support.live_server import run_live_server

    stream = io.StringIO()
    setup_logging("text", stream=stream)
    app = make_app()
    forged = '6.6.6.6" "GET /admin" 200 1.00ms'
    with run_live_server(app) as base_url:
        for forwarded in (forged, "203.0.113.9", "2001:db8::1"):
            answer = httpx.get(base_url + "/users/1", headers={"x-forwarded-for": forwarded,
                                                                "x-request-id": "fwd"}, timeout=5)
            assert answer.status_code == 200
    lines = [line for line in stream.getvalue().splitlines() if "nexios.access" in line]
    assert len(lines) == 3, lines
    import re

    # How a log parser reads the line: a client (bare, or quoted with escapes), then the request.
    access = re.compile(r'\[fwd\] (?P<client>"(?:[^"\\]|\\.)*"|\S+):\d+ "(?P<request>[^"]*)" (?P<status>\d+) [\d.]+ms')
    parsed = [access.fullmatch(line.split(" nexios.access ", 1)[1]) for line in lines]
    assert all(parsed), lines
    assert [(m["client"], m["request"], m["status"]) for m in parsed if m] == [
        (json.dumps(forged), "GET /users/{user_id:int}", "200"),
        ("203.0.113.9", "GET /users/{user_id:int}", "200"),
        ("2001:db8::1", "GET /users/{user_id:int}", "200"),
    ]
