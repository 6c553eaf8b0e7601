"""``nexios.http.request``: the request object."""

from nexios_core.request import Request

__all__ = ["Request"]
