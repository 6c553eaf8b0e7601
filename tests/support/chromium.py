"""Drive Debian's headless Chromium over the DevTools protocol, for tests of pages in a real browser.

``with Browser() as browser: visit = browser.visit(url, ready_js)`` loads ``url`` in a fresh
profile and returns a :class:`Visit`: every URL the page requested, the console and security log
(Content-Security-Policy violations land there), uncaught exceptions, the value of ``ready_js``
once it became truthy, and a PNG screenshot. The network is restricted to loopback: every other
request goes to a proxy on a closed loopback port and fails, so a page that works here works
without internet access (and the recorded URLs show whether it tried to reach out).

Only the standard library and ``websockets`` (from uvicorn[standard]) are used; no driver package.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from websockets.sync.client import ClientConnection, connect

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
STARTUP_TIMEOUT = 30.0
TYPE_PREFIX = "type:"

# The flags the project's browser tests use: headless, no sandbox (CI runs as root), nothing
# phoning home, a closed proxy for every non-loopback request.
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
    "--mute-audio", "--proxy-server=http://127.0.0.1:9",
    "--window-size=1280,1600", "--remote-debugging-port=0",
)


def available() -> bool:
    """Whether a Chromium binary is installed (``.ci/run`` installs Debian's when missing)."""
    return Path(CHROMIUM).exists()


@dataclass
class Visit:
    """What one page load showed."""

    url: str
    requests: list[str] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    ready: Any = None
    steps_done: int = 0
    """How many waits succeeded (the first is the page's own ``ready_js``)."""
    screenshot: bytes = b""

    @property
    def outside_requests(self) -> list[str]:
        """Requested URLs that are neither loopback nor in-page (``data:``, ``blob:``)."""
        outside = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob", "about", "chrome", "devtools"):
                continue
            if (parts.hostname or "") not in LOOPBACK_HOSTS:
                outside.append(url)
        return outside

    @property
    def csp_violations(self) -> list[str]:
        """Console/security log lines about the Content-Security-Policy."""
        return [entry.get("text", "") for entry in self.log if "Content Security Policy" in entry.get("text", "")]

    @property
    def errors(self) -> list[str]:
        """Error-level log lines and uncaught exceptions."""
        return [entry.get("text", "") for entry in self.log if entry.get("level") == "error"] + self.exceptions


class Browser:
    """One headless Chromium process with a fresh profile, closed at the end of the block."""

    def __init__(self) -> None:
        self._profile = tempfile.mkdtemp(prefix="nexios-chromium-")
        self._process: subprocess.Popen[bytes] | None = None
        self._port = 0
        self._ids = itertools.count(1)

    def __enter__(self) -> Browser:
        self._process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        port_file = Path(self._profile) / "DevToolsActivePort"
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not (port_file.exists() and port_file.read_text().strip()):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise RuntimeError("Chromium did not start (no DevToolsActivePort)")
            time.sleep(0.05)
        self._port = int(port_file.read_text().split()[0])
        return self

    def __exit__(self, *exc: object) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            # Chromium starts helper processes in its own session: end the whole group we made.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        shutil.rmtree(self._profile, ignore_errors=True)

    def _devtools(self, path: str, method: str = "GET") -> Any:
        request = urllib.request.Request(f"http://127.0.0.1:{self._port}{path}", method=method)
        with urllib.request.urlopen(request, timeout=10) as answer:
            body = answer.read()
        return json.loads(body) if body.strip().startswith((b"{", b"[")) else body

    def visit(self, url: str, ready_js: str, *, steps: Sequence[tuple[str, str]] = (), timeout: float = 30.0,
              settle: float = 1.0) -> Visit:
        """Load ``url`` and wait until ``ready_js`` (an expression) is truthy; then for each
        ``(action_js, ready_js)`` of ``steps``, run the action (``"type:text"`` types ``text``
        into the focused element) and wait again (``ready`` holds the last value, ``None`` if a
        wait timed out). Finally wait ``settle`` seconds more for late requests, and take a
        screenshot."""
        visit = Visit(url)
        # A new tab per visit, so that nothing (log entries, cache) carries over from the last.
        tab = self._devtools("/json/new?about:blank", method="PUT")
        try:
            self._load(str(tab["webSocketDebuggerUrl"]), visit, [("", ready_js), *steps], timeout, settle)
        finally:
            self._devtools(f"/json/close/{tab['id']}")
        return visit

    def _load(self, socket_url: str, visit: Visit, steps: Sequence[tuple[str, str]], timeout: float,
              settle: float) -> None:
        with connect(socket_url, max_size=None, open_timeout=10) as socket:
            for method in ("Network.enable", "Log.enable", "Runtime.enable", "Page.enable"):
                self._call(socket, visit, method)
            self._call(socket, visit, "Page.navigate", {"url": visit.url})
            for action_js, ready_js in steps:
                if action_js.startswith(TYPE_PREFIX):  # typed into the focused element, as a person would
                    self._call(socket, visit, "Input.insertText", {"text": action_js[len(TYPE_PREFIX):]})
                elif action_js:
                    self._call(socket, visit, "Runtime.evaluate", {"expression": action_js})
                visit.ready = self._wait(socket, visit, ready_js, timeout)
                if visit.ready is None:
                    break
                visit.steps_done += 1
            settle_until = time.monotonic() + settle
            while time.monotonic() < settle_until:
                self._call(socket, visit, "Runtime.evaluate", {"expression": "1"})
                time.sleep(0.1)
            shot = self._call(socket, visit, "Page.captureScreenshot", {"format": "png"})
            visit.screenshot = base64.b64decode(shot.get("data", ""))

    def _wait(self, socket: ClientConnection, visit: Visit, ready_js: str, timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        # An element found is reported as `true` (a DOM node cannot be returned by value).
        expression = f"(() => {{ const found = ({ready_js}); return found instanceof Node ? true : found; }})()"
        while time.monotonic() < deadline:
            result = self._call(socket, visit, "Runtime.evaluate", {"expression": expression, "returnByValue": True})
            value = result.get("result", {}).get("value")
            if value:
                return value
            time.sleep(0.2)
        return None

    def _call(self, socket: ClientConnection, visit: Visit, method: str,
              params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send one command; record the events that arrive before its answer."""
        message_id = next(self._ids)
        socket.send(json.dumps({"id": message_id, "method": method, "params": params or {}}))
        while True:
            message = json.loads(socket.recv(timeout=30))
            if message.get("id") == message_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))
            self._record(visit, message)

    @staticmethod
    def _record(visit: Visit, event: dict[str, Any]) -> None:
        method = event.get("method")
        params = event.get("params", {})
        if method == "Network.requestWillBeSent":
            visit.requests.append(params["request"]["url"])
        elif method == "Log.entryAdded":
            visit.log.append(params["entry"])
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", []))
            visit.log.append({"level": "error" if params.get("type") == "error" else "info", "text": text})
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            visit.exceptions.append(str(details.get("exception", {}).get("description") or details.get("text")))


__all__ = ["CHROMIUM", "Browser", "Visit", "available"]
