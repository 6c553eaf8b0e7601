"""``nexios.staticfiles``: ``StaticFiles``, an ASGI app serving a directory safely."""

from nexios_core.staticfiles import StaticFiles

__all__ = ["StaticFiles"]
