"""Parameters and request bodies of an operation, from the route and its injection plan.

Every input a handler (or one of its dependencies) reads is in ``route.plan.all_parameters()``: a
``nexios_di.ParameterInfo`` with the wire name, the source, the annotation, required-ness, the
default and the marker (``Query(ge=1)``...). Path values also get their converter's schema, so
``{user_id:int}`` is documented as a non-negative integer even without an annotation.
"""

from __future__ import annotations

import typing
import uuid
from collections.abc import Sequence
from typing import Any

from nexios_di import ParameterInfo
from nexios_di.validation import is_list_annotation
from nexios_routing import Route
from nexios_routing.converters import (
    FloatConverter,
    IntegerConverter,
    PathConverter,
    StringConverter,
    UUIDConverter,
)

from ._schemas import SchemaRegistry, jsonable
from .models import dump

PARAMETER_SOURCES = ("path", "query", "header", "cookie")
_PART_NAME = "^[^\\u0000-\\u0008\\u000a-\\u001f\\u007f]*$"
JSON_MEDIA_TYPE = "application/json"
BINARY_SCHEMA: dict[str, Any] = {"type": "string", "format": "binary", "contentMediaType": "application/octet-stream"}

_CONVERTER_SCHEMAS: dict[type, tuple[dict[str, Any], Any]] = {
    IntegerConverter: ({"type": "integer", "minimum": 0}, int),
    FloatConverter: ({"type": "number", "minimum": 0}, float),
    UUIDConverter: ({"type": "string", "format": "uuid"}, uuid.UUID),
    StringConverter: ({"type": "string", "minLength": 1, "pattern": "^[^/]+$"}, str),
    PathConverter: ({"type": "string"}, str),
}


def converter_schema(converter: Any) -> dict[str, Any]:
    """The schema of what a path converter matches. A custom converter may say it itself with an
    ``openapi_schema`` mapping; otherwise its ``regex`` becomes the ``pattern``."""
    own = getattr(converter, "openapi_schema", None)
    if isinstance(own, dict):
        return dict(own)
    known = _CONVERTER_SCHEMAS.get(type(converter))
    if known is not None:
        return dict(known[0])
    return {"type": "string", "pattern": f"^(?:{getattr(converter, 'regex', '.+')})$"}


def _produced_type(converter: Any) -> Any:
    known = _CONVERTER_SCHEMAS.get(type(converter))
    return known[1] if known is not None else None


def _visible(info: ParameterInfo) -> bool:
    return info.marker is None or info.marker.include_in_schema


def _value_schema(info: ParameterInfo, registry: SchemaRegistry, where: str) -> dict[str, Any]:
    marker = info.marker
    constraints = dict(marker.constraints) if marker is not None else {}
    if info.annotation is Any and not constraints:
        schema: dict[str, Any] = {}
    else:
        schema = registry.schema(info.annotation, "validation", where=f"{where}, {info.source} {info.key!r}",
                                 constraints=constraints)
    if marker is not None:
        if marker.title:
            schema["title"] = marker.title
        if marker.examples:
            schema["examples"] = list(marker.examples)
    if not info.required:
        ok, default = jsonable(info.default)
        if ok and default is not None:
            schema["default"] = default
    return schema


def parameters(route: Route, infos: Sequence[ParameterInfo], registry: SchemaRegistry,
               where: str) -> list[dict[str, Any]]:
    """The Parameter Objects: path values first (in path order), then query, header and cookie
    values, then the route's hand-written ``parameters=[...]`` (which win on a name clash)."""
    converters = route.template.param_converters
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for name, converter in converters.items():
        found[("path", name)] = {"name": name, "in": "path", "required": True,
                                 "schema": converter_schema(converter)}
    for info in infos:
        if info.source not in PARAMETER_SOURCES or not _visible(info):
            continue
        if info.source == "path":
            validated = info.annotation is not Any and info.annotation is not _produced_type(converters.get(info.key))
            if validated or info.marker is not None:
                found[("path", info.key)]["schema"] = _value_schema(info, registry, where)
            parameter = found[("path", info.key)]
        else:
            parameter = {"name": info.key, "in": info.source, "required": info.required,
                         "schema": _value_schema(info, registry, where)}
            found[(info.source, info.key)] = parameter
        marker = info.marker
        if marker is not None and marker.description:
            parameter["description"] = marker.description
        if marker is not None and marker.deprecated:
            parameter["deprecated"] = True
        if info.source == "query" and is_list_annotation(info.annotation):
            parameter["style"], parameter["explode"] = "form", True
    for declared in route.parameters:
        parameter = dump(declared)
        found[(parameter.get("in", "query"), parameter.get("name", ""))] = parameter
    return list(found.values())


