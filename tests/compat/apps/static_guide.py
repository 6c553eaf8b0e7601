"""Upstream's static files guide, as written there: a ``StaticFilesHandler`` on a
``{path:path}`` route, several directories searched in order, and ``StaticFiles`` registered
under a prefix. Directories are found next to this file rather than the working directory."""

from pathlib import Path

from nexios import NexiosApp
from nexios.routing import Routes
from nexios.static import StaticFiles, StaticFilesHandler

HERE = Path(__file__).parent
app = NexiosApp()

# Create a static files handler for a single directory
static_handler = StaticFilesHandler(
    directory=HERE / "static",  # Directory relative to the application root
    url_prefix="/static/"  # URL prefix for accessing static files
)

# Add a route for static files
app.add_route(
    Routes(
        "/static/{path:path}",
        static_handler
    )
)

static_handler = StaticFilesHandler(
    directories=[HERE / "static", HERE / "public/assets"],
    url_prefix="/assets/"
)
app.add_route(Routes("/assets/{path:path}", static_handler))

app.register(StaticFiles(directory=HERE / "public"), prefix="/public")
