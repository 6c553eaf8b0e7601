"""Building the OpenAPI 3.1 document of a router's routes.

:func:`build_document` reads only the routing table's public surface: ``router.routes`` (mounted
routers flattened, with full paths and inherited tags), each route's documentation options, its
injection plan's ``all_parameters()``, its handler's guards, and the middleware's auth backends.
It runs once per document (the :class:`~nexios_openapi.OpenAPI` plugin caches the result), never
on the request path.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from nexios_core import ImproperlyConfigured
from nexios_routing import Route, Router

from ._inputs import parameters, request_body, validates_inputs
from ._responses import responses
from ._schemas import SchemaRegistry
from ._security import check_requirements, discover_schemes, guard_requirements, requirements_for
from .config import OPENAPI_VERSION, OpenAPIConfig

logger = logging.getLogger("nexios.openapi")

_PARAM = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)(?::[A-Za-z_][A-Za-z0-9_]*)?}")
_NOT_WORD = re.compile(r"[^0-9A-Za-z_]+")


def openapi_path(route: Route) -> str:
    """The route's path as OpenAPI writes it: ``/users/{user_id:int}`` is ``/users/{user_id}``."""
    return _PARAM.sub(lambda match: "{" + match.group(1) + "}", route.path)


def _summary(name: str) -> str:
    return " ".join(word.capitalize() for word in name.replace("-", "_").split("_") if word)


_OPENAPI_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"})
"""The methods an OpenAPI path item can describe."""


def _operation_ids(operations: Sequence[tuple[Route, str]]) -> list[str]:
    """Stable, unique ids: the route's ``operation_id`` (for its first method; ``_method`` added
    for the others of a route serving several), else its name (``_method`` added when the route
    serves several methods); names shared by several operations get their path added."""
    candidates: list[str] = []
    for route, method in operations:
        if route.operation_id:
            first = route.methods[0] if route.methods else method
            candidates.append(route.operation_id if method == first else f"{route.operation_id}_{method.lower()}")
            continue
        base = _NOT_WORD.sub("_", route.name or openapi_path(route)).strip("_") or "operation"
        candidates.append(f"{base}_{method.lower()}" if len(route.methods) > 1 else base)
    explicit = Counter(route.operation_id for route in {id(r): r for r, _ in operations}.values() if route.operation_id)
    repeated = [oid for oid, count in explicit.items() if count > 1]
    if repeated:
        raise ImproperlyConfigured(f"operation_id {repeated[0]!r} is given to several routes; ids must be unique")
    counts = Counter(candidates)
    unique: list[str] = []
    for (route, method), candidate in zip(operations, candidates, strict=True):
        if counts[candidate] > 1 and not route.operation_id:
            slug = _NOT_WORD.sub("_", openapi_path(route)).strip("_") or "root"
            candidate = f"{candidate}_{slug}_{method.lower()}"
        unique.append(candidate)
    duplicated = [oid for oid, count in Counter(unique).items() if count > 1]
    if duplicated:
        raise ImproperlyConfigured(f"Two operations would share the operationId {duplicated[0]!r}; "
                                   "give one of the routes an operation_id=...")
    return unique


