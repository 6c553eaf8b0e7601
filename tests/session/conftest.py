"""Shared fixtures for the session tests: an in-process client and a real Redis server.

The Redis server is started here, once per test run, on a free port with persistence off, and
stopped at the end. Without the ``redis-server`` binary the Redis tests are skipped on a
developer machine but fail under CI (``CI=true``), where ``.ci/run`` installs it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

LOCALHOST = "127.0.0.1"


def _client_for(app: Any, base_url: str = "http://testserver") -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url=base_url
    )


@pytest.fixture
def client_for() -> Callable[..., httpx.AsyncClient]:
    """``async with client_for(app[, base_url]) as client: ...`` drives ``app`` in-process."""
    return _client_for


def _running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCALHOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection((LOCALHOST, port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _start_redis(binary: str, workdir: str, attempts: int = 3) -> tuple[subprocess.Popen[bytes], int]:
    for _ in range(attempts):
        port = _free_port()
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", LOCALHOST, "--save", "", "--appendonly", "no",
             "--dir", workdir],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and process.poll() is None:
            if _answers_ping(port):
                return process, port
            time.sleep(0.05)
        if process.poll() is None:
            process.kill()
        output = process.communicate(timeout=10)[0].decode(errors="replace")
        if "address already in use" not in output.lower():  # only a lost port race is retried
            raise RuntimeError(f"redis-server did not start:\n{output}")
    raise RuntimeError("redis-server could not get a free port")


@pytest.fixture(scope="session")
def redis_server_url() -> Iterator[str]:
    """``redis://127.0.0.1:PORT/0`` of a redis-server started for this test run."""
    binary = shutil.which("redis-server")
    if binary is None:
        if _running_in_ci():
            pytest.fail("redis-server is not installed; CI must install it (see .ci/run)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with tempfile.TemporaryDirectory(prefix="nexios-redis-") as workdir:
        process, port = _start_redis(binary, workdir)
        try:
            yield f"redis://{LOCALHOST}:{port}/0"
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
            if process.stdout is not None:
                process.stdout.close()


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix of its own for each test, so tests never see each other's sessions."""
    return f"test:{uuid.uuid4().hex}:"


SECRET = "test-secret-key-that-is-long-enough"


def build_session_app(middleware: Any = None, *, config: dict[str, Any] | None = None) -> Any:
    """A facade app with ``SessionMiddleware`` and routes that exercise the session:

    ``GET /session`` reads it all; ``POST /session`` merges the JSON body in; ``POST /login``
    regenerates the id then stores the user; ``POST /logout`` clears it; ``POST /delete/{key}``
    removes one key; ``GET /untouched`` never looks at it.
    """
    from nexios import get_application
    from nexios.session.middleware import SessionMiddleware

    app = get_application(config={"secret_key": SECRET, **(config or {})})
    app.add_middleware(middleware if middleware is not None else SessionMiddleware())

    @app.get("/session")
    async def read(request: Any, response: Any) -> Any:
        return {"data": dict(request.session), "id": request.session.session_id}

    @app.post("/session")
    async def write(request: Any, response: Any) -> Any:
        request.session.update(await request.json)
        return {"id": request.session.session_id}

    @app.post("/login")
    async def login(request: Any, response: Any) -> Any:
        before = request.session.session_id
        request.session.regenerate()
        request.session["user"] = (await request.json)["user"]
        return {"before": before, "after": request.session.session_id}

    @app.post("/logout")
    async def logout(request: Any, response: Any) -> Any:
        request.session.clear()
        return {"ok": True}

    @app.post("/delete/{key}")
    async def delete(request: Any, response: Any, key: str) -> Any:
        request.session.delete_session(key)
        return {"ok": True}

    @app.get("/untouched")
    async def untouched(request: Any, response: Any) -> Any:
        return "no session here"

    return app


@pytest.fixture
def session_app() -> Callable[..., Any]:
    """``session_app(middleware=None, config=None)`` builds the app described in
    :func:`build_session_app`."""
    return build_session_app


def session_cookie(response: httpx.Response, name: str = "session_id") -> str | None:
    """The value the response sets for cookie ``name`` (``""`` when it deletes it)."""
    for header in response.headers.get_list("set-cookie"):
        cookie_name, _, rest = header.partition("=")
        if cookie_name == name:
            return rest.split(";", 1)[0].strip('"')
    return None


@pytest.fixture
def cookie_of() -> Callable[..., str | None]:
    """``cookie_of(response, name="session_id")``: the value a response sets for a cookie."""
    return session_cookie
