"""Plain ``def`` handlers (docs/sync-handlers.md): run in the app's worker threads, at most
``thread_pool_size`` at once, so blocking code never stalls the event loop."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

from nexios import get_application

app = get_application(thread_pool_size=8)  # at most 8 sync handlers at once (default 40)
database = sqlite3.connect(":memory:", check_same_thread=False)
database.execute("CREATE TABLE cities (name TEXT, population INTEGER)")
database.executemany("INSERT INTO cities VALUES (?, ?)", [("Lagos", 15_000_000), ("Oslo", 700_000)])
database_lock = threading.Lock()


@app.get("/cities/{name}")
def city(request: Any, response: Any, name: str) -> Any:
    # A blocking driver call: fine here, this runs in a worker thread.
    with database_lock:
        row = database.execute("SELECT population FROM cities WHERE name = ?", (name,)).fetchone()
    if row is None:
        return response.json({"detail": f"No city {name}"}, status_code=404)
    return {"name": name, "population": row[0]}


@app.get("/cities")
def cities(request: Any, response: Any) -> Any:
    with database_lock:
        rows = database.execute("SELECT name FROM cities ORDER BY name").fetchall()
    return response.paginate([name for (name,) in rows])  # the helpers work in threads too
