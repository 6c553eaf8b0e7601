"""``docs/operations.md`` tells the truth: each Python block is copied verbatim from
``examples/operations_app.py``, and that app behaves as the page says (request ids in the logs,
JSON lines, health following the lifespan, traces, and a clean ``nexios check``)."""

from __future__ import annotations

import importlib.util
import io
import json
import logging
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from nexios.testclient import TestClient
from nexios_cli.main import main
from nexios_core import request_ids

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "operations.md"
EXAMPLE = ROOT / "examples" / "operations_app.py"


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, logging.getLogger("nexios.access").level, logging.getLogRecordFactory())
    monkeypatch.setattr(request_ids, "_context_wanted", request_ids._context_wanted)
    spec = importlib.util.spec_from_file_location("operations_page_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    logging.getLogger("nexios.access").setLevel(saved[2])
    logging.setLogRecordFactory(saved[3])


def test_python_blocks_are_excerpts_of_the_example() -> None:
    source = EXAMPLE.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 5
    for block in blocks:
        assert block in source, f"this block is not in {EXAMPLE.name}:\n{block}"


def test_the_page_is_linked_from_the_index() -> None:
    assert "(operations.md)" in (ROOT / "docs" / "index.md").read_text(encoding="utf-8")


def test_json_logs_carry_the_request_id_and_the_access_record(example: ModuleType) -> None:
    example.configure_logging()
    stream = io.StringIO()
    logging.getLogger().handlers[-1].setStream(stream)  # type: ignore[attr-defined]
    with TestClient(example.app) as client:
        answer = client.get("/orders/7", headers={"x-request-id": "req-7"})
    assert answer.json() == {"order_id": 7, "request_id": "req-7"} and answer.headers["x-request-id"] == "req-7"
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    ours = {line["logger"]: line for line in lines if line["logger"] in ("shop", "nexios.access")}
    assert ours["shop"]["message"] == "looking up order 7" and ours["shop"]["request_id"] == "req-7"
    assert (ours["nexios.access"]["route"], ours["nexios.access"]["status"]) == ("/orders/{order_id:int}", 200)


def test_health_follows_the_lifespan_and_the_database_check(example: ModuleType) -> None:
    assert TestClient(example.app).get("/health/ready").status_code == 503  # never started
    with TestClient(example.app) as client:
        assert client.get("/health/ready").json() == {"status": "ready", "checks": {"database": "ok"}}
        example.app.state.database["connected"] = False
        time.sleep(1.1)  # a run's results answer probes for a second (HealthChecks(cache_for=1))
        failing = client.get("/health/ready")
        assert (failing.status_code, failing.json()["checks"]) == (503, {"database": "failed"})
        assert client.get("/health/live").status_code == 200


def test_tracing_names_spans_by_route_and_skips_health_probes(example: ModuleType) -> None:
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    example.enable_tracing(tracer_provider, meter_provider)
    with TestClient(example.app) as client:
        client.get("/health/ready")
        client.get("/orders/1")
    assert [span.name for span in spans.get_finished_spans()] == ["GET /orders/{order_id:int}"]


def test_the_example_passes_nexios_check_over_https(example: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEXIOS_APP", raising=False)
    result = CliRunner().invoke(main, ["check", f"{EXAMPLE}:app", "--https"])
    assert (result.exit_code, result.output.splitlines()[-1]) == (0, "No findings."), result.output
