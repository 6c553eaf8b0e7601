"""An app set up for production: request ids in every log line, JSON logs, health checks that
follow the lifespan, optional OpenTelemetry, and settings that pass ``nexios check``.

    SECRET_KEY=... nexios run examples/operations_app.py:app --log-format json
    nexios check examples/operations_app.py:app --https

``docs/operations.md`` explains each part; ``tests/docs/test_operations_page.py`` runs them.
"""

from __future__ import annotations

import logging
import os
import secrets
from typing import Any

from nexios import get_application
from nexios.http import Request, Response
from nexios.middleware import TrustedHostMiddleware
from nexios.operations import HealthChecks, setup_logging

logger = logging.getLogger("shop")

app = get_application(
    config={"secret_key": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(32)},
    openapi=False,  # a private API: no public docs pages
)
app.add_middleware(TrustedHostMiddleware, allowed_hosts=["shop.example.com", "testserver"])


@app.get("/orders/{order_id:int}")
async def get_order(request: Request, response: Response, order_id: int) -> dict[str, Any]:
    logger.info("looking up order %d", order_id)  # the line carries the request's id
    return {"order_id": order_id, "request_id": request.id}


# Readiness: 503 until start-up has finished and again once shutdown begins; and 503
# while the database check fails.
health = app.install(HealthChecks())


@app.on_startup
async def connect() -> None:
    app.state.database = {"connected": True}  # stands in for a connection pool


async def database_ready() -> bool:
    return bool(app.state.database and app.state.database["connected"])


health.add_check("database", database_ready)


def configure_logging() -> None:
    """What ``nexios run --log-format json`` does, for servers started another way."""
    setup_logging("json")


def enable_tracing(tracer_provider: Any = None, meter_provider: Any = None) -> None:
    """Traces and metrics: ``pip install "nexios[otel]"``, then install the plugin (without
    providers, the global ones set up by the OpenTelemetry SDK or agent are used)."""
    from nexios.otel import OpenTelemetry

    app.install(OpenTelemetry(tracer_provider=tracer_provider, meter_provider=meter_provider,
                              excluded_paths=["/health/live", "/health/ready"]))
