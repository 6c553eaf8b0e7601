"""Which app (and which request) is handling the code that is running now.

Upstream-style accessors that take no app argument (``ChannelBox.group_send(...)`` in a handler,
``response.paginate(items)``, which needs the request's URL) find the app and the request here,
at the moment they are called:

- inside a request, a WebSocket connection or the lifespan, the app's ``__call__`` is on the call
  stack: the innermost one is the app handling it (a mounted app, inside its parent);
- in a task started during the app's start-up, the app that ran the start-up (a context
  variable the lifespan sets, which tasks inherit);
- in a plain ``def`` handler running in a worker thread, the app and request of the call that
  sent it there (:func:`nexios_core.concurrency.run_sync_handler` sets both for the thread).

Looking at the stack costs the caller a few microseconds and the request path nothing; a context
variable set on every request would cost every request (see :func:`register_entry_point`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextvars import ContextVar
from types import CodeType, FrameType
from typing import Any

_CURRENT_APP: ContextVar[Any] = ContextVar("nexios_current_app", default=None)
_CURRENT_REQUEST: ContextVar[Any] = ContextVar("nexios_current_request", default=None)
_ENTRY_POINTS: set[CodeType] = set()

set_current_app = _CURRENT_APP.set
"""``token = set_current_app(app)``: the app for the rest of this task and the tasks it starts
(the lifespan sets it, so start-up hooks and what they start see their app)."""

reset_current_app = _CURRENT_APP.reset
"""``reset_current_app(token)`` undoes a ``set_current_app``."""

set_current_request = _CURRENT_REQUEST.set
"""``token = set_current_request(request)``: the request for the rest of this context (a worker
thread running a sync handler: see :func:`nexios_core.concurrency.run_sync_handler`)."""

reset_current_request = _CURRENT_REQUEST.reset
"""``reset_current_request(token)`` undoes a ``set_current_request``."""


def register_entry_point(function: Callable[..., Any]) -> None:
    """Declare ``function`` (an app class's ``__call__``) as where an app starts handling
    something: a frame of it on the stack names the app (its ``self``).

    PERF: setting a context variable on every request costs about 740 instructions of the
    28,000 a plaintext request takes (``bench/count_instructions.py``, CPython 3.11); finding the
    frame costs nothing until an accessor asks.
    """
    _ENTRY_POINTS.add(function.__code__)


def entry_frame(frame: FrameType | None) -> FrameType | None:
    """The innermost frame of a registered entry point at or above ``frame`` (its locals hold
    the app as ``self`` and the connection's ``scope``), or ``None``."""
    while frame is not None:
        if frame.f_code in _ENTRY_POINTS:
            return frame
        frame = frame.f_back
    return None


def current_app() -> Any:
    """The app handling the current request, WebSocket connection or lifespan (or whose start-up
    started this task); ``None`` elsewhere (a script, a task started from a handler)."""
    frame = entry_frame(sys._getframe(1))
    if frame is not None:
        return frame.f_locals.get("self")
    return _CURRENT_APP.get()


def current_request() -> Any:
    """The HTTP request the current code is answering (in a handler, a middleware or a
    dependency, or a sync handler's worker thread); ``None`` elsewhere (a WebSocket connection,
    the lifespan, a task started from a handler)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code in _ENTRY_POINTS:
            # The app's `__call__` holds the request of an HTTP call in a local of that name.
            request = frame.f_locals.get("request")
            if request is not None:
                return request
            break
        frame = frame.f_back  # type: ignore[assignment]
    return _CURRENT_REQUEST.get()


__all__ = [
    "current_app",
    "current_request",
    "entry_frame",
    "register_entry_point",
    "reset_current_app",
    "reset_current_request",
    "set_current_app",
    "set_current_request",
]
