"""``nexios run --log-format json`` under real uvicorn: every line is one JSON object, the access
record names the route template and the request id the client got back, uvicorn's own access
line (raw path and query string) is gone; in worker processes too."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

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
