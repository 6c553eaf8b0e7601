"""The app two uvicorn processes serve in ``test_event_fanout_workers.py``: events chosen with
``app.events.fan_out`` travel through the Redis channel layer's transport to every worker
(configured from ``NEXIOS_TEST_REDIS_URL`` and ``NEXIOS_TEST_PREFIX``)."""

from __future__ import annotations

import os
from typing import Any

from nexios import get_application
from nexios.websockets.channels import RedisChannelLayer

layer = RedisChannelLayer(os.environ["NEXIOS_TEST_REDIS_URL"], prefix=os.environ["NEXIOS_TEST_PREFIX"])
app = get_application(channel_layer=layer)
app.events.fan_out("cache.*")
cleared: list[dict[str, Any]] = []  # what this worker's listeners saw


@app.events.on("cache.clear")
async def forget(key: str, *, by: int) -> None:
    cleared.append({"key": key, "by": by})


@app.events.on("audit.local")
def audit(key: str) -> None:
    cleared.append({"key": key, "local": True})


@app.post("/clear/{key}")
async def clear(request: Any, response: Any, key: str) -> Any:
    result = await app.events.emit("cache.clear", key, by=os.getpid())
    await app.events.emit("audit.local", key)
    return {"pid": os.getpid(), "published_to": result["published_to"]}


@app.get("/cleared")
async def seen(request: Any, response: Any) -> Any:
    return {"pid": os.getpid(), "cleared": cleared}
