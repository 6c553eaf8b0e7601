"""``from nexios.http import Request, Response`` (and ``HTTPConnection``, what a request shares with a
WebSocket)."""

from nexios_core import HTTPConnection, Request, Response, UploadFile

__all__ = ["HTTPConnection", "Request", "Response", "UploadFile"]
