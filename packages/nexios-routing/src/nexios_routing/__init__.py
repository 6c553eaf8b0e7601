"""nexios-routing: path templates, compiled matching, routers, groups and mounts.

``Router`` implements the ``nexios_core.dispatch.Dispatcher`` seam, so the core app dispatches
to it without knowing it exists.
"""

from .binding import InjectionPlan, build_plan
from .converters import Converter, register_converter
from .groups import Group
from .paths import PathTemplate, parse_template
from .router import Router
from .routes import HTTP_METHODS, Mount, Route, WebSocketRoute

__all__ = [
    "HTTP_METHODS",
    "Converter",
    "Group",
    "InjectionPlan",
    "Mount",
    "PathTemplate",
    "Route",
    "Router",
    "WebSocketRoute",
    "build_plan",
    "parse_template",
    "register_converter",
]
