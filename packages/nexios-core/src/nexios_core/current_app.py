"""Which app is handling the code that is running now.

Upstream-style accessors that take no app argument (``ChannelBox.group_send(...)`` in a handler)
find the app here. :class:`~nexios_core.app.App` sets it when it is called (a request, a WebSocket
connection, the lifespan), so it is the innermost app handling the current task: code started
from a start-up hook inherits the app, as tasks inherit context variables.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

_CURRENT_APP: ContextVar[Any] = ContextVar("nexios_current_app", default=None)

set_current_app = _CURRENT_APP.set
"""``token = set_current_app(app)``: called by the app on entry. Servers run every request and
connection in a task of its own, whose context ends with it, so the app never resets it."""

reset_current_app = _CURRENT_APP.reset
"""``reset_current_app(token)`` undoes a ``set_current_app`` (for code that does an app's work by
hand, such as a test)."""


def current_app() -> Any:
    """The app handling the current request, WebSocket connection or lifespan; ``None`` outside
    of them (a script, a thread started by hand)."""
    return _CURRENT_APP.get()


__all__ = ["current_app", "reset_current_app", "set_current_app"]
