"""OpenTelemetry for Nexios apps: the ``otel`` extra (``pip install "nexios[otel]"``).

::

    from nexios_core.otel import OpenTelemetry

    app.install(OpenTelemetry())    # the global tracer and meter providers, or pass your own

Per HTTP request: a server span named ``"{method} {route template}"`` (``"GET /users/{id:int}"``;
just the method when no route matches) with the stable HTTP semantic-convention attributes
(``http.request.method``, ``url.scheme``, ``url.path``, ``http.route``,
``http.response.status_code``, ``server.address``/``server.port``, ``client.address``,
``network.protocol.version``, ``user_agent.original``, ``error.type``), a span status of ERROR for
5xx answers and raised exceptions, and one measurement of the ``http.server.request.duration``
histogram (seconds). The incoming W3C ``traceparent``/``tracestate`` (through the global
propagator) makes the span a child of the caller's; during the request the span is current, so
outgoing calls made by instrumented clients, and log lines (:mod:`nexios_core.logs`), carry it.
``trace_response_header=True`` also answers with ``traceresponse`` (W3C Trace Context Level 2).
A WebSocket connection is one span (``"WEBSOCKET {route}"``) from handshake to close.

The query string is not recorded (it may hold secrets), nor any header but ``User-Agent``.
Nothing here is imported unless you import it: an app without this plugin pays nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

try:
    from opentelemetry import context as otel_context
    from opentelemetry import metrics, propagate, trace
    from opentelemetry.propagators.textmap import Getter
    from opentelemetry.trace import SpanKind, Status, StatusCode
except ImportError as missing:  # the extra is optional: say how to get it
    raise ImportError(
        f'OpenTelemetry support needs the otel extra ({missing}): pip install "nexios[otel]" '
        '(or "nexios-core[otel]")'
    ) from missing

from .middleware.asgi import Middleware
from .request import routed_path
from .request_log import route_template
from .types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from .app import App

INSTRUMENTATION_NAME = "nexios"
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
"""The histogram's bucket boundaries in seconds (the semantic conventions' advice)."""
KNOWN_METHODS = frozenset({"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"})


class _HeaderGetter(Getter[Sequence[tuple[bytes, bytes]]]):
    """Reads propagation fields from ASGI's raw header list."""

    def get(self, carrier: Sequence[tuple[bytes, bytes]], key: str) -> list[str] | None:
        wanted = key.lower().encode("latin-1")
        values = [value.decode("latin-1") for name, value in carrier if name == wanted]
        return values or None

    def keys(self, carrier: Sequence[tuple[bytes, bytes]]) -> list[str]:
        return [name.decode("latin-1") for name, _ in carrier]


_GETTER = _HeaderGetter()


class OpenTelemetry:
    """The ``opentelemetry`` plugin (see the module documentation).

    ``tracer_provider`` and ``meter_provider`` default to the global ones (set by the SDK or an
    auto-instrumentation agent). ``excluded_paths`` are routed paths that get no span and no
    measurement (health probes, say). Install it before other raw ASGI middleware to have their
    time counted in the span.
    """

    name = "opentelemetry"

    def __init__(self, *, tracer_provider: trace.TracerProvider | None = None,
                 meter_provider: metrics.MeterProvider | None = None,
                 excluded_paths: Iterable[str] = (), trace_response_header: bool = False) -> None:
        self.tracer = trace.get_tracer(INSTRUMENTATION_NAME, tracer_provider=tracer_provider)
        meter = metrics.get_meter(INSTRUMENTATION_NAME, meter_provider=meter_provider)
        self.duration = meter.create_histogram(
            "http.server.request.duration", unit="s", description="Duration of HTTP server requests.",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
        )
        self.excluded_paths = frozenset(excluded_paths)
        self.trace_response_header = trace_response_header

    def setup(self, app: App) -> None:
        """Wrap ``app``'s request path in :class:`TracingMiddleware`."""
        app.add_middleware(_OwnedMiddleware(TracingMiddleware, plugin=self))


class _OwnedMiddleware(Middleware):
    # The middleware needs the app it serves (to name routes): built with it as `owner`.
    def build(self, app: ASGIApp, owner: Any = None) -> ASGIApp:
        return self.cls(app, owner, *self.args, **self.kwargs)  # type: ignore[no-any-return]


