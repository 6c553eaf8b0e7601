"""OpenTelemetry (the otel extra): server spans named by route template with the stable HTTP
attributes, W3C trace context in and out, WebSocket sessions as spans, the duration histogram;
checked with the SDK's in-memory exporter and metric reader on real requests."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import propagate
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from nexios import get_application
from nexios.testclient import TestClient
from nexios_core import Request, Response, WebSocket
from nexios_core.otel import OpenTelemetry

PARENT_TRACE = "0af7651916cd43dd8448eb211c80319c"
PARENT_SPAN = "b7ad6b7169203331"


class Telemetry:
    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])

    def finished(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())

    def durations(self) -> list[tuple[dict[str, Any], int]]:
        found: list[tuple[dict[str, Any], int]] = []
        data = self.reader.get_metrics_data()
        for resource in data.resource_metrics if data is not None else ():
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    assert metric.name == "http.server.request.duration" and metric.unit == "s"
                    found += [(dict(p.attributes), p.count) for p in metric.data.data_points]
        return found


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    found = Telemetry()
    yield found
    found.tracer_provider.shutdown()
    found.meter_provider.shutdown()


def traced_app(telemetry: Telemetry, **options: Any) -> Any:
    app = get_application()
    app.install(OpenTelemetry(tracer_provider=telemetry.tracer_provider,
                              meter_provider=telemetry.meter_provider, **options))

    @app.get("/users/{user_id:int}")
    async def user(request: Request, response: Response, user_id: int) -> Any:
        outgoing: dict[str, str] = {}
        propagate.inject(outgoing)  # what an instrumented HTTP client sends on
        return outgoing

    @app.get("/boom")
    async def boom(request: Request, response: Response) -> Any:
        raise RuntimeError("boom")

    @app.websocket("/ws/{room}")
    async def chat(websocket: WebSocket, room: str) -> None:
        await websocket.accept()
        await websocket.send_text(await websocket.receive_text())
        await websocket.close()

    sub = get_application()

    @sub.get("/items/{item_id:int}")
    async def item(request: Request, response: Response, item_id: int) -> Any:
        return {"item": item_id}

    app.register(sub, prefix="/shop")
    return app


def test_a_request_is_a_server_span_named_by_its_route_with_http_attributes(telemetry: Telemetry) -> None:
    with TestClient(traced_app(telemetry)) as client:
        client.get("/users/42?secret=x", headers={"user-agent": "probe/1.0", "host": "api.example.com:8443"})
    (span,) = telemetry.finished()
    assert (span.name, span.kind) == ("GET /users/{user_id:int}", SpanKind.SERVER)
    assert span.status.status_code == StatusCode.UNSET
    attributes = dict(span.attributes or {})
    assert attributes == {
        "http.request.method": "GET", "url.scheme": "http", "url.path": "/users/42",
        "http.route": "/users/{user_id:int}",
        "http.response.status_code": 200, "network.protocol.version": "1.1", "server.address": "api.example.com",
        "server.port": 8443, "client.address": "testclient", "network.peer.address": "testclient",
        "network.peer.port": 50000, "user_agent.original": "probe/1.0",
    }
    assert "secret=x" not in str(attributes)  # the query string is never recorded


def test_404_405_500_and_a_mounted_app(telemetry: Telemetry) -> None:
    with TestClient(traced_app(telemetry), raise_server_exceptions=False) as client:
        client.get("/nowhere")
        client.delete("/users/1")
        client.get("/boom")
        client.get("/shop/items/3")
    missing, wrong_method, crash, mounted = telemetry.finished()
    assert missing.name == "GET" and "http.route" not in (missing.attributes or {})
    assert missing.attributes["http.response.status_code"] == 404 and missing.status.status_code == StatusCode.UNSET
    assert wrong_method.name == "DELETE /users/{user_id:int}"
    assert wrong_method.attributes["http.response.status_code"] == 405
    assert crash.name == "GET /boom" and crash.status.status_code == StatusCode.ERROR
    assert crash.attributes["error.type"] == "500" and crash.attributes["http.response.status_code"] == 500
    assert [event.attributes["exception.type"] for event in crash.events] == ["RuntimeError"]
    assert mounted.name == "GET /shop/items/{item_id:int}" and mounted.attributes["http.response.status_code"] == 200
    statuses = sorted((a["http.response.status_code"], a.get("http.route"), n) for a, n in telemetry.durations())
    assert statuses == [(200, "/shop/items/{item_id:int}", 1), (404, None, 1), (405, "/users/{user_id:int}", 1),
                        (500, "/boom", 1)]


def test_an_unknown_method_is_named_http_and_recorded_as_other(telemetry: Telemetry) -> None:
    with TestClient(traced_app(telemetry)) as client:
        assert client.request("PURGE", "/users/1").status_code == 405
    (span,) = telemetry.finished()
    assert span.name == "HTTP /users/{user_id:int}"
    assert span.attributes["http.request.method"] == "_OTHER"
    assert span.attributes["http.request.method_original"] == "PURGE"
    assert [(a["http.request.method"], a["http.response.status_code"]) for a, _ in telemetry.durations()] == [
        ("_OTHER", 405)]


def test_a_malformed_or_overlong_traceparent_starts_a_new_trace(telemetry: Telemetry) -> None:
    bad = ["garbage", f"ff-{PARENT_TRACE}-{PARENT_SPAN}-01", f"00-{'0' * 32}-{PARENT_SPAN}-01",
           f"00-{PARENT_TRACE}-{PARENT_SPAN}-01" + "x" * 1000]
    with TestClient(traced_app(telemetry)) as client:
        assert [client.get("/users/1", headers={"traceparent": value}).status_code for value in bad] == [200] * 4
    spans = telemetry.finished()
    assert len(spans) == 4 and all(span.parent is None for span in spans)
    assert all(format(span.context.trace_id, "032x") != PARENT_TRACE for span in spans)


def test_trace_context_comes_in_and_goes_out(telemetry: Telemetry) -> None:
    with TestClient(traced_app(telemetry, trace_response_header=True)) as client:
        answer = client.get("/users/1", headers={"traceparent": f"00-{PARENT_TRACE}-{PARENT_SPAN}-01"})
        unrelated = client.get("/users/2")
    first, second = telemetry.finished()
    assert format(first.context.trace_id, "032x") == PARENT_TRACE
    assert first.parent is not None and format(first.parent.span_id, "016x") == PARENT_SPAN
    own_span = format(first.context.span_id, "016x")
    assert answer.json()["traceparent"] == f"00-{PARENT_TRACE}-{own_span}-01"  # outgoing calls continue it
    assert answer.headers["traceresponse"] == f"00-{PARENT_TRACE}-{own_span}-01"
    assert second.parent is None and format(second.context.trace_id, "032x") != PARENT_TRACE
    assert "traceresponse" in unrelated.headers


def test_a_websocket_session_is_one_span(telemetry: Telemetry) -> None:
    with TestClient(traced_app(telemetry)) as client, client.websocket_connect("/ws/lobby") as socket:
        socket.send_text("hi")
        assert socket.receive_text() == "hi"
    (span,) = telemetry.finished()
    assert span.name == "WEBSOCKET /ws/{room}" and span.kind == SpanKind.SERVER
    assert span.attributes["url.path"] == "/ws/lobby" and span.attributes["http.route"] == "/ws/{room}"
    assert telemetry.durations() == []  # the histogram is for HTTP requests


def test_excluded_paths_get_no_span(telemetry: Telemetry) -> None:
    with TestClient(traced_app(telemetry, excluded_paths=["/users/1"])) as client:
        client.get("/users/1")
        client.get("/users/2")
    assert [span.attributes["url.path"] for span in telemetry.finished()] == ["/users/2"]


def test_an_app_without_the_plugin_never_imports_opentelemetry() -> None:
    code = (
        "import sys\n"
        "from nexios import get_application\n"
        "from nexios.testclient import TestClient\n"
        "app = get_application()\n"
        "@app.get('/')\n"
        "async def home(request, response):\n"
        "    return 'ok'\n"
        "with TestClient(app) as client:\n"
        "    assert client.get('/').text == 'ok'\n"
        "print(sorted(name for name in sys.modules if name.startswith('opentelemetry')))\n"
    )
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert finished.stdout.strip() == "[]"


def test_without_the_extra_the_import_error_names_the_fix_and_the_rest_works() -> None:
    code = (
        "import io, sys\n"
        "sys.modules['opentelemetry'] = None  # as if the otel extra were not installed\n"
        "from nexios import get_application\n"
        "from nexios.operations import setup_logging\n"
        "from nexios.testclient import TestClient\n"
        "setup_logging('json', stream=io.StringIO())\n"
        "app = get_application()\n"
        "@app.get('/')\n"
        "async def home(request, response):\n"
        "    return 'ok'\n"
        "with TestClient(app) as client:\n"
        "    assert client.get('/').text == 'ok'\n"
        "try:\n"
        "    import nexios.otel\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert 'pip install "nexios[otel]"' in finished.stdout


def test_under_uvicorn_spans_carry_the_servers_addresses_log_lines_their_ids_and_vanishing_clients_end_them(
        telemetry: Telemetry) -> None:
    import asyncio
    import io
    import json
    import logging
    import socket
    import time

    import httpx
    import websockets

    from nexios_core.logs import setup_logging
    from tests.support.live_server import run_live_server

    stream = io.StringIO()
    setup_logging("json", stream=stream)
    app = traced_app(telemetry)

    @app.get("/slow")
    async def slow(request: Request, response: Response) -> Any:
        logging.getLogger("tests.slow").warning("still working")
        await asyncio.sleep(1)
        return "late"

    async def vanish_mid_session(ws_url: str) -> None:
        connection = await websockets.connect(ws_url + "/ws/lobby?token=hunter2")
        await connection.send("hi")
        assert await connection.recv() == "hi"
        connection.transport.abort()  # gone without a close frame

    with run_live_server(app) as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        answer = httpx.get(base_url + "/users/7?token=hunter2", timeout=5,
                           headers={"traceparent": f"00-{PARENT_TRACE}-{PARENT_SPAN}-01", "user-agent": "probe/1"})
        asyncio.run(vanish_mid_session(base_url.replace("http://", "ws://")))
        with socket.create_connection(("127.0.0.1", port)) as raw:
            raw.sendall(b"GET /slow HTTP/1.1\r\nHost: api.example\r\n\r\n")
            time.sleep(0.3)  # the client leaves while the handler sleeps
        deadline = time.monotonic() + 10
        while len(telemetry.finished()) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert answer.status_code == 200
    spans = {span.name: span for span in telemetry.finished()}
    assert set(spans) == {"GET /users/{user_id:int}", "WEBSOCKET /ws/{room}", "GET /slow"}
    user = spans["GET /users/{user_id:int}"]
    assert format(user.context.trace_id, "032x") == PARENT_TRACE
    assert user.attributes["client.address"] == "127.0.0.1" and user.attributes["server.port"] == port
    assert user.attributes["network.protocol.version"] == "1.1" and user.attributes["url.path"] == "/users/7"
    assert all(span.end_time is not None for span in spans.values())  # vanished clients end theirs
    assert "hunter2" not in str([dict(span.attributes or {}) for span in spans.values()])
    slow_span = spans["GET /slow"]
    record = next(json.loads(line) for line in stream.getvalue().splitlines() if '"tests.slow"' in line)
    assert record["trace_id"] == format(slow_span.context.trace_id, "032x")
    assert record["span_id"] == format(slow_span.context.span_id, "016x")
