"""A real ``redis-server`` for tests: started on a free port with persistence off, and killed or
restarted on the same port by tests that need Redis to go away and come back.

Without the binary, tests that need it are skipped on a developer machine and fail under CI
(``CI=true``), where ``.ci/run`` installs it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator

import pytest

LOCALHOST = "127.0.0.1"


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


def redis_binary() -> str:
    """The ``redis-server`` path, or skip (fail under CI) when it is not installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
            pytest.fail("redis-server is not installed; CI must install it (see .ci/run)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    return binary


class RedisServer:
    """One ``redis-server`` process on a port of its own; ``url`` stays valid across restarts."""

    def __init__(self, binary: str, workdir: str) -> None:
        self.binary = binary
        self.workdir = workdir
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:PORT/0``."""
        return f"redis://{LOCALHOST}:{self.port}/0"

    def start(self, attempts: int = 3) -> None:
        """Start on a free port (another one if a different process takes it first)."""
        for _ in range(attempts):
            self.port = _free_port()
            if self._spawn():
                return
        raise RuntimeError("redis-server could not get a free port")

    def _spawn(self) -> bool:
        process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", LOCALHOST, "--save", "", "--appendonly", "no",
             "--dir", self.workdir],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and process.poll() is None:
            if _answers_ping(self.port):
                self.process = process
                return True
            time.sleep(0.05)
        if process.poll() is None:
            process.kill()
        output = process.communicate(timeout=10)[0].decode(errors="replace")
        if "address already in use" not in output.lower():
            raise RuntimeError(f"redis-server did not start:\n{output}")
        return False

    def kill(self) -> None:
        """Kill it at once (SIGKILL), as a crash would; the port is free again afterwards."""
        process, self.process = self.process, None
        if process is not None:
            process.kill()
            process.wait(10)
            if process.stdout is not None:
                process.stdout.close()

    def restart(self) -> None:
        """Start again on the same port, empty (persistence is off)."""
        assert self.process is None, "kill() it first"
        deadline = time.monotonic() + 10
        while not self._spawn():  # the old socket may linger for a moment
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server could not listen on {self.port} again")
            time.sleep(0.2)

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), or kill it if it does not stop."""
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


@contextlib.contextmanager
def running_redis() -> Iterator[RedisServer]:
    """A started :class:`RedisServer`, stopped (and its directory removed) at the end."""
    binary = redis_binary()
    with tempfile.TemporaryDirectory(prefix="nexios-redis-") as workdir:
        server = RedisServer(binary, workdir)
        server.start()
        try:
            yield server
        finally:
            server.stop()


# Fixtures, for a conftest to import (``from tests.support.redis_server import redis_url, ...``).
@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A redis-server shared by the tests of a folder (each test uses its own key prefix)."""
    with running_redis() as server:
        yield server.url


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A redis-server of the test's own, which the test may kill and restart."""
    with running_redis() as server:
        yield server


@pytest.fixture
def prefix() -> str:
    """A Redis key prefix of the test's own."""
    return f"test:{uuid.uuid4().hex}:"


__all__ = ["LOCALHOST", "RedisServer", "prefix", "redis_binary", "redis_server", "redis_url", "running_redis"]
