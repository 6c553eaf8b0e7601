"""An app that uses the request-timing plugin without importing it: the installed distribution
is found through its ``nexios.plugins`` entry point, and configured from the app's config.

    pip install nexios-core ./examples/plugins/nexios-request-timing uvicorn
    uvicorn --app-dir examples/plugins timing_app:app

``tests/packaging/test_example_plugin.py`` does exactly that, in a fresh virtual environment
holding nothing else of Nexios.
"""

import sys
from typing import Any

from nexios_core import App, HandlerDispatcher, Request, Response


async def hello(request: Request, response: Response) -> Any:
    # Which Nexios packages this process has loaded: the core and the plugin, nothing else.
    loaded = sorted({name.split(".")[0] for name in sys.modules if name.startswith("nexios")})
    return {"hello": "world", "loaded": loaded}


app = App(
    {"request_timing": {"metric": "nexios", "health_path": "/health"}},
    dispatcher=HandlerDispatcher(http=hello),
)
app.install_entry_point_plugins(only=["request-timing"])
