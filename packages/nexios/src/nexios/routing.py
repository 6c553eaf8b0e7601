"""``nexios.routing``: routers, route objects, groups and converters.

``Router``, ``Group``, ``Routes`` and ``WSRouter`` are the ``nexios_routing`` classes with upstream
Nexios's spellings accepted too (see :mod:`nexios._compat.routing`).
"""

from nexios_routing import Mount, Route, WebSocketRoute, register_converter

from ._compat.routing import Group, Router, Routes, WebsocketRoutes, WSRouter

__all__ = [
    "Group",
    "Mount",
    "Route",
    "Router",
    "Routes",
    "WSRouter",
    "WebSocketRoute",
    "WebsocketRoutes",
    "register_converter",
]
