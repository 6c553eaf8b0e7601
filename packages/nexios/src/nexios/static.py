"""``nexios.static``: upstream Nexios's path for ``StaticFiles`` (also at ``nexios.staticfiles``):
``app.register(StaticFiles(directory="static"), prefix="/static")``, or several directories
searched in order with ``StaticFiles(directories=["static", "assets"])``; and its
``StaticFilesHandler``, the same served from a ``{path:path}`` route."""

from nexios_core import StaticFiles

from ._compat.static import StaticFilesHandler

__all__ = ["StaticFiles", "StaticFilesHandler"]
