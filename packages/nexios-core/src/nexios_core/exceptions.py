"""The exception hierarchy of Nexios.

Raise :class:`HTTPException` (or one of its subclasses) anywhere in a handler, dependency or
middleware to answer with that status. Its ``detail`` becomes the JSON body ``{"detail": ...}``
unless an exception handler registered for the class or status says otherwise.
"""

from __future__ import annotations

import http
from collections.abc import Mapping
from typing import Any


class NexiosError(Exception):
    """Base class of every exception Nexios raises on purpose."""


class ImproperlyConfigured(NexiosError):
    """A mistake in how the app is set up, raised at registration or start-up time."""


class HTTPException(NexiosError):
    """Stop processing and answer with ``status_code``.

    ``detail`` may be any JSON-serialisable value; it defaults to the status phrase.
    ``headers`` are added to the error response (for example ``WWW-Authenticate`` or ``Allow``).
    The subclasses fix the status, so text given first is the detail: ``Forbidden("Not yours")``.
    """

    status_code: int = 500

    def __init__(
        self,
        status_code: int | str | None = None,
        detail: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if isinstance(status_code, int):
            self.status_code = status_code
        elif status_code is not None:
            if detail is not None:
                raise TypeError(f"status_code must be an int, not {status_code!r}")
            detail = status_code  # `Forbidden("Not yours")`: the subclass fixes the status
        if detail is None:
            detail = _phrase(self.status_code)
        self.detail = detail
        self.headers: dict[str, str] = dict(headers) if headers else {}
        super().__init__(self.status_code, detail)

    def __str__(self) -> str:
        return f"{self.status_code}: {self.detail}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code!r}, detail={self.detail!r})"

    @property
    def websocket_reason(self) -> str:
        """What to say when this refuses a WebSocket (closed with 1008): the detail when it is
        text, else the status. Subclasses with structured details say something shorter."""
        return self.detail if isinstance(self.detail, str) else f"HTTP {self.status_code}"


_PHRASES = {status.value: status.phrase for status in http.HTTPStatus}


def _phrase(status_code: int) -> str:
    return _PHRASES.get(status_code, "Error")


class BadRequest(HTTPException):
    """400: the request is malformed (bad JSON, bad multipart, too many query fields...)."""

    status_code = 400


class Unauthorized(HTTPException):
    """401: authentication is required."""

    status_code = 401


class Forbidden(HTTPException):
    """403: authenticated but not allowed."""

    status_code = 403


class NotFoundException(HTTPException):
    """404: nothing answers at this path."""

    status_code = 404


NotFound = NotFoundException


class MethodNotAllowed(HTTPException):
    """405: the path exists but not for this method; ``Allow`` lists the methods that do."""

    status_code = 405


class NotAcceptable(HTTPException):
    """406."""

    status_code = 406


class Conflict(HTTPException):
    """409."""

    status_code = 409


class PayloadTooLarge(HTTPException):
    """413: a body, form or part exceeded its limit."""

    status_code = 413


class UnsupportedMediaType(HTTPException):
    """415: the body's content type (or encoding) is not one this endpoint reads."""

    status_code = 415


class RangeNotSatisfiable(HTTPException):
    """416: the ``Range`` header cannot be served."""

    status_code = 416


class UnprocessableEntity(HTTPException):
    """422: the request is well formed but its values failed validation."""

    status_code = 422


class TooManyRequests(HTTPException):
    """429."""

    status_code = 429


class RequestHeaderFieldsTooLarge(HTTPException):
    """431."""

    status_code = 431


class InternalServerError(HTTPException):
    """500."""

    status_code = 500


class ServiceUnavailable(HTTPException):
    """503."""

    status_code = 503


class ClientDisconnect(NexiosError):
    """The client went away while the request body was being read."""


class WebSocketDisconnect(NexiosError):
    """The WebSocket peer closed the connection; ``code`` and ``reason`` say how."""

    def __init__(self, code: int = 1000, reason: str | None = None) -> None:
        self.code = code
        self.reason = reason or ""
        super().__init__(code, self.reason)


class WebSocketException(NexiosError):
    """Raise in a WebSocket handler to close the connection with ``code``."""

    def __init__(self, code: int = 1008, reason: str | None = None) -> None:
        self.code = code
        self.reason = reason or ""
        super().__init__(code, self.reason)


__all__ = [
    "BadRequest",
    "ClientDisconnect",
    "Conflict",
    "Forbidden",
    "HTTPException",
    "ImproperlyConfigured",
    "InternalServerError",
    "MethodNotAllowed",
    "NexiosError",
    "NotAcceptable",
    "NotFound",
    "NotFoundException",
    "PayloadTooLarge",
    "RangeNotSatisfiable",
    "RequestHeaderFieldsTooLarge",
    "ServiceUnavailable",
    "TooManyRequests",
    "Unauthorized",
    "UnprocessableEntity",
    "UnsupportedMediaType",
    "WebSocketDisconnect",
    "WebSocketException",
]
