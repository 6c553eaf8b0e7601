"""``HTTPConnection``: what a request and a WebSocket handshake share, read the same way."""

from __future__ import annotations

from typing import Any

import pytest

from nexios.http import HTTPConnection
from nexios_core.request import Request
from nexios_core.websocket import WebSocket


async def _never() -> Any:
    raise AssertionError("not called")


def _scope(kind: str, **extra: Any) -> dict[str, Any]:
    scope: dict[str, Any] = {
        "type": kind,
        "path": "/rooms/7",
        "query_string": b"token=abc&tag=a&tag=b",
        "headers": [(b"host", b"example.org"), (b"cookie", b"theme=dark; sid=42"), (b"x-api-key", b"k1")],
        "client": ("10.0.0.5", 5123),
    }
    if kind == "http":
        scope["method"] = "GET"
    scope.update(extra)
    return scope


def _connections(**extra: Any) -> list[HTTPConnection]:
    return [Request(_scope("http", **extra)), WebSocket(_scope("websocket", **extra), _never, _never)]


def credentials(connection: HTTPConnection) -> dict[str, Any]:
    """A helper a user would write once and use for requests and WebSockets alike."""
    return {
        "key": connection.headers.get("x-api-key"),
        "token": connection.query_params.get("token"),
        "tags": connection.query_params.getlist("tag"),
        "sid": connection.cookies.get("sid"),
        "client": connection.client.host if connection.client else None,
        "path": connection.path,
        "host": connection.url.hostname,
    }


def test_a_helper_typed_with_http_connection_reads_requests_and_websockets_alike() -> None:
    request, websocket = _connections()
    expected = {
        "key": "k1", "token": "abc", "tags": ["a", "b"], "sid": "42", "client": "10.0.0.5",
        "path": "/rooms/7", "host": "example.org",
    }
    assert credentials(request) == expected
    assert credentials(websocket) == expected


def test_the_scheme_defaults_by_kind_and_follows_the_scope() -> None:
    request, websocket = _connections()
    assert (request.scheme, websocket.scheme) == ("http", "ws")
    assert request.url.scheme == "http"
    secure_request, secure_websocket = _connections(scheme="https")
    assert secure_request.scheme == "https"
    assert WebSocket(_scope("websocket", scheme="wss"), _never, _never).scheme == "wss"
    assert secure_websocket.scheme == "https"  # whatever the server says is kept


def test_state_and_path_params_are_kept_in_the_scope() -> None:
    for connection in _connections(path_params={"room": 7}):
        connection.state.seen = True
        assert connection.scope["state"].seen is True
        assert connection.path_params == {"room": 7}


@pytest.mark.parametrize("index, name", [(0, "request"), (1, "websocket")])
def test_session_without_the_middleware_names_what_is_missing(index: int, name: str) -> None:
    connection = _connections()[index]
    with pytest.raises(RuntimeError, match=rf"^{name}\.session needs SessionMiddleware"):
        _ = connection.session
    assert connection.user is None and connection.auth is None
