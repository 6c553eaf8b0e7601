"""The benchmarked endpoints, shared by both runners.

One list says, for every endpoint: the request to send, the answer every app must give (checked
before anything is timed, so a fast wrong answer never counts), and the speed target for the
Nexios app as a fraction of the raw ASGI app's throughput.
"""

from __future__ import annotations

import importlib
import json
import traceback
from dataclasses import dataclass
from typing import Any

ECHO_BODY = json.dumps(
    {"name": "nexios", "tags": ["fast", "asgi"], "count": 3, "nested": {"ok": True, "ratio": 0.5}},
    separators=(",", ":"),
).encode()


@dataclass(frozen=True)
class Endpoint:
    """One benchmarked request and the answer it must get."""

    name: str
    method: str
    path: str
    query: str = ""
    body: bytes = b""
    expected_status: int = 200
    expected_type: str = "application/json"
    expected_json: Any = None
    expected_text: str | None = None
    target: float | None = None

    @property
    def url_path(self) -> str:
        """The path with its query string, as a client writes it."""
        return f"{self.path}?{self.query}" if self.query else self.path

    def check(self, status: int, content_type: str, body: bytes) -> str | None:
        """Return why a response is wrong for this endpoint, or None when it is right."""
        if status != self.expected_status:
            return f"status {status}, expected {self.expected_status} (body {body[:80]!r})"
        if not content_type.lower().startswith(self.expected_type):
            return f"content-type {content_type!r}, expected {self.expected_type}"
        if self.expected_text is not None:
            if body.decode("utf-8", "replace") != self.expected_text:
                return f"body {body[:80]!r}, expected {self.expected_text!r}"
            return None
        try:
            decoded = json.loads(body)
        except ValueError:
            return f"body is not JSON: {body[:80]!r}"
        if decoded != self.expected_json:
            return f"body {decoded!r}, expected {self.expected_json!r}"
        return None


HELLO = "Hello, World!"

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("plaintext", "GET", "/plaintext", expected_type="text/plain", expected_text=HELLO, target=0.85),
    Endpoint("json", "GET", "/json", expected_json={"message": HELLO}, target=0.80),
    Endpoint("users", "GET", "/users/42", expected_json={"user_id": 42, "name": "John Doe"}, target=0.75),
    Endpoint("echo", "POST", "/echo", body=ECHO_BODY, expected_json=json.loads(ECHO_BODY)),
    Endpoint("mw", "GET", "/mw/plaintext", expected_type="text/plain", expected_text=HELLO, target=0.80),
    Endpoint(
        "query",
        "GET",
        "/query",
        query="limit=10&offset=5",
        expected_json={"limit": 10, "offset": 5},
        target=0.70,
    ),
    Endpoint(
        "typed_query",
        "GET",
        "/typed-query",
        query="limit=10&offset=5",
        expected_json={"limit": 10, "offset": 5},
        target=0.70,
    ),
    Endpoint(
        "missing",
        "GET",
        "/missing",
        expected_status=404,
        expected_json={"detail": "Not Found"},
        target=0.80,
    ),
    Endpoint("di", "GET", "/di", expected_json={"db": "ok", "user": "u1"}, target=0.75),
)

ENDPOINT_NAMES = tuple(endpoint.name for endpoint in ENDPOINTS)


def select_endpoints(names: list[str] | None) -> list[Endpoint]:
    """The endpoints named on the command line (all of them when none are named), in list order."""
    if not names:
        return list(ENDPOINTS)
    unknown = sorted(set(names) - set(ENDPOINT_NAMES))
    if unknown:
        raise SystemExit(f"unknown endpoint(s) {', '.join(unknown)}; choose from {', '.join(ENDPOINT_NAMES)}")
    return [endpoint for endpoint in ENDPOINTS if endpoint.name in names]


@dataclass(frozen=True)
class AppSpec:
    """A benchmarked application: its module in bench/ and its ``module:attribute`` for uvicorn."""

    label: str
    module: str

    @property
    def import_string(self) -> str:
        """What uvicorn is told to load."""
        return f"{self.module}:app"


RAW = AppSpec("raw", "raw_app")
NEXIOS = AppSpec("nexios", "nexios_app")
STARLETTE = AppSpec("starlette", "starlette_app")


def declared_skips(module: Any) -> dict[str, str]:
    """Endpoints an app module says it cannot serve yet (name -> reason), e.g. /di before DI exists."""
    skips = getattr(module, "UNSUPPORTED_ENDPOINTS", {})
    return {str(name): str(reason) for name, reason in dict(skips).items()}


def load_app_module(spec: AppSpec) -> tuple[Any, str | None]:
    """Import an app module from bench/; return (module, None) or (None, why it failed)."""
    try:
        return importlib.import_module(spec.module), None
    except Exception as exc:  # any failure is reported, never fatal: the other apps still run
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return None, f"import of {spec.module} failed: {last}"
