"""Turning exceptions into responses.

Handlers are registered by exception class or by status code and called as
``handler(request, response, exc)``; they may return anything a route handler may return.
``HTTPException`` without a handler becomes ``{"detail": ...}`` with its status and headers.
Anything else becomes a 500 that is logged once with a request id; the body is fixed unless
``debug`` is on, whatever the client's ``Accept`` says.
"""

from __future__ import annotations

import html
import logging
import sys
import traceback
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import anyio.to_thread

from .concurrency import is_async_callable
from .exceptions import HTTPException
from .request import Request
from .request_ids import REQUEST_ID_SCOPE_KEY, request_id
from .request_log import route_template
from .responses import BaseResponse, HTMLResponse, JSONResponse, Response

logger = logging.getLogger("nexios.error")

ExceptionHandler = Callable[[Request, Response, Any], Awaitable[Any] | Any]
ExceptionKey = int | type[BaseException]


def request_id_for(request: Request) -> str:
    """The request id: a well-formed ``X-Request-ID`` from the client, or a new random one
    (see :mod:`nexios_core.request_ids`)."""
    return request_id(request.scope)


class ExceptionHandlers:
    """The registry of exception handlers of an app (or router)."""

    def __init__(self, handlers: Mapping[ExceptionKey, ExceptionHandler] | None = None) -> None:
        self.by_status: dict[int, ExceptionHandler] = {}
        self.by_class: dict[type[BaseException], ExceptionHandler] = {}
        self._handles: dict[tuple[type[BaseException], int | None], bool] = {}
        for key, handler in (handlers or {}).items():
            self.add(key, handler)

    def handles(self, exc_class: type[BaseException], status_code: int | None = None) -> bool:
        """Whether a handler is registered for ``exc_class`` (or its bases) or ``status_code``.

        Dispatchers ask this to answer common errors (a 404) without raising when nobody would
        customise them; the answer is memoised until a handler is added.
        """
        key = (exc_class, status_code)
        known = self._handles.get(key)
        if known is None:
            known = (status_code is not None and status_code in self.by_status) or any(
                cls in self.by_class for cls in exc_class.__mro__
            )
            self._handles[key] = known
        return known

    def add(self, key: ExceptionKey, handler: ExceptionHandler) -> None:
        """Register ``handler`` for an exception class or an HTTP status code."""
        self._handles.clear()
        if isinstance(key, int):
            self.by_status[key] = handler
        elif isinstance(key, type) and issubclass(key, BaseException):
            self.by_class[key] = handler
        else:
            raise TypeError("Exception handlers are keyed by an exception class or a status code")

    def find(self, exc: BaseException) -> ExceptionHandler | None:
        """The most specific handler for ``exc``: its status first, then its class hierarchy."""
        if isinstance(exc, HTTPException) and exc.status_code in self.by_status:
            return self.by_status[exc.status_code]
        if self.by_class:
            for cls in type(exc).__mro__:
                handler = self.by_class.get(cls)
                if handler is not None:
                    return handler
        return None

    @property
    def server_error_handler(self) -> ExceptionHandler | None:
        """A handler registered for 500 or ``Exception``, used for unhandled errors."""
        return self.by_status.get(500) or self.by_class.get(Exception)


async def call_exception_handler(
    handler: ExceptionHandler, request: Request, response: Response, exc: BaseException
) -> BaseResponse:
    """Run ``handler`` (sync handlers in a worker thread) and return the response to send."""
    from .middleware.chain import to_response

    if is_async_callable(handler):
        result = await handler(request, response, exc)
    else:
        result = await anyio.to_thread.run_sync(handler, request, response, exc)
    return to_response(result, response)


_DEFAULT_BODIES: dict[tuple[int, str], bytes] = {}


def http_exception_response(exc: HTTPException) -> BaseResponse:
    """The default response for an ``HTTPException``."""
    detail = exc.detail
    if isinstance(detail, str) and len(detail) <= 64:
        # 404s and 405s are answered often (scanners, typos): reuse the rendered default bodies.
        key = (exc.status_code, detail)
        body = _DEFAULT_BODIES.get(key)
        if body is None:
            body = _DEFAULT_BODIES.setdefault(key, JSONResponse({"detail": detail}).body) \
                if len(_DEFAULT_BODIES) < 256 else JSONResponse({"detail": detail}).body
        return BaseResponse(body, status_code=exc.status_code, headers=exc.headers or None,
                            media_type="application/json")
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers or None)


def server_error_response(request: Request, exc: BaseException, debug: bool) -> BaseResponse:
    """The 500 response: fixed in production, a traceback page in debug mode."""
    request_id = request_id_for(request)
    headers = {"x-request-id": request_id}
    if not debug:
        return JSONResponse(
            {"detail": "Internal Server Error", "request_id": request_id},
            status_code=500, headers=headers,
        )
    frames = traceback.format_exception(type(exc), exc, exc.__traceback__)
    if request.accepts_html:
        return HTMLResponse(_debug_page(request, exc, frames, request_id), status_code=500,
                            headers=headers)
    return JSONResponse(
        {
            "detail": "Internal Server Error",
            "request_id": request_id,
            "error": f"{type(exc).__name__}: {exc}",
            "traceback": "".join(frames).splitlines(),
        },
        status_code=500, headers=headers,
    )


def log_server_error(request: Request, exc: BaseException) -> None:
    """Log an unhandled error once, with the request id the client sees, the method and the
    route template (never the raw path: it can hold a token, or a line break that would forge
    a log line)."""
    trace = sys.modules.get("opentelemetry.trace")
    if trace is not None:  # the request's span (nexios_core.otel) says why it failed
        trace.get_current_span().record_exception(exc)
    scope = request.scope
    method = scope.get("method", "WEBSOCKET")
    route = route_template(scope.get("app"), scope)
    if route is not None and "nexios.base_app" in scope:
        route = (scope.get("root_path") or "") + route  # a mounted app's: under its prefix
    logger.error(
        "Unhandled %s in %s %s [request_id=%s]",
        type(exc).__name__, method, route or "-", request_id_for(request), exc_info=exc,
        extra={"method": method, "route": route},
    )


def _debug_page(request: Request, exc: BaseException, frames: list[str], request_id: str) -> str:
    title = html.escape(f"{type(exc).__name__}: {exc}")
    trace = html.escape("".join(frames))
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in request.headers.items()
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>500 · Nexios debug</title>"
        "<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#222}"
        "pre{background:#f5f5f5;padding:1rem;overflow:auto}th{text-align:left;padding-right:1rem}"
        ".note{color:#a00}</style></head><body>"
        f"<h1>{title}</h1><p>{html.escape(request.scope.get('method', ''))} "
        f"{html.escape(request.scope.get('path', ''))} · request id <code>{request_id}</code></p>"
        "<p class='note'>Shown because debug mode is on. Never run production with debug=True.</p>"
        f"<h2>Traceback</h2><pre>{trace}</pre><h2>Request headers</h2><table>{rows}</table>"
        "</body></html>"
    )


__all__ = [
    "ExceptionHandler",
    "ExceptionHandlers",
    "REQUEST_ID_SCOPE_KEY",
    "call_exception_handler",
    "http_exception_response",
    "log_server_error",
    "request_id_for",
    "server_error_response",
]
