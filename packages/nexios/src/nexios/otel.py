"""``nexios.otel``: OpenTelemetry traces and metrics for an app (``pip install "nexios[otel]"``):
``app.install(OpenTelemetry())``. See ``docs/operations.md``."""

from __future__ import annotations

from nexios_core.otel import DURATION_BUCKETS, OpenTelemetry, TracingMiddleware

__all__ = ["DURATION_BUCKETS", "OpenTelemetry", "TracingMiddleware"]
