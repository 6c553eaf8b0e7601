"""``from nexios.http import Request, Response`` (and ``HTTPConnection``, what a request shares with a
WebSocket)."""

from nexios_core.connection import HTTPConnection
from nexios_core.datastructures import UploadFile
from nexios_core.request import Request
from nexios_core.responses import Response

__all__ = ["HTTPConnection", "Request", "Response", "UploadFile"]
