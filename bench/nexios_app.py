"""The benchmark endpoints written as a Nexios user would write them, with the documented API.

Nothing here is tuned for the benchmark: if an endpoint is slow written this way, the framework is
what must get faster. Serve it with ``uvicorn --app-dir bench nexios_app:app``.
"""

from __future__ import annotations

import os
from typing import Any

import nexios
from nexios import Router, get_application

# Endpoints this app cannot serve yet, with the reason; the runners report them as n/a.
UNSUPPORTED_ENDPOINTS: dict[str, str] = {}

# The docs pages (/docs, /redoc, /openapi.json) are on, as they are by default for every app;
# NEXIOS_BENCH_DOCS=off serves the same app without them, to show what they cost the other routes.
app = get_application(openapi=os.environ.get("NEXIOS_BENCH_DOCS") != "off")

# Every response carries the request's X-Request-ID by default; NEXIOS_BENCH_REQUEST_IDS=off turns
# the echo off, to show what it costs.
if os.environ.get("NEXIOS_BENCH_REQUEST_IDS") == "off":
    app.echo_request_id = False

# What the OpenTelemetry plugin costs (bench/README.md): NEXIOS_BENCH_OTEL=api installs it with the
# API's default (no SDK configured), =sdk with SDK providers that export nothing.
if os.environ.get("NEXIOS_BENCH_OTEL") in ("api", "sdk"):
    from nexios.otel import OpenTelemetry

    if os.environ["NEXIOS_BENCH_OTEL"] == "sdk":
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.trace import TracerProvider

        app.install(OpenTelemetry(tracer_provider=TracerProvider(), meter_provider=MeterProvider()))
    else:
        app.install(OpenTelemetry())


@app.get("/plaintext")
async def plaintext(request: Any, response: Any) -> Any:
    return response.text("Hello, World!")


@app.get("/json")
async def json_message(request: Any, response: Any) -> Any:
    return response.json({"message": "Hello, World!"})


@app.get("/users/{user_id:int}")
async def user(request: Any, response: Any, user_id: int) -> Any:
    return {"user_id": user_id, "name": "John Doe"}


@app.post("/echo")
async def echo(request: Any, response: Any) -> Any:
    return await request.json


@app.get("/query")
async def query(request: Any, response: Any) -> Any:
    limit = int(request.query_params["limit"])
    offset = int(request.query_params["offset"])
    return {"limit": limit, "offset": offset}


async def pass_through(request: Any, response: Any, call_next: Any) -> Any:
    """A middleware that does nothing but hand on: measures what one middleware layer costs."""
    return await call_next()


middleware_router = Router(prefix="/mw", middleware=[pass_through] * 5)


@middleware_router.get("/plaintext")
async def middleware_plaintext(request: Any, response: Any) -> Any:
    return response.text("Hello, World!")


app.mount_router(middleware_router)


Depend = getattr(nexios, "Depend", None)

if Depend is None:
    UNSUPPORTED_ENDPOINTS["di"] = "nexios.Depend is not available yet"
    UNSUPPORTED_ENDPOINTS["typed_query"] = "nexios.Depend is not available yet"
else:
    from nexios.dependencies import Query

    async def get_db() -> str:
        """Stands in for a dependency (a connection) that another dependency needs."""
        return "ok"

    async def get_current_user(db: str = Depend(get_db)) -> str:
        """A dependency that depends on another one."""
        return "u1"

    @app.get("/typed-query")
    async def typed_query(
        request: Any,
        response: Any,
        limit: int = Query(10, ge=1, le=100),
        offset: int = Query(0, ge=0),
    ) -> Any:
        return {"limit": limit, "offset": offset}

    @app.get("/di")
    async def dependencies(
        request: Any,
        response: Any,
        current_user: str = Depend(get_current_user),
        db: str = Depend(get_db),
    ) -> Any:
        return {"db": db, "user": current_user}
