"""``nexios.types``: ASGI type aliases."""

from nexios_core.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["ASGIApp", "Message", "Receive", "Scope", "Send"]
