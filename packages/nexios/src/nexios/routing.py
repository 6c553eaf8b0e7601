"""``nexios.routing``: routers, route objects, groups and converters."""

from nexios_routing import (
    Group,
    Mount,
    Route,
    Router,
    Routes,
    WebSocketRoute,
    WSRouter,
    register_converter,
)

__all__ = ["Group", "Mount", "Route", "Router", "Routes", "WSRouter", "WebSocketRoute", "register_converter"]
