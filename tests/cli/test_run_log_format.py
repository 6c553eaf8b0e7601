"""``nexios run --log-format json`` under real uvicorn: every line is one JSON object, the access
record names the route template and the request id the client got back, uvicorn's own access
lines (raw path and query string, for requests and WebSocket handshakes) are gone; in worker
processes too, and under plain ``uvicorn`` with ``setup_logging("json")`` in the app module."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.cli.conftest import ServerProcess, free_port

APP = """
import logging
from nexios import get_application

app = get_application()

@app.get("/")
async def home(request, response):
    return "ok"

@app.get("/users/{user_id:int}")
async def user(request, response, user_id: int):
    logging.getLogger("app").warning("serving user %d", user_id)
    return {"id": user_id}

@app.websocket("/ws/{room}")
async def chat(websocket, room: str):
    await websocket.accept()
    await websocket.send_text(room)
    await websocket.close()
"""


def json_lines(output: str) -> list[dict[str, Any]]:
    lines = []
    for line in output.splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
        else:
            assert line.startswith("Serving "), f"not a JSON line: {line!r}"  # the CLI's own banner
    return lines


def wait_for(server: Any, predicate: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lines = json_lines(server.output())
        if predicate(lines):
            return lines
        time.sleep(0.1)
    pytest.fail(server.output())


@pytest.mark.parametrize("workers", ["1", "2"])
def test_json_log_format_under_uvicorn(nexios_server: Callable[..., Any], write_module: Callable[..., Path],
                                       workers: str) -> None:
    write_module("main", APP)
    server = nexios_server(["run", "main:app", "--log-format", "json", "--workers", workers])
    answer = httpx.get(server.base_url + "/users/5?token=hunter2", headers={"x-request-id": "live-5"}, timeout=5)
    assert answer.headers["x-request-id"] == "live-5"

    def served(lines: list[dict[str, Any]]) -> bool:
        return any(line.get("request_id") == "live-5" and line["logger"] == "nexios.access" for line in lines)

    lines = wait_for(server, served)
    access = next(line for line in lines if line["logger"] == "nexios.access" and line["request_id"] == "live-5")
    assert (access["method"], access["route"], access["status"]) == ("GET", "/users/{user_id:int}", 200)
    assert access["client"].startswith("127.0.0.1:") and access["duration_ms"] >= 0
    handler = next(line for line in lines if line["logger"] == "app")
    assert handler["request_id"] == "live-5" and handler["message"] == "serving user 5"
    assert any(line["logger"].startswith("uvicorn") for line in lines)  # the server's lines too
    assert "hunter2" not in server.output() and not any(line["logger"] == "uvicorn.access" for line in lines)


def visit(base_url: str) -> None:
    """A request and a WebSocket session, each with a secret in its query string."""
    answer = httpx.get(base_url + "/users/5?token=hunter2", headers={"x-request-id": "live-5"}, timeout=5)
    assert answer.status_code == 200

    async def chat() -> None:
        address = base_url.replace("http://", "ws://") + "/ws/lobby?token=hunter2"
        async with websockets.connect(address, additional_headers={"x-request-id": "live-ws"}) as socket:
            assert await socket.recv() == "lobby"

    asyncio.run(chat())


def served_both(lines: list[dict[str, Any]]) -> bool:
    ids = {line.get("request_id") for line in lines if line["logger"] == "nexios.access"}
    return {"live-5", "live-ws"} <= ids


def check_lines(output: str, lines: list[dict[str, Any]]) -> None:
    access = {line["request_id"]: line for line in lines if line["logger"] == "nexios.access"}
    assert (access["live-ws"]["method"], access["live-ws"]["route"], access["live-ws"]["status"]) == (
        "WEBSOCKET", "/ws/{room}", 101)
    assert access["live-5"]["route"] == "/users/{user_id:int}"
    assert any(line["logger"] == "uvicorn.error" for line in lines)  # the server's own lines are kept
    assert "hunter2" not in output and "/ws/lobby" not in output and "/users/5" not in output


def test_websocket_handshakes_are_logged_by_route_under_nexios_run(
        nexios_server: Callable[..., Any], write_module: Callable[..., Path]) -> None:
    write_module("main", APP)
    server = nexios_server(["run", "main:app", "--log-format", "json"])
    visit(server.base_url)
    lines = wait_for(server, served_both)
    check_lines(server.output(), lines)


def test_plain_uvicorn_with_setup_logging_in_the_app_module(tmp_path: Path, write_module: Callable[..., Path]) -> None:
    # `uvicorn main:app` configures its own loggers before importing the app: setup_logging,
    # called by the module, must still take its lines over and silence its access log.
    write_module("main", "from nexios_core.logs import setup_logging\nsetup_logging('json')\n" + APP)
    port = free_port()
    log_path = tmp_path / "uvicorn.log"
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "uvicorn", "main:app", "--port", str(port)], cwd=tmp_path,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=environment)
    server = ServerProcess(process, port, log_path)
    try:
        server.wait_until_serving()
        visit(server.base_url)
        lines = wait_for(server, served_both)
    finally:
        server.stop()
    check_lines(server.output(), lines)


def test_the_default_format_logs_each_request_once_in_uvicorns_words(
        nexios_server: Callable[..., Any], write_module: Callable[..., Path]) -> None:
    # `--log-format uvicorn` keeps uvicorn's access log; Nexios's own (nexios.access, which the
    # framework logger's level would otherwise switch on) stays off, so no request is logged twice.
    write_module("main", APP)
    server = nexios_server(["run", "main:app"])
    assert httpx.get(server.base_url + "/users/5", timeout=5).status_code == 200
    deadline = time.monotonic() + 10
    while '"GET /users/5 HTTP/1.1" 200' not in server.output() and time.monotonic() < deadline:
        time.sleep(0.1)
    lines = server.output().splitlines()
    assert sum('"GET /users/5 HTTP/1.1" 200' in line for line in lines) == 1, lines
    assert not any("/users/{user_id:int}" in line for line in lines), lines
    assert any("serving user 5" in line for line in lines)  # the app's own records still appear


def test_an_app_module_calling_setup_logging_under_nexios_run_workers_logs_each_line_once(
        nexios_server: Callable[..., Any], write_module: Callable[..., Path]) -> None:
    # Worker processes configure logging (--log-format json) before they import the app module;
    # its own setup_logging('json') must replace that handler, not add a second one.
    write_module("main", "from nexios_core.logs import setup_logging\nsetup_logging('json')\n" + APP)
    server = nexios_server(["run", "main:app", "--log-format", "json", "--workers", "2"])
    answer = httpx.get(server.base_url + "/users/5", headers={"x-request-id": "once-5"}, timeout=5)
    assert answer.status_code == 200

    def served(lines: list[dict[str, Any]]) -> bool:
        return any(line.get("request_id") == "once-5" and line["logger"] == "nexios.access" for line in lines)

    wait_for(server, served)
    time.sleep(0.5)  # a doubled line would be written right after the first
    lines = [line for line in json_lines(server.output()) if line.get("request_id") == "once-5"]
    assert sorted(line["logger"] for line in lines) == ["app", "nexios.access"], lines
