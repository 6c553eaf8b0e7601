"""Upstream Nexios's ``WebSocketConsumer`` surface over ``nexios_core``'s: the constructor
``(logging_enabled=True, logger=None)``, a class-level ``middleware`` list, and
``Consumer.as_route(path)`` for ``app.add_ws_route(...)``."""

from __future__ import annotations

import logging
from typing import Any, ClassVar

import nexios_core
from nexios_routing import WebSocketRoute


class WebSocketConsumer(nexios_core.WebSocketConsumer):
    """A class-based WebSocket handler (see ``nexios_core.WebSocketConsumer`` for the hooks).

    ``middleware`` lists WebSocket middleware that runs around every connection this consumer
    serves when it is routed with :meth:`as_route`. ``logger`` (default: the ``nexios.websockets``
    logger) is available to the hooks as ``self.logger``; ``logging_enabled=False`` silences it.
    """

    middleware: ClassVar[list[Any]] = []

    def __init__(self, logging_enabled: bool = True, logger: logging.Logger | None = None) -> None:
        self.logging_enabled = logging_enabled
        self.logger = logger if logger is not None else logging.getLogger("nexios.websockets")
        if not logging_enabled:
            self.logger = logging.getLogger("nexios.websockets.silenced")
            self.logger.disabled = True

    @classmethod
    def as_route(cls, path: str) -> WebSocketRoute:
        """A WebSocket route serving ``path`` with this consumer (a fresh instance per
        connection): ``app.add_ws_route(ChatConsumer.as_route("/chat"))``."""
        return WebSocketRoute(path, cls.as_handler(), name=cls.__name__, middleware=list(cls.middleware))


__all__ = ["WebSocketConsumer"]
