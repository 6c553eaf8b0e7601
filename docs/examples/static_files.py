"""Serving a directory of files (docs/static-files.md).

The files live next to this module, in ``public/``.
"""

from __future__ import annotations

from pathlib import Path

from nexios import get_application
from nexios.http import Request, Response
from nexios.staticfiles import StaticFiles

PUBLIC = Path(__file__).with_name("public")

app = get_application()


@app.get("/api/health")
async def health(request: Request, response: Response) -> dict[str, str]:
    return {"status": "ok"}


# Assets under /static, cached by browsers for a day.
app.register(StaticFiles(directory=PUBLIC, cache_max_age=86400), prefix="/static")

# A site at the root: index.html for directories, 404.html for misses. Routes such as
# /api/health still win, because routes are matched before mounts.
app.mount("/", StaticFiles(directory=PUBLIC, html=True))
