"""Upstream Nexios's other names for things the implementation packages call one way.

Each is the same object under a second name, re-exported at the documented path
(``nexios.dependencies.Depends``, ``nexios.http.response.NexiosResponse``...).
"""

from __future__ import annotations

from nexios_core import BaseResponse, Response
from nexios_di import Depend
from nexios_session import FileSessionManager

Depends = Depend
"""FastAPI's (and upstream's) spelling of :func:`nexios_di.Depend`."""

NexiosResponse = Response
"""Upstream's name for the per-request response builder. Ours is one object per request, never
a process-wide instance (upstream shared one)."""

ResponseClass = BaseResponse
"""What upstream's ``nexios.http.response.Response`` names: the response class a handler may
return (``Response(content=..., status_code=..., media_type=...)``), not the builder."""

FileSessionInterface = FileSessionManager
"""The name upstream's session guide gives the file session backend."""

__all__ = ["Depends", "FileSessionInterface", "NexiosResponse", "ResponseClass"]
