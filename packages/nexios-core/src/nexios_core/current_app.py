"""Which app is handling the code that is running now.

Upstream-style accessors that take no app argument (``ChannelBox.group_send(...)`` in a handler)
find the app here, at the moment they are called:

- inside a request, a WebSocket connection or the lifespan, the app's ``__call__`` is on the call
  stack: the innermost one is the app handling it (a mounted app, inside its parent);
- in a task started during the app's start-up, the app that ran the start-up (a context
  variable the lifespan sets, which tasks inherit).

Looking at the stack costs the caller a few microseconds and the request path nothing; a context
variable set on every request would cost every request (see :func:`register_entry_point`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextvars import ContextVar
from types import CodeType
from typing import Any

_CURRENT_APP: ContextVar[Any] = ContextVar("nexios_current_app", default=None)
_ENTRY_POINTS: set[CodeType] = set()

set_current_app = _CURRENT_APP.set
"""``token = set_current_app(app)``: the app for the rest of this task and the tasks it starts
(the lifespan sets it, so start-up hooks and what they start see their app)."""

reset_current_app = _CURRENT_APP.reset
"""``reset_current_app(token)`` undoes a ``set_current_app``."""


def register_entry_point(function: Callable[..., Any]) -> None:
    """Declare ``function`` (an app class's ``__call__``) as where an app starts handling
    something: a frame of it on the stack names the app (its ``self``).

    PERF: setting a context variable on every request costs about 740 instructions of the
    28,000 a plaintext request takes (``bench/count_instructions.py``, CPython 3.11); finding the
    frame costs nothing until an accessor asks.
    """
    _ENTRY_POINTS.add(function.__code__)


def current_app() -> Any:
    """The app handling the current request, WebSocket connection or lifespan (or whose start-up
    started this task); ``None`` elsewhere (a script, a task started from a handler)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code in _ENTRY_POINTS:
            return frame.f_locals.get("self")
        frame = frame.f_back  # type: ignore[assignment]
    return _CURRENT_APP.get()


__all__ = ["current_app", "register_entry_point", "reset_current_app", "set_current_app"]