def _merge(target: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


def _operation(route: Route, method: str, operation_id: str, registry: SchemaRegistry,
               schemes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    where = f"{method} {route.path}"
    infos = route.plan.all_parameters() if route.plan is not None else []
    operation: dict[str, Any] = {}
    if route.tags:
        operation["tags"] = list(route.tags)
    operation["summary"] = route.summary or _summary(route.name or operation_id)
    if route.description:
        operation["description"] = inspect.cleandoc(route.description)
    operation["operationId"] = operation_id
    found = parameters(route, infos, registry, where)
    if found:
        operation["parameters"] = found
    body = request_body(route, infos, registry, where) if method not in ("GET", "HEAD", "OPTIONS", "TRACE") else None
    if body is not None:
        operation["requestBody"] = body
    guarded = guard_requirements(route.handler)
    operation["responses"] = responses(
        route, method, registry, where, validates=validates_inputs(route, infos),
        auth_scopes=guarded[1] if guarded is not None else None,
        body_media_types=tuple(body["content"]) if body is not None else (),
    )
    if route.deprecated:
        operation["deprecated"] = True
    if route.security is not None:
        check_requirements(route.security, schemes, where)
        operation["security"] = route.security
    elif guarded is not None:
        required = requirements_for(guarded[0], guarded[1], schemes)
        if required:
            operation["security"] = required
    if route.openapi_extra:
        _merge(operation, json.loads(json.dumps(route.openapi_extra)))
    return operation


def build_document(router: Router, config: OpenAPIConfig, *, middleware: Iterable[Any] = (),
                   servers: Sequence[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The OpenAPI document of every route of ``router`` that is included in the schema.

    ``middleware`` is the app's middleware (its auth backends declare security schemes; route
    middleware is read from the routes). ``servers`` replaces the configured servers when given.
    """
    routes = [route for route in router.routes if route.include_in_schema]
    layers = [*middleware, *(layer for route in routes for layer in route.middleware)]
    schemes = discover_schemes(layers)
    schemes.update(config.security_schemes)
    # An extension method (PURGE...) has no place in an OpenAPI path item: it is left out.
    operations = [(route, method) for route in routes for method in route.methods if method in _OPENAPI_METHODS]
    registry = SchemaRegistry()
    paths: dict[str, dict[str, Any]] = {}
    used_tags: list[str] = []
    first_of: dict[tuple[str, str], Route] = {}
    for (route, method), operation_id in zip(operations, _operation_ids(operations), strict=True):
        path = openapi_path(route)
        item = paths.setdefault(path, {})
        # Two routes answering the same method on the same path shape (/items/{id:int} and
        # /items/{id}, or /items/{id} and /items/{slug}): a path item holds one operation per
        # method, and OpenAPI forbids paths differing only in parameter names. Said, never
        # silent; the route registered first (the one the router tries first) keeps the path.
        shape = (_PARAM.sub("{}", route.path), method)
        first = first_of.setdefault(shape, route)
        if first is not route:
            logger.warning(
                "%s %s (%s) and %s %s (%s) are one path to OpenAPI: the document %s. Give one "
                "exclude_from_schema=True, or serve both from one route", method, first.path, first.name,
                method, route.path, route.name,
                "describes the first only" if method.lower() in item else "lists both, which OpenAPI forbids",
            )
            if method.lower() in item:
                continue
        operation = item[method.lower()] = _operation(route, method, operation_id, registry, schemes)
        used_tags.extend(tag for tag in operation.get("tags", ()) if tag not in used_tags)
    document: dict[str, Any] = {"openapi": OPENAPI_VERSION, "info": config.info()}
    chosen_servers = list(servers) if servers is not None else config.servers
    if chosen_servers:
        document["servers"] = chosen_servers
    document["paths"] = paths
    components: dict[str, Any] = {}
    schemas = registry.finish()
    if schemas:
        components["schemas"] = schemas
    if config.security is not None:
        check_requirements(config.security, schemes, "OpenAPIConfig(security=...)")
        document["security"] = config.security
    if schemes:
        components["securitySchemes"] = dict(sorted(schemes.items()))
    if components:
        document["components"] = components
    declared = {tag["name"] for tag in config.tags}
    tags = list(config.tags) + [{"name": name} for name in used_tags if name not in declared]
    if tags:
        document["tags"] = tags
    if config.external_docs:
        document["externalDocs"] = config.external_docs
    # A plain, independent JSON structure: nothing shared between operations, nothing unserialisable.
    return json.loads(json.dumps(document))  # type: ignore[no-any-return]


__all__ = ["build_document", "openapi_path"]
