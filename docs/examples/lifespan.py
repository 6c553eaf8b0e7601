"""Start-up and shutdown: hooks, a lifespan context manager, and app state (docs/lifespan.md)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from nexios import get_application
from nexios.http import Request, Response

events: list[str] = []  # the order things ran in (read by the tests)


class Database:
    """Stands in for a connection pool."""

    def __init__(self) -> None:
        self.connected = False

    async def connect(self) -> None:
        self.connected = True

    async def disconnect(self) -> None:
        self.connected = False


@contextlib.asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[dict[str, Any]]:
    database = Database()
    await database.connect()
    events.append("lifespan: connected")
    yield {"db": database}            # each key becomes an attribute of app.state
    await database.disconnect()
    events.append("lifespan: disconnected")


app = get_application(lifespan=lifespan)


@app.on_startup
async def warm_cache() -> None:
    app.state.cache = {"greeting": "hello"}
    events.append("startup hook")


@app.on_shutdown
def flush_metrics() -> None:         # sync hooks run in a worker thread
    events.append("shutdown hook")


@app.get("/status")
async def status(request: Request, response: Response) -> dict[str, Any]:
    state = request.app.state
    return {"db_connected": state.db.connected, "greeting": state.cache["greeting"]}


# --- A start-up that fails stops the server from starting ----------------------------------------
broken_app = get_application()


@broken_app.on_startup
async def connect_to_missing_database() -> None:
    raise ConnectionError("database unreachable")
