"""Helpers for the CLI tests: apps written to temporary files, the command run in-process (click's
``CliRunner``) or as a real process, and a server started by ``nexios run``/``dev`` on a free port."""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from nexios_cli.main import main

STARTUP_TIMEOUT = 20.0
SHUTDOWN_TIMEOUT = 10.0


@pytest.fixture(autouse=True)
def isolated_imports(tmp_path: Path) -> Iterator[None]:
    """Each test imports its own ``main``/``app`` modules: forget those written under ``tmp_path``
    afterwards and restore ``sys.path``, so the next test's files of the same name are imported
    afresh (modules from anywhere else stay, so classes keep their identity across tests)."""
    saved_path = list(sys.path)
    importlib.invalidate_caches()
    yield
    sys.path[:] = saved_path
    root = str(tmp_path)
    for name, module in list(sys.modules.items()):
        if (getattr(module, "__file__", None) or "").startswith(root):
            del sys.modules[name]


@pytest.fixture
def write_module(tmp_path: Path) -> Callable[..., Path]:
    """``write_module("main", source, directory=None)`` writes ``<directory or tmp_path>/main.py``
    (source dedented) and returns its path."""

    def write(name: str, source: str, directory: Path | None = None) -> Path:
        path = (directory or tmp_path) / f"{name}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        return path

    return write


@pytest.fixture
def invoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """``invoke([...], input=None)`` runs ``nexios ...`` in-process with ``tmp_path`` as the
    current directory and ``NEXIOS_APP`` unset."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEXIOS_APP", raising=False)
    runner = CliRunner()

    def run(args: Sequence[str], input: str | None = None) -> Result:
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return run


def _run_nexios(args: Sequence[str], cwd: Path, input: str | None = None, timeout: float = 60.0,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "NEXIOS_APP"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "nexios_cli", *args], cwd=cwd, input=input, capture_output=True, text=True,
        timeout=timeout, env=environment,
    )


@pytest.fixture
def run_nexios() -> Callable[..., subprocess.CompletedProcess[str]]:
    """``run_nexios([...], cwd, input=None, env=None)``: ``python -m nexios_cli ...`` as a real
    process (bounded by a timeout), output captured as text."""
    return _run_nexios


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServerProcess:
    """A ``nexios run``/``dev`` process; ``base_url`` once it answers; ``output()`` its log."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
        self.process = process
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = log_path

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_until_serving(self, probe_path: str = "/") -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server exited with {self.process.returncode}:\n{self.output()}")
            try:
                httpx.get(self.base_url + probe_path, timeout=1.0)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        pytest.fail(f"server did not answer within {STARTUP_TIMEOUT}s:\n{self.output()}")

    def stop(self) -> None:
        # The server runs in its own session, so the whole group (a reloader and its worker,
        # or a supervisor and its workers) is stopped, and nothing outlives the test.
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(SHUTDOWN_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(SHUTDOWN_TIMEOUT)


@pytest.fixture
def nexios_server(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """``nexios_server(["run", "main:app"], probe_path="/")`` starts the command on a free port
    in ``tmp_path`` and returns once it answers HTTP; it is stopped when the test ends."""
    servers: list[ServerProcess] = []

    def start(args: Sequence[str], probe_path: str = "/", cwd: Path | None = None) -> ServerProcess:
        port = free_port()
        log_path = tmp_path / f"server-{port}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "nexios_cli", *args, "--port", str(port)],
                cwd=cwd or tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        server = ServerProcess(process, port, log_path)
        servers.append(server)
        server.wait_until_serving(probe_path)
        return server

    yield start
    for server in servers:
        server.stop()
