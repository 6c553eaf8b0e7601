"""``nexios ping``: one in-process request, status and body printed, exit status 0 below 400 and 1
from 400 up; with the test client, and with the built-in caller used when httpx is missing."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from click.testing import Result

from nexios_cli._asgi_call import StartupFailed, call_app

APP = """
from nexios import get_application
from nexios.http.response import RedirectResponse

app = get_application()
started = []


@app.on_startup
async def connect():
    started.append("db")


@app.get("/health")
async def health(request, response):
    return {"ok": True, "started": started}


@app.post("/echo")
async def echo(request, response):
    return {"received": await request.json, "agent": request.headers.get("x-agent")}


@app.get("/old")
async def old(request, response):
    return response.redirect("/health")


@app.get("/crash")
async def crash(request, response):
    raise RuntimeError("boom")


@app.get("/missing")
async def missing(request, response):
    return response.json({"detail": "gone"}, status_code=410)
"""


@pytest.fixture(params=["testclient", "builtin"])
def ping_via(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways of calling the app: ``builtin`` makes ``nexios_core.testclient`` unimportable,
    as it is when httpx is not installed."""
    if request.param == "builtin":
        monkeypatch.setitem(sys.modules, "nexios_core.testclient", None)
    return str(request.param)


@pytest.fixture
def app_module(write_module: Callable[..., Path]) -> str:
    write_module("pinged", APP)
    return "pinged:app"


def test_success_prints_status_and_body_and_exits_0(ping_via: str, invoke: Callable[..., Result],
                                                    app_module: str) -> None:
    result = invoke(["ping", app_module, "/health"])
    assert result.exit_code == 0, result.output
    status, body = result.stdout.splitlines()
    assert status == "200 OK"
    # The startup hook ran before the request: ping drives the lifespan.
    assert json.loads(body) == {"ok": True, "started": ["db"]}


@pytest.mark.parametrize(("path", "status"), [("/nope", "404 Not Found"), ("/missing", "410 Gone")])
def test_client_error_exits_1(ping_via: str, path: str, status: str, invoke: Callable[..., Result],
                              app_module: str) -> None:
    result = invoke(["ping", app_module, path])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == status


def test_crashing_handler_answers_500_and_exits_1(ping_via: str, invoke: Callable[..., Result],
                                                  app_module: str) -> None:
    result = invoke(["ping", app_module, "/crash"])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == "500 Internal Server Error"
    assert "boom" not in result.stdout  # debug is off: no details leak


def test_method_headers_and_body(ping_via: str, invoke: Callable[..., Result], app_module: str) -> None:
    result = invoke(["ping", app_module, "/echo", "-X", "post", "-H", "Content-Type: application/json",
                     "-H", "X-Agent: cli", "-d", '{"n": 1}'])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[1]) == {"received": {"n": 1}, "agent": "cli"}


def test_include_prints_headers(ping_via: str, invoke: Callable[..., Result], app_module: str) -> None:
    lines = invoke(["ping", app_module, "/health", "-i"]).stdout.splitlines()
    assert lines[0] == "200 OK"
    assert "content-type: application/json" in lines[1:lines.index("")]


def test_redirect_is_shown_unless_followed(ping_via: str, invoke: Callable[..., Result], app_module: str) -> None:
    shown = invoke(["ping", app_module, "/old", "-i"])
    assert shown.exit_code == 0
    assert shown.stdout.splitlines()[0] == "302 Found"
    assert "location: /health" in shown.stdout
    followed = invoke(["ping", app_module, "/old", "-L"])
    assert followed.stdout.splitlines()[0] == "200 OK"


def test_path_must_start_with_a_slash(invoke: Callable[..., Result], app_module: str) -> None:
    result = invoke(["ping", app_module, "health"])
    assert result.exit_code == 2
    assert "must start with '/'" in result.stderr


def test_malformed_header_is_refused(invoke: Callable[..., Result], app_module: str) -> None:
    result = invoke(["ping", app_module, "/health", "-H", "no-colon"])
    assert result.exit_code == 2
    assert "'Name: value'" in result.stderr


def test_missing_path(invoke: Callable[..., Result], app_module: str) -> None:
    result = invoke(["ping", app_module])
    assert result.exit_code == 2
    assert "Missing argument 'PATH'" in result.stderr


def test_failed_startup_is_one_line_exit_2(ping_via: str, invoke: Callable[..., Result],
                                           write_module: Callable[..., Path]) -> None:
    write_module("no_db", """
        from nexios import get_application

        app = get_application()

        @app.on_startup
        async def connect():
            raise ConnectionError("database unreachable")
    """)
    result = invoke(["ping", "no_db:app", "/"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: no_db:app failed to start:")
    assert "database unreachable" in result.stderr


def test_plain_asgi_app_without_lifespan(ping_via: str, invoke: Callable[..., Result],
                                         write_module: Callable[..., Path]) -> None:
    write_module("raw", """
        async def app(scope, receive, send):
            if scope["type"] != "http":
                raise RuntimeError("no lifespan here")
            await send({"type": "http.response.start", "status": 201, "headers": [(b"x-path", scope["path"].encode())]})
            await send({"type": "http.response.body", "body": b"made " + scope["query_string"]})
    """)
    result = invoke(["ping", "raw:app", "/things?id=7", "-i"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "201 Created"
    assert "x-path: /things" in result.stdout
    assert result.stdout.splitlines()[-1] == "made id=7"


# -------------------------------------------------------------------- the built-in caller itself
async def _lifespan_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                scope["state"]["greeting"] = "hi"
                await send({"type": "lifespan.startup.complete"})
            else:
                events.append("shutdown")
                await send({"type": "lifespan.shutdown.complete"})
                return
    request = await receive()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": scope["state"]["greeting"].encode() + request["body"],
                "more_body": True})
    await send({"type": "http.response.body", "body": b"!"})


events: list[str] = []


def test_builtin_caller_runs_lifespan_and_streams_body() -> None:
    events.clear()
    response = anyio.run(call_app, _lifespan_app, "POST", "/", [], b" there")
    assert (response.status_code, response.body) == (200, b"hi there!")
    assert events == ["shutdown"]


def test_builtin_caller_reports_failed_startup() -> None:
    async def refusing(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "lifespan.startup.failed", "message": "no config"})

    with pytest.raises(StartupFailed, match="no config"):
        anyio.run(call_app, refusing, "GET", "/")


def test_builtin_caller_answers_500_when_the_app_sends_nothing() -> None:
    async def silent(scope: dict[str, Any], receive: Any, send: Any) -> None:
        return None

    assert anyio.run(call_app, silent, "GET", "/").status_code == 500


def test_builtin_caller_follows_redirects_within_the_app_only() -> None:
    seen: list[tuple[str, str]] = []

    async def redirecting(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise RuntimeError("no lifespan")
        seen.append((scope["method"], scope["path"]))
        location = {"/form": "/done?ok=1", "/away": "https://elsewhere.example/"}.get(scope["path"])
        status = 303 if location else 200
        headers = [(b"location", location.encode())] if location else []
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": scope["query_string"]})

    response = anyio.run(call_app, redirecting, "POST", "/form", [], b"x=1", True)
    assert (response.status_code, response.body) == (200, b"ok=1")
    assert seen == [("POST", "/form"), ("GET", "/done")]
    assert anyio.run(call_app, redirecting, "GET", "/away", [], b"", True).status_code == 303
