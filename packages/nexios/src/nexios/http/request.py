"""``nexios.http.request``: the request object."""

from nexios_core import Request

__all__ = ["Request"]
