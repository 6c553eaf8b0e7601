"""Upstream's configuration guide, as written there: ``MakeConfig`` given to the app, read as
``app.config`` and through ``get_config()`` in a start-up handler and in a request handler."""

from nexios import NexiosApp
from nexios.config import MakeConfig, get_config

config = MakeConfig({
    "port": 8000,
    "debug": True
})

app = NexiosApp(config = config)
seen_at_startup: list[int] = []


@app.on_startup
async def startup_handler():
    config = get_config()
    seen_at_startup.append(config.port)


@app.get("/config")
async def get_config_handler(req, res):
    config = get_config()
    return {"port": config.port, "debug": config.debug}
