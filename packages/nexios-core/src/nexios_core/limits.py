"""Request limits: every parser in Nexios is bounded by one of these.

The defaults follow ``shared/SECURITY.md``. An app sets its own with ``NexiosApp(limits=Limits(...))``;
a route overrides them with ``limits=`` on its decorator. The active limits travel in the ASGI scope
under :data:`LIMITS_SCOPE_KEY`, so the nearest layer wins without any global state.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .types import Scope

KIB = 1024
MIB = 1024 * KIB

LIMITS_SCOPE_KEY = "nexios.limits"


@dataclasses.dataclass(frozen=True)
class Limits:
    """Upper bounds on what a client may send, and what it must declare. Exceeding one answers
    the status in its doc."""

    max_body_size: int = 1 * MIB
    """Non-multipart bodies (JSON, urlencoded, raw), in bytes. 413 when exceeded."""
    max_multipart_size: int = 10 * MIB
    """Whole multipart body, in bytes. 413 when exceeded."""
    max_form_parts: int = 1000
    """Multipart parts (fields and files together). 413 when exceeded."""
    max_files: int = 100
    """Uploaded files in one request. 413 when exceeded."""
    max_part_size: int = 1 * MIB
    """One non-file multipart field, in bytes. 413 when exceeded."""
    spool_threshold: int = 1 * MIB
    """Uploaded files larger than this move from memory to a temporary file on disk."""
    max_boundary_length: int = 70
    """Multipart boundary length (RFC 2046). 400 when exceeded."""
    max_form_fields: int = 1000
    """Fields in an urlencoded body. 413 when exceeded."""
    max_query_fields: int = 1000
    """Fields in the query string. 400 when exceeded."""
    max_json_depth: int = 1024
    """Nesting depth of a JSON body. 400 when exceeded."""
    max_websocket_message_size: int = 1 * MIB
    """One WebSocket message, in bytes. The socket closes with 1009 when exceeded."""
    max_ranges: int = 100
    """Ranges in one ``Range`` header. 416 when exceeded."""
    require_json_content_type: bool = True
    """Whether ``await request.json`` refuses (415) a body whose ``Content-Type`` is not
    ``application/json`` or ``application/*+json``. Keep it on: a cross-site form can send
    ``text/plain`` JSON without a CORS preflight. Turn it off per route for clients that cannot
    set the header (``navigator.sendBeacon`` sends ``text/plain``)."""
    max_cookie_header_size: int = 32 * KIB
    """``Cookie`` request headers, in bytes, all together. 431 when exceeded (browsers send at
    most about 4 KiB per cookie; servers commonly cap a header line at 8-16 KiB)."""

    def replace(self, **changes: Any) -> Limits:
        """Return a copy with ``changes`` applied (unknown names raise ``TypeError``)."""
        return dataclasses.replace(self, **changes)


DEFAULT_LIMITS = Limits()


def limits_for(scope: Scope) -> Limits:
    """The limits in force for the request or connection described by ``scope``."""
    limits = scope.get(LIMITS_SCOPE_KEY)
    return limits if limits is not None else DEFAULT_LIMITS


__all__ = ["DEFAULT_LIMITS", "KIB", "LIMITS_SCOPE_KEY", "MIB", "Limits", "limits_for"]
