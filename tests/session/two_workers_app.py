"""The app served by two uvicorn processes in ``test_two_workers.py``.

Configured from the environment, as a deployment would be: ``NEXIOS_TEST_SECRET_KEY``,
``NEXIOS_TEST_REDIS_URL`` and ``NEXIOS_TEST_REDIS_PREFIX``. Each response names the process that
served it, so the test can prove the two requests were answered by different workers.
"""

from __future__ import annotations

import os
from typing import Any

from nexios import MakeConfig, get_application
from nexios.session.middleware import SessionMiddleware

app = get_application(config=MakeConfig({
    "secret_key": os.environ["NEXIOS_TEST_SECRET_KEY"],
    "session": {
        "backend": "redis",
        "backend_options": {
            "url": os.environ["NEXIOS_TEST_REDIS_URL"],
            "prefix": os.environ["NEXIOS_TEST_REDIS_PREFIX"],
        },
    },
}))
app.add_middleware(SessionMiddleware())


@app.post("/session")
async def write(request: Any, response: Any) -> Any:
    request.session.update(await request.json)
    return {"pid": os.getpid()}


@app.get("/session")
async def read(request: Any, response: Any) -> Any:
    return {"pid": os.getpid(), "data": dict(request.session)}
