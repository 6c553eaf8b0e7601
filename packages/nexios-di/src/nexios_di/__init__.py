"""nexios-di: dependency injection and typed request inputs for Nexios.

``Depend`` injects dependencies (functions, classes, generators, with per-request caching and
cleanup); ``Query``, ``Header``, ``Cookie``, ``Path``, ``Body``, ``Form`` and ``File`` read and
validate request values. ``build_plan`` turns a handler into an :class:`InjectionPlan` once, at
registration; the plan's ``all_parameters()`` describes its inputs to other packages (OpenAPI).
``build_response_validator`` checks and filters what a handler returns against its response model.
"""

from .builder import build_plan
from .classify import Kind, ParameterInfo
from .context import Context
from .errors import DependencyError, RequestValidationError
from .lifecycle import app_scoped_nodes, close_app_scope, start_app_scope
from .markers import (
    Body,
    BodyParam,
    Cookie,
    CookieParam,
    Depend,
    Dependency,
    File,
    FileParam,
    Form,
    FormParam,
    Header,
    HeaderParam,
    Param,
    Path,
    PathParam,
    Query,
    QueryParam,
)
from .nodes import DependencyNode, NodeCache
from .plan import InjectionPlan
from .response_model import ResponseValidationError, build_response_validator, response_model_for

__all__ = [
    "QueryParam",
    "PathParam",
    "HeaderParam",
    "FormParam",
    "FileParam",
    "Dependency",
    "CookieParam",
    "BodyParam",
    "Body",
    "Context",
    "Cookie",
    "Depend",
    "DependencyError",
    "DependencyNode",
    "File",
    "Form",
    "Header",
    "InjectionPlan",
    "Kind",
    "NodeCache",
    "Param",
    "ParameterInfo",
    "Path",
    "Query",
    "RequestValidationError",
    "ResponseValidationError",
    "app_scoped_nodes",
    "build_plan",
    "build_response_validator",
    "close_app_scope",
    "response_model_for",
    "start_app_scope",
]
