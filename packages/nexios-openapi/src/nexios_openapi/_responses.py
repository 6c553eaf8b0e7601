"""The Responses Object of an operation.

Sources, later ones winning for the same status:

1. the success response (the lowest 2xx named in ``responses``, else 200), whose body is the
   route's response model, else the handler's return annotation (``-> str`` is ``text/plain``,
   ``-> HTMLResponse`` is ``text/html``, a bare ``-> Response`` says nothing about the body);
2. what the framework itself answers: 404 when the path has parameters (a value the route's
   converter refuses matches no route), 400 for a malformed body and 415 for a body that is not
   JSON where the operation reads one, 422 when inputs are validated, 401 (and 403 with scopes)
   when an ``@auth`` guard protects the handler;
3. the route's ``responses={status: what}``: a type (its JSON schema), an ``HTTPException``
   subclass (the ``{"detail": ...}`` error body), a string (the description) or a Response Object.
   A description alone (a string, or a Response Object without ``content``) keeps the body known
   for that status: the success body, or for a 4xx/5xx the ``{"detail": ...}`` error body.
"""

from __future__ import annotations

import http
import inspect
import typing
from collections.abc import Collection, Mapping
from typing import Any

from pydantic import BaseModel

from nexios_core import (
    BaseResponse,
    FileResponse,
    HTMLResponse,
    HTTPException,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    StreamingResponse,
)
from nexios_di.response_model import return_annotation
from nexios_routing import Route

from ._inputs import BINARY_SCHEMA, JSON_MEDIA_TYPE, plain_type
from ._schemas import SchemaRegistry
from .models import dump

HTTP_ERROR = "HTTPError"
VALIDATION_ERROR = "ValidationError"
HTTP_VALIDATION_ERROR = "HTTPValidationError"

