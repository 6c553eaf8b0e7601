"""What the app does for logging around each request, and only when logging asks for it.

- The ``X-Request-ID`` echo (:func:`echoing_request_id`, :func:`has_request_id_header`), which the
  app does itself on the plain path.
- :class:`RequestObserver`, which the app puts around its whole stack at start-up when the
  ``nexios.access`` logger is enabled for INFO (one access record per request: method, route
  template, status, duration, client, request id) or when something asked for request ids in log
  records from other threads and tasks (:func:`nexios_core.request_ids.bind_request_ids`). When
  neither holds at start-up, it is not there and costs nothing.

Access records never hold headers, cookies, the query string or the raw path: the route template
(``/users/{user_id}``) names what was asked without what was in it.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any, Protocol, runtime_checkable

from .request_ids import (
    REQUEST_ID_HEADER,
    bind_current_request_id,
    raw_request_id,
    request_id,
    request_ids_bound,
    unbind_current_request_id,
)
from .types import ASGIApp, Message, Receive, Scope, Send

ACCESS_LOGGER = "nexios.access"
"""The logger access records go to (one INFO record per request)."""

access_logger = logging.getLogger(ACCESS_LOGGER)
_OBSERVED = "nexios.observed"


@runtime_checkable
class DescribesRoutes(Protocol):
    """A dispatcher that can name the route serving a request (``nexios_routing.Router`` does).
    Optional: logs and traces then show the route template instead of nothing."""

    def route_template(self, scope: Scope) -> str | None:
        """The template of the route serving ``scope`` (``"/users/{user_id:int}"``), a mount's
        prefix followed by what the mounted app says, or ``None`` when no route matches."""
        ...


def route_template(app: Any, scope: Scope) -> str | None:
    """The route template ``app``'s dispatcher gives for ``scope``, if it can say."""
    dispatcher = getattr(app, "dispatcher", None)
    describe = getattr(dispatcher, "route_template", None)
    if describe is None:
        return None
    try:
        return describe(scope)  # type: ignore[no-any-return]
    except Exception:  # describing a request must never fail it
        return None


def has_request_id_header(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether response ``headers`` already carry ``X-Request-ID`` (set by the handler, or by
    the 500 response)."""
    for name, _ in headers:
        if name == REQUEST_ID_HEADER:
            return True
    return False


def echoing_request_id(send: Send, value: bytes) -> Send:
    """``send``, adding ``X-Request-ID: value`` to the response start unless it has one."""

    async def send_with_request_id(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers") or ())
            if not has_request_id_header(headers):
                headers.append((REQUEST_ID_HEADER, value))
                message = {**message, "headers": headers}
        await send(message)

    return send_with_request_id


class RequestObserver:
    """Around the app's stack: binds the request id for log records made in other threads and
    tasks, and writes the access record. Built by :func:`observe_requests`."""

    def __init__(self, app: ASGIApp, owner: Any, *, access_log: bool, bind_ids: bool) -> None:
        self.app = app
        self.owner = owner
        self.access_log = access_log
        # Access records carry the id through the context variable, like every other record.
        self.bind_ids = bind_ids or access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if (kind != "http" and kind != "websocket") or _OBSERVED in scope:
            # A mounted app's copy of the scope was observed by the app it is mounted in.
            await self.app(scope, receive, send)
            return
        scope[_OBSERVED] = True
        token = bind_current_request_id(request_id(scope)) if self.bind_ids else None
        if not self.access_log:
            try:
                await self.app(scope, receive, send)
            finally:
                if token is not None:
                    unbind_current_request_id(token)
            return
        status = 0
        started = time.perf_counter()

        async def recording_send(message: Message) -> None:
            nonlocal status
            kind = message["type"]
            if kind == "http.response.start" or kind == "websocket.http.response.start":
                status = message["status"]
            elif kind == "websocket.accept":
                status = 101
            elif kind == "websocket.close" and status == 0:
                status = 403  # refused before the handshake completed
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        except BaseException:
            if status == 0:
                status = 500  # what the server answers for an app that raised
            raise
        finally:
            try:
                self._log_access(scope, status, time.perf_counter() - started)
            finally:
                if token is not None:
                    unbind_current_request_id(token)

    def _log_access(self, scope: Scope, status: int, seconds: float) -> None:
        method = scope.get("method", "WEBSOCKET")
        route = route_template(self.owner, scope)
        client = scope.get("client")
        address = f"{_plain_host(client[0])}:{client[1]}" if client else None
        duration_ms = round(seconds * 1000, 3)
        access_logger.info(
            '%s "%s %s" %d %.2fms', address or "-", method, route or "-", status, duration_ms,
            extra={
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": duration_ms,
                "client": address,
            },
        )


_ADDRESS = re.compile(r"[0-9A-Za-z.:_\[\]%-]*")


def _plain_host(host: Any) -> str:
    # The server's proxy-header support copies the client's address from X-Forwarded-For when
    # the peer is trusted; a value that is no address (quotes, spaces: a forged access line
    # inside the real one) is written escaped and quoted, so a text line can be parsed.
    text = str(host)
    return text if _ADDRESS.fullmatch(text) else json.dumps(text)


def access_log_enabled() -> bool:
    """Whether the ``nexios.access`` logger would write an INFO record now."""
    return access_logger.isEnabledFor(logging.INFO)


class RequestIdEcho:
    """Around raw ASGI middleware: answers they give themselves (a CORS preflight, a refused
    ``Host``) carry ``X-Request-ID`` too. Apps without raw ASGI middleware echo it on their own
    path, without this layer."""

    def __init__(self, app: ASGIApp, owner: Any) -> None:
        self.app = app
        self.owner = owner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.owner.echo_request_id:
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, echoing_request_id(send, raw_request_id(scope)))


def observe_requests(app: ASGIApp, owner: Any) -> ASGIApp:
    """``app`` (the app's stack, built at start-up) wrapped in what logging asks for now: a
    :class:`RequestObserver` for access records or bound request ids. Under raw ASGI middleware
    (``owner.asgi_middleware``), also a :class:`RequestIdEcho`. Otherwise ``app`` itself."""
    if getattr(owner, "asgi_middleware", ()):
        app = RequestIdEcho(app, owner)
    access_log = access_log_enabled()
    bind_ids = request_ids_bound()
    if not access_log and not bind_ids:
        return app
    return RequestObserver(app, owner, access_log=access_log, bind_ids=bind_ids)


__all__ = [
    "ACCESS_LOGGER",
    "DescribesRoutes",
    "RequestIdEcho",
    "RequestObserver",
    "access_log_enabled",
    "echoing_request_id",
    "has_request_id_header",
    "observe_requests",
    "route_template",
]
