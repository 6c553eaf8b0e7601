"""An app that adds ``SessionMiddleware`` but sets no secret key: it must refuse to start."""

from __future__ import annotations

from nexios import get_application
from nexios.session.middleware import SessionMiddleware

app = get_application()
app.add_middleware(SessionMiddleware())
