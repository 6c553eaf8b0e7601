"""``nexios.types``: ASGI type aliases."""

from nexios_core import ASGIApp, Message, Receive, Scope, Send

__all__ = ["ASGIApp", "Message", "Receive", "Scope", "Send"]
