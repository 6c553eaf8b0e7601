"""``nexios.http.response``: the response kinds."""

from nexios_core.fileresponse import FileResponse
from nexios_core.responses import (
    BaseResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from nexios_core.streaming import EventSourceResponse, ServerSentEvent, StreamingResponse

NexiosResponse = Response

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