def validates_inputs(route: Route, infos: Sequence[ParameterInfo]) -> bool:
    """Whether a request can be refused with a 422 (some input is checked against a type)."""
    converters = route.template.param_converters
    for info in infos:
        if info.source != "path":
            return True
        if info.annotation is not Any and info.annotation is not _produced_type(converters.get(info.key)):
            return True
        if info.marker is not None and info.marker.constraints:
            return True
    return False


def _property_schema(info: ParameterInfo, registry: SchemaRegistry, where: str) -> dict[str, Any]:
    """The schema of one field of a body or form (its description inside, having no Parameter
    Object to hold it)."""
    if info.source == "file":
        schema = {"type": "array", "items": dict(BINARY_SCHEMA)} if is_list_annotation(info.annotation) \
            else dict(BINARY_SCHEMA)
    else:
        schema = _value_schema(info, registry, where)
    if info.marker is not None and info.marker.description:
        schema["description"] = info.marker.description
    return schema


def request_body(route: Route, infos: Sequence[ParameterInfo], registry: SchemaRegistry,
                 where: str) -> dict[str, Any] | None:
    """The Request Body Object: JSON from body parameters (or ``request_model``), forms and files
    from ``Form``/``File`` parameters; ``None`` when the handler reads no body it declared."""
    body = [info for info in infos if info.source == "body" and _visible(info)]
    form = [info for info in infos if info.source in ("form", "file") and _visible(info)]
    content: dict[str, Any] = {}
    required = False
    description: str | None = None
    if body:
        embedded = len(body) > 1 or any(getattr(info.marker, "embed", False) for info in body)
        if embedded:
            properties = {info.key: _property_schema(info, registry, where) for info in body}
            schema: dict[str, Any] = {"type": "object", "properties": properties}
            needed = [info.key for info in body if info.required]
            if needed:
                schema["required"] = needed
            required = bool(needed)
        else:
            schema = _value_schema(body[0], registry, where)
            required = body[0].required
            description = body[0].marker.description if body[0].marker is not None else None
        content[JSON_MEDIA_TYPE] = {"schema": schema}
    elif route.request_model is not None and not form:
        media_type = route.request_content_type or JSON_MEDIA_TYPE
        content[media_type] = {
            "schema": registry.schema(route.request_model, "validation", where=f"{where}, request_model")
        }
        required = True
    if form:
        properties = {info.key: _property_schema(info, registry, where) for info in form}
        form_schema: dict[str, Any] = {"type": "object", "properties": properties}
        needed = [info.key for info in form if info.required]
        if needed:
            form_schema["required"] = needed
        required = required or bool(needed)
        # A part's name travels in its Content-Disposition header, where control characters are
        # refused (400): other fields may be sent, but not with such names.
        content["multipart/form-data"] = {"schema": {**form_schema, "propertyNames": {"pattern": _PART_NAME}}}
        if not any(info.source == "file" for info in form):
            content["application/x-www-form-urlencoded"] = {"schema": form_schema}
    if not content:
        return None
    described: dict[str, Any] = {"content": content}
    if description:
        described["description"] = description
    if required:
        described["required"] = True
    return described


def plain_type(annotation: Any) -> Any:
    """``Annotated[T, ...]`` as ``T``."""
    return typing.get_args(annotation)[0] if typing.get_origin(annotation) is typing.Annotated else annotation


__all__ = ["BINARY_SCHEMA", "JSON_MEDIA_TYPE", "converter_schema", "parameters", "plain_type",
           "request_body", "validates_inputs"]
