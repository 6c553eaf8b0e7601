"""``nexios.staticfiles``: ``StaticFiles``, an ASGI app serving a directory safely."""

from nexios_core import StaticFiles

__all__ = ["StaticFiles"]