class TracingMiddleware:
    """Raw ASGI middleware making the spans and measurements of :class:`OpenTelemetry`."""

    def __init__(self, app: ASGIApp, owner: Any, *, plugin: OpenTelemetry) -> None:
        self.app = app
        self.owner = owner
        self.plugin = plugin
        # The request headers the global propagator reads (traceparent, tracestate, baggage...),
        # as set up when the app starts: a request carrying none of them skips extraction.
        self.propagated = frozenset(field.lower().encode("latin-1") for field in propagate.get_global_textmap().fields)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if (kind != "http" and kind != "websocket") or routed_path(scope) in self.plugin.excluded_paths \
                or _TRACED in scope:  # a mounted app's copy: its parent made the span
            await self.app(scope, receive, send)
            return
        scope[_TRACED] = True
        headers = scope.get("headers") or ()
        propagated = self.propagated
        parent = None
        for name, _ in headers:
            if name in propagated:
                parent = propagate.extract(headers, getter=_GETTER)
                break
        method = _method(scope) if kind == "http" else "WEBSOCKET"
        status = 0
        error_type: str | None = None
        started = time.perf_counter()
        # The conventions name an unknown method's span "HTTP", not "_OTHER".
        span = self.plugin.tracer.start_span(_span_method(method), context=parent, kind=SpanKind.SERVER)
        if span.is_recording():  # without an SDK (or when sampled out), attributes would be thrown away
            span.set_attributes(_request_attributes(scope, method))
        valid = span.get_span_context().is_valid
        # The span (or the caller's context it carries) is current while the app runs, so that
        # outgoing calls continue the trace; an invalid one has nothing to pass on.
        token = otel_context.attach(trace.set_span_in_context(span, parent)) if valid else None
        response_header = self.plugin.trace_response_header and valid

        async def traced_send(message: Message) -> None:
            nonlocal status
            message_type = message["type"]
            if message_type == "http.response.start" or message_type == "websocket.http.response.start":
                status = message["status"]
                if response_header:
                    message = {**message, "headers": [*message.get("headers", ()), _traceresponse(span)]}
            elif message_type == "websocket.accept":
                status = 101
            await send(message)

        try:
            await self.app(scope, receive, traced_send)
        except BaseException as exc:
            error_type = type(exc).__qualname__
            span.record_exception(exc)
            if status == 0:
                status = 500  # the server answers 500 for an app that raised
            raise
        finally:
            try:
                self._finish(scope, span, method, status, error_type, time.perf_counter() - started)
            finally:
                if token is not None:
                    otel_context.detach(token)

    def _finish(self, scope: Scope, span: trace.Span, method: str, status: int, error_type: str | None,
                seconds: float) -> None:
        route = route_template(self.owner, scope)
        if error_type is None and status >= 500:
            error_type = str(status)
        if span.is_recording():
            if route is not None:
                span.update_name(f"{_span_method(method)} {route}")
                span.set_attribute("http.route", route)
            if status and scope["type"] == "http":
                span.set_attribute("http.response.status_code", status)
            if error_type is not None:
                span.set_attribute("error.type", error_type)
                span.set_status(Status(StatusCode.ERROR))
        span.end()
        if scope["type"] != "http":
            return
        measured: dict[str, str | int] = {
            "http.request.method": method,
            "url.scheme": scope.get("scheme") or "http",
            "network.protocol.version": scope.get("http_version") or "1.1",
        }
        if status:
            measured["http.response.status_code"] = status
        if route is not None:
            measured["http.route"] = route
        if error_type is not None:
            measured["error.type"] = error_type
        self.plugin.duration.record(seconds, measured)


_TRACED = "nexios.otel.traced"


def _method(scope: Scope) -> str:
    method: str = scope.get("method") or "GET"
    return method if method in KNOWN_METHODS else "_OTHER"


def _span_method(method: str) -> str:
    return "HTTP" if method == "_OTHER" else method


def _request_attributes(scope: Scope, method: str) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "url.scheme": scope.get("scheme") or ("ws" if scope["type"] == "websocket" else "http"),
        "url.path": scope.get("path") or "/",
        "network.protocol.version": scope.get("http_version") or "1.1",
    }
    if scope["type"] == "http":
        attributes["http.request.method"] = method
        if method == "_OTHER":
            attributes["http.request.method_original"] = scope.get("method", "")
    client = scope.get("client")
    if client:
        attributes["client.address"] = client[0]
        attributes["network.peer.address"] = client[0]
        attributes["network.peer.port"] = client[1]
    for name, value in scope.get("headers") or ():
        if name == b"host":
            host, _, port = value.decode("latin-1").rpartition(":") if not value.endswith(b"]") else (
                value.decode("latin-1"), "", "")
            if not host or not port.isdigit():
                host, port = value.decode("latin-1"), ""
            attributes["server.address"] = host
            if port:
                attributes["server.port"] = int(port)
        elif name == b"user-agent":
            attributes["user_agent.original"] = value.decode("latin-1")
    return attributes


def _traceresponse(span: trace.Span) -> tuple[bytes, bytes]:
    context = span.get_span_context()
    value = f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"
    return (b"traceresponse", value.encode("ascii"))


__all__ = ["DURATION_BUCKETS", "INSTRUMENTATION_NAME", "OpenTelemetry", "TracingMiddleware"]
