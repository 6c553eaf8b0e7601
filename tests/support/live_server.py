"""Run an ASGI app under real uvicorn, on a real socket, for end-to-end tests.

``with run_live_server(app) as base_url:`` serves an app object from a thread (fast, shares the
test's memory); ``with run_live_server("package.module:app") as base_url:`` serves an import
string from a child process, which is what signal and shutdown tests need (signals reach only a
process's main thread). Either way the server listens on a free port of 127.0.0.1, the block starts
once it accepts connections, and it is shut down gracefully, with bounded waits, at the end.
:func:`live_server` yields the :class:`LiveServer` itself (port, process, captured output).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn

from nexios_core.types import ASGIApp

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCALHOST = "127.0.0.1"

_CHILD_PROGRAM = "import json, sys, uvicorn; uvicorn.run(sys.argv[1], **json.loads(sys.argv[2]))"
_PORT_TAKEN_MARKERS = ("address already in use", "error while attempting to bind")


class LiveServer:
    """One uvicorn server. ``app`` is an ASGI app (served from a thread) or an import string
    ``"module:attribute"`` (served by a child process; ``uvicorn_options`` must then be JSON).
    ``python`` runs that child with another interpreter (a fresh virtual environment's, where
    uvicorn is installed too); by default the test's own."""

    def __init__(
        self,
        app: ASGIApp | str,
        *,
        startup_timeout: float = 10.0,
        shutdown_timeout: float = 10.0,
        python: str | os.PathLike[str] | None = None,
        **uvicorn_options: Any,
    ) -> None:
        self.app = app
        self.python = os.fspath(python) if python is not None else sys.executable
        self.startup_timeout = startup_timeout
        self.shutdown_timeout = shutdown_timeout
        self.uvicorn_options = uvicorn_options
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._log_path: str | None = None
        self._thread_exit_code: int | str | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{LOCALHOST}:{self.port}"

    @property
    def ws_url(self) -> str:
        """``ws://127.0.0.1:PORT``."""
        return f"ws://{LOCALHOST}:{self.port}"

    # ---------------------------------------------------------------- starting
    def start(self) -> None:
        """Start serving and return once the server accepts connections."""
        if isinstance(self.app, str):
            self._start_process(self.app)
        else:
            self._start_thread(self.app)

    def _start_thread(self, app: ASGIApp) -> None:
        # Binding here and handing uvicorn the socket avoids any race for the port.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((LOCALHOST, 0))
        self.port = sock.getsockname()[1]
        options = {"log_level": "warning", **self.uvicorn_options}
        server = uvicorn.Server(uvicorn.Config(app, **options))
        thread = threading.Thread(
            target=self._serve_in_thread, args=(server, sock), name=f"uvicorn-{self.port}", daemon=True
        )
        self._server, self._thread = server, thread
        thread.start()
        deadline = time.monotonic() + self.startup_timeout
        while not server.started:
            if not thread.is_alive():
                sock.close()
                raise RuntimeError(
                    f"uvicorn stopped during start-up with exit code {self._thread_exit_code} "
                    "(its log is in the captured output)"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"uvicorn did not start within {self.startup_timeout}s")
            time.sleep(0.01)

    def _serve_in_thread(self, server: uvicorn.Server, sock: socket.socket) -> None:
        try:
            server.run(sockets=[sock])
        except SystemExit as exc:  # uvicorn exits this way when the app's start-up fails
            self._thread_exit_code = exc.code

    def _start_process(self, import_string: str, attempts: int = 3) -> None:
        for attempt in range(attempts):
            self.port = _free_port()
            self._spawn(import_string)
            try:
                self._wait_until_accepting()
                return
            except RuntimeError:
                output = self.output().lower()
                self._discard_log()
                # Another process may take the free port before the child binds it; try another.
                if attempt + 1 == attempts or not any(m in output for m in _PORT_TAKEN_MARKERS):
                    raise

    def _spawn(self, import_string: str) -> None:
        options = {"host": LOCALHOST, "port": self.port, "log_level": "info", **self.uvicorn_options}
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        env["PYTHONUNBUFFERED"] = "1"
        fd, self._log_path = tempfile.mkstemp(prefix="live-server-", suffix=".log")
        with os.fdopen(fd, "wb") as log:
            self.process = subprocess.Popen(
                [self.python, "-c", _CHILD_PROGRAM, import_string, json.dumps(options)],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=REPO_ROOT,
                env=env,
            )

    def _wait_until_accepting(self) -> None:
        process = self.process
        assert process is not None
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"uvicorn exited with code {process.returncode} during start-up:\n{self.output()}"
                )
            try:
                with socket.create_connection((LOCALHOST, self.port), timeout=0.5):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"uvicorn did not start within {self.startup_timeout}s; its output:\n"
                                   f"{self.output()}")
            time.sleep(0.05)

    # ---------------------------------------------------------------- stopping
    def stop(self) -> None:
        """Shut down gracefully (SIGINT for a child process); force it after ``shutdown_timeout``."""
        if self._thread is not None and self._server is not None:
            self._server.should_exit = True
            self._thread.join(self.shutdown_timeout)
            if self._thread.is_alive():
                self._server.force_exit = True
                self._thread.join(self.shutdown_timeout)
            alive = self._thread.is_alive()
            self._thread = self._server = None
            if alive:
                raise RuntimeError("uvicorn did not stop")
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(self.shutdown_timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(self.shutdown_timeout)
                raise RuntimeError(f"uvicorn ignored SIGINT and was killed:\n{self.output()}") from None

    def output(self) -> str:
        """What the child process has printed so far (empty in thread mode)."""
        if self._log_path is None:
            return ""
        with open(self._log_path, encoding="utf-8", errors="replace") as log:
            return log.read()

    def _discard_log(self) -> None:
        if self._log_path is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._log_path)
            self._log_path = None

    def close(self) -> None:
        """Stop the server and remove its log."""
        try:
            self.stop()
        finally:
            self._discard_log()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCALHOST, 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def live_server(app: ASGIApp | str, **options: Any) -> Iterator[LiveServer]:
    """Serve ``app`` for the duration of the block and yield the :class:`LiveServer`."""
    server = LiveServer(app, **options)
    try:
        server.start()
        yield server
    finally:
        server.close()


@contextlib.contextmanager
def run_live_server(app: ASGIApp | str, **options: Any) -> Iterator[str]:
    """Serve ``app`` for the duration of the block and yield ``"http://127.0.0.1:PORT"``."""
    with live_server(app, **options) as server:
        yield server.base_url


__all__ = ["LOCALHOST", "REPO_ROOT", "LiveServer", "live_server", "run_live_server"]
