"""The transport under a channel layer (docs/channels.md): publish/subscribe of bytes on named
topics, here to drop a cached value in every worker at once."""

from __future__ import annotations

from typing import Any

from nexios import get_application

app = get_application()
prices: dict[str, int] = {"coffee": 3}   # a per-process cache


@app.on_startup
async def listen_for_invalidations() -> None:
    async def forget(message: bytes) -> None:
        prices.pop(message.decode(), None)

    await app.channel_layer.transport.subscribe("cache.prices", forget)


@app.delete("/prices/{name}")
async def invalidate(request: Any, response: Any, name: str) -> Any:
    workers = await request.app.channel_layer.transport.publish("cache.prices", name.encode())
    return {"told": workers}


@app.get("/prices")
async def list_prices(request: Any, response: Any) -> Any:
    return prices
