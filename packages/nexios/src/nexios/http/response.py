"""``nexios.http.response``: the response kinds."""

from nexios_core import (
    BaseResponse,
    EventSourceResponse,
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    ServerSentEvent,
    StreamingResponse,
)

from .._compat.names import NexiosResponse, ResponseClass

Response = ResponseClass
"""At this path, as in upstream Nexios, ``Response`` is the response class
(``Response(content=..., media_type=...)``, i.e. :class:`BaseResponse`). The ``response``
builder every handler receives is ``nexios.http.Response`` (``NexiosResponse`` here)."""

__all__ = [
    "BaseResponse",
    "EventSourceResponse",
    "FileResponse",
    "HTMLResponse",
    "JSONResponse",
    "NexiosResponse",
    "PlainTextResponse",
    "RedirectResponse",
    "Response",
    "ServerSentEvent",
    "StreamingResponse",
]