_ERROR_SCHEMAS: dict[str, dict[str, Any]] = {
    HTTP_ERROR: {
        "title": HTTP_ERROR, "type": "object", "required": ["detail"],
        "properties": {"detail": {"title": "Detail", "description": "What went wrong (usually a string)."}},
    },
    VALIDATION_ERROR: {
        "title": VALIDATION_ERROR, "type": "object", "required": ["loc", "msg", "type"],
        "properties": {
            "loc": {"title": "Location", "type": "array",
                    "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
            "msg": {"title": "Message", "type": "string"},
            "type": {"title": "Error Type", "type": "string"},
        },
    },
    HTTP_VALIDATION_ERROR: {
        "title": HTTP_VALIDATION_ERROR, "type": "object", "required": ["detail"],
        "properties": {"detail": {"title": "Detail", "type": "array",
                                  "items": {"$ref": f"#/components/schemas/{VALIDATION_ERROR}"}}},
    },
}


def phrase(status: str) -> str:
    """The reason phrase of a status key (``"404"`` is ``Not Found``)."""
    try:
        return http.HTTPStatus(int(status)).phrase
    except ValueError:
        return "Response" if status == "default" else f"{status} response"


def error_content(registry: SchemaRegistry, name: str = HTTP_ERROR) -> dict[str, Any]:
    """``application/json`` with the framework's error body schema."""
    if name == HTTP_VALIDATION_ERROR:
        registry.component(VALIDATION_ERROR, _ERROR_SCHEMAS[VALIDATION_ERROR])
    return {JSON_MEDIA_TYPE: {"schema": registry.component(name, _ERROR_SCHEMAS[name])}}


_RESPONSE_MEDIA: tuple[tuple[type, str, dict[str, Any]], ...] = (
    (JSONResponse, JSON_MEDIA_TYPE, {}),
    (HTMLResponse, "text/html", {"type": "string"}),
    (PlainTextResponse, "text/plain", {"type": "string"}),
)


def annotation_content(annotation: Any, registry: SchemaRegistry, where: str) -> dict[str, Any] | None:
    """The Content Object for a handler returning ``annotation`` (``None`` when unknowable)."""
    plain = plain_type(annotation)
    if plain is None or plain is type(None) or plain is Any:
        return None
    if isinstance(plain, type) and issubclass(plain, BaseResponse):
        if issubclass(plain, (RedirectResponse, FileResponse, StreamingResponse)):
            return None
        for response_class, media_type, schema in _RESPONSE_MEDIA:
            if issubclass(plain, response_class):
                return {media_type: {"schema": dict(schema)}}
        return None  # the response builder, or a class of the user's: any media type
    if any(isinstance(arg, type) and issubclass(arg, BaseResponse) for arg in typing.get_args(plain)):
        return None  # `-> dict | Response`: the body depends on the branch taken
    if plain is str:
        return {"text/plain": {"schema": {"type": "string"}}}
    if plain in (bytes, bytearray, memoryview):
        return {"application/octet-stream": {"schema": dict(BINARY_SCHEMA)}}
    return {JSON_MEDIA_TYPE: {"schema": registry.schema(annotation, "serialization", where=where)}}


def _status_key(status: int | str) -> str:
    key = str(status).upper() if not str(status).isdigit() else str(int(status))
    return "default" if key == "DEFAULT" else key


def _declared(value: Any, status: str, registry: SchemaRegistry, where: str) -> dict[str, Any]:
    if isinstance(value, str):
        return {"description": value}
    if isinstance(value, type) and issubclass(value, HTTPException):
        # The framework's exceptions are described by their status; an app's own subclass by
        # the first line of its docstring, when it has one.
        doc = inspect.getdoc(value) if value.__module__ != HTTPException.__module__ else None
        description = doc.split("\n", 1)[0] if doc else phrase(status)
        return {"description": description, "content": error_content(registry)}
    if isinstance(value, (Mapping, BaseModel)) and not isinstance(value, type):
        given: dict[str, Any] = dict(dump(value))
        given.setdefault("description", phrase(status))
        return given
    content = annotation_content(value, registry, f"{where}, responses[{status}]")
    described: dict[str, Any] = {"description": phrase(status)}
    if content is not None:
        described["content"] = content
    return described


def success_status(route: Route) -> str:
    """The status of a successful answer: the lowest 2xx the route declares, else 200."""
    declared = sorted(_status_key(status) for status in route.responses)
    return next((status for status in declared if len(status) == 3 and status.startswith("2")), "200")


def responses(route: Route, method: str, registry: SchemaRegistry, where: str, *,
              validates: bool, auth_scopes: frozenset[str] | None,
              body_media_types: Collection[str] = ()) -> dict[str, Any]:
    """The operation's Responses Object (see the module docstring for the sources)."""
    success = success_status(route)
    found: dict[str, dict[str, Any]] = {success: {"description": "Successful Response"}}
    model = route.response_model if route.response_model is not None else return_annotation(route.handler)
    content = annotation_content(model, registry, f"{where}, response") if model is not None else None
    if content is not None and success != "204" and method != "HEAD":
        found[success]["content"] = content
    if body_media_types:
        found["400"] = {"description": "Malformed request body", "content": error_content(registry)}
    if JSON_MEDIA_TYPE in body_media_types:
        found["415"] = {"description": "Unsupported Media Type (the body must be JSON)",
                        "content": error_content(registry)}
    if route.template.param_converters:
        found["404"] = {"description": "Not Found", "content": error_content(registry)}
    if validates:
        found["422"] = {"description": "Validation Error", "content": error_content(registry, HTTP_VALIDATION_ERROR)}
    if auth_scopes is not None:
        found["401"] = {"description": "Authentication required", "content": error_content(registry)}
        if auth_scopes:
            found["403"] = {"description": "Missing required scope", "content": error_content(registry)}
    for status, value in route.responses.items():
        key = _status_key(status)
        declared = _declared(value, key, registry, where)
        if "content" not in declared and isinstance(value, (str, Mapping, BaseModel)):
            # A description alone keeps the body known for that status: the annotation's for the
            # success (`responses={201: "Created"}`), the framework's error body for an error
            # (raised as HTTPException, which answers {"detail": ...}).
            if "content" in found.get(key, {}):
                declared["content"] = found[key]["content"]
            elif key[:1] in ("4", "5"):
                declared["content"] = error_content(registry)
        found[key] = declared
    return dict(sorted(found.items(), key=lambda item: (not item[0].isdigit(), item[0])))


__all__ = ["HTTP_ERROR", "HTTP_VALIDATION_ERROR", "VALIDATION_ERROR", "annotation_content", "error_content",
           "phrase", "responses", "success_status"]
