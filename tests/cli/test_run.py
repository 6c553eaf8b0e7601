"""``nexios run`` and ``nexios dev`` as real processes: each serves on a free port of 127.0.0.1, is
reached over a socket with httpx, and is stopped (with its children) within a bounded time."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

APP = """
import logging
import os

from nexios import get_application

app = get_application()


@app.get("/")
async def index(request, response):
    logging.getLogger("nexios.demo").debug("debug line from the app")
    return {"pid": os.getpid(), "root_path": request.scope.get("root_path", "")}
"""

RELOADABLE = """
import logging

from nexios import get_application

app = get_application()


@app.get("/")
async def index(request, response):
    logging.getLogger("nexios.demo").debug("debug line from version {version}")
    return {{"version": {version}}}
"""


def test_run_serves_the_app(nexios_server: Callable[..., Any], write_module: Callable[..., Path]) -> None:
    write_module("served", APP)
    server = nexios_server(["run", "served:app"])
    response = httpx.get(server.base_url + "/", timeout=5)
    assert response.status_code == 200
    assert response.json()["root_path"] == ""
    output = server.output()
    assert "Serving served:app" in output
    assert "debug line" not in output  # info is the default level


def test_run_without_app_finds_main_py_and_passes_root_path(
    nexios_server: Callable[..., Any], write_module: Callable[..., Path]
) -> None:
    write_module("main", APP)
    server = nexios_server(["run", "--root-path", "/api"])
    assert httpx.get(server.base_url + "/", timeout=5).json()["root_path"] == "/api"


def test_run_calls_a_factory(nexios_server: Callable[..., Any], write_module: Callable[..., Path]) -> None:
    write_module("factory_app", APP + "\n\ndef build():\n    return app\n")
    server = nexios_server(["run", "--factory", "factory_app:build"])
    assert httpx.get(server.base_url + "/", timeout=5).status_code == 200


def test_run_with_workers_serves_from_child_processes(
    nexios_server: Callable[..., Any], write_module: Callable[..., Path]
) -> None:
    write_module("served", APP)
    server = nexios_server(["run", "served:app", "--workers", "2"])
    pid = httpx.get(server.base_url + "/", timeout=5).json()["pid"]
    assert pid != server.process.pid


def test_dev_reloads_when_the_app_changes(nexios_server: Callable[..., Any],
                                          write_module: Callable[..., Path]) -> None:
    path = write_module("main", RELOADABLE.format(version=1))
    server = nexios_server(["dev"])
    base_url = server.base_url
    assert httpx.get(base_url + "/", timeout=5).json() == {"version": 1}
    deadline = time.monotonic() + 20
    seen = None
    rewritten_at = 0.0
    while time.monotonic() < deadline:
        # The reloader may start watching only after the first answer; writing again until the
        # change is seen keeps the test from depending on that race.
        if time.monotonic() - rewritten_at > 2:
            path.write_text(RELOADABLE.format(version=2), encoding="utf-8")
            rewritten_at = time.monotonic()
        try:
            seen = httpx.get(base_url + "/", timeout=2).json()
        except httpx.TransportError:  # between the old worker stopping and the new one listening
            seen = None
        if seen == {"version": 2}:
            break
        time.sleep(0.2)
    assert seen == {"version": 2}, server.output()
    # dev logs at debug level, the framework's loggers included.
    assert "DEBUG:    debug line from version 1" in server.output()


def test_unloadable_app_exits_2_before_serving(
    run_nexios: Callable[..., subprocess.CompletedProcess[str]], write_module: Callable[..., Path], tmp_path: Path
) -> None:
    write_module("served", APP)
    completed = run_nexios(["run", "served:ap", "--reload"], cwd=tmp_path, timeout=30)
    assert completed.returncode == 2
    assert completed.stderr.strip() == (
        f"Error: Module 'served' ({tmp_path / 'served.py'}) has no attribute 'ap'; apps in it: app"
    )


def test_reload_and_workers_cannot_be_combined(
    run_nexios: Callable[..., subprocess.CompletedProcess[str]], write_module: Callable[..., Path], tmp_path: Path
) -> None:
    write_module("served", APP)
    completed = run_nexios(["run", "served:app", "--reload", "--workers", "2"], cwd=tmp_path, timeout=30)
    assert completed.returncode == 2
    assert "--reload and --workers cannot be combined" in completed.stderr


def test_invalid_log_level_is_a_usage_error(
    run_nexios: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    completed = run_nexios(["run", "x:app", "--log-level", "loud"], cwd=tmp_path, timeout=30)
    assert completed.returncode == 2
    assert "'loud' is not one of" in completed.stderr
