"""Classifying a handler's parameters: where each one's value comes from.

The rules, first that applies:

1. the leading parameters of a handler take the request and the response (the WebSocket for
   WebSocket handlers) when unannotated or annotated with those types and without default;
2. a name declared in the route path: a path parameter (converted and validated by annotation);
3. a ``Depend(...)`` default: a dependency; ``Query/Header/Cookie/Path/Body/Form/File`` defaults:
   that part of the request;
4. annotated ``Request``/``Response``/``WebSocket``/``Context``/``App`` (or a ``Context()``
   default), or unannotated and named ``request``/``response``/``websocket``/``app``/``context``:
   those objects;
5. a pydantic model (or dataclass) annotation: the JSON body; ``UploadFile``: an uploaded file;
6. anything else: a query parameter (required unless it has a default).

This module answers single questions (is this a body model? which role does this leading
parameter play?); :mod:`nexios_di.builder` applies them in that order.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import typing
from collections.abc import Callable
from typing import Annotated, Any, Literal

import pydantic

from nexios_core import App, BaseResponse, Request, Response, UploadFile, WebSocket

from .context import Context
from .errors import DependencyError
from .markers import Dependency, Param
from .validation import is_list_annotation

Kind = Literal["http", "websocket"]
"""What a plan serves: an HTTP request or a WebSocket connection."""


@dataclasses.dataclass(frozen=True)
class ParameterInfo:
    """A request input as other packages (OpenAPI) see it."""

    name: str
    """The Python parameter name."""
    key: str
    """The name on the wire (query key, header name, cookie name, form field, JSON key)."""
    source: str
    """``path``, ``query``, ``header``, ``cookie``, ``body``, ``form`` or ``file``."""
    annotation: Any
    required: bool
    default: Any
    marker: Param | None
    """The marker with description, examples and constraints, if one was used."""


def name_of(func: Any) -> str:
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


def hints_of(func: Callable[..., Any]) -> dict[str, Any]:
    # Decorated handlers (functools.wraps) are read through to the function they wrap, as
    # inspect.signature does, so that their annotations are the real ones.
    func = inspect.unwrap(func)
    target = func if inspect.isfunction(func) or inspect.ismethod(func) else (
        func.__init__ if inspect.isclass(func) else type(func).__call__
    )
    namespace = getattr(inspect.unwrap(target), "__globals__", None) or {}
    annotations = dict(getattr(target, "__annotations__", {}))
    try:
        # Read through a holder, not the function: before Python 3.11, get_type_hints wraps the
        # hint of a parameter defaulting to None in Optional[...], which hid an Annotated marker
        # (`token: Annotated[str | None, Header()] = None` became a query parameter on 3.10).
        return typing.get_type_hints(_AnnotationHolder(annotations), globalns=namespace, include_extras=True)
    except Exception:
        pass
    # One name that cannot be resolved (a type imported only under TYPE_CHECKING, a class local
    # to a function) must not leave every other annotation as a string: resolve them one by one.
    # What stays unresolved is an `Unresolved`, refused by `_plan_for` where it matters.
    resolved: dict[str, Any] = {}
    for name, annotation in annotations.items():
        try:
            resolved[name] = typing.get_type_hints(
                _AnnotationHolder({name: annotation}), globalns=namespace, include_extras=True
            )[name]
        except Exception as exc:
            resolved[name] = Unresolved(annotation, exc)
    return resolved


def split_annotated(annotation: Any, default: Any, where: str) -> tuple[Any, Any]:
    """``Annotated[T, Depend(f)]`` / ``Annotated[T, Query(ge=1)] = 10``: the marker in the
    metadata becomes the parameter's marker (the Python default, if any, becomes the marker's
    default); other metadata (pydantic constraints) stays on the type for validation."""
    if typing.get_origin(annotation) is not Annotated:
        return annotation, default
    base, *extras = typing.get_args(annotation)
    markers = [item for item in extras if isinstance(item, (Dependency, Param, Context))]
    rest = [item for item in extras if not isinstance(item, (Dependency, Param, Context))]
    if len(markers) > 1:
        raise DependencyError(f"{where}: Annotated[...] holds more than one Depend/Query/... marker")
    if isinstance(default, (Dependency, Param)) and markers:
        raise DependencyError(f"{where}: a marker both in Annotated[...] and as the default")
    metadata = (base, *rest)  # subscripting with a tuple is Annotated[base, *rest]
    annotation = Annotated[metadata] if rest else base
    if not markers:
        return annotation, default
    marker = markers[0]
    if default is not inspect.Parameter.empty:
        if not isinstance(marker, Param):
            raise DependencyError(f"{where}: Annotated[..., {type(marker).__name__}(...)] takes no default")
        marker = copy.copy(marker)
        marker.default = default
    return annotation, marker


class _AnnotationHolder:
    """Something ``typing.get_type_hints`` reads one annotation from."""

    def __init__(self, annotations: dict[str, Any]) -> None:
        self.__annotations__ = annotations


class Unresolved:
    """An annotation naming a type that cannot be found at run time."""

    def __init__(self, text: Any, error: Exception) -> None:
        self.text = text
        self.error = error


def plain_annotation(annotation: Any) -> Any:
    """``Annotated[T, ...]`` is classified as ``T``."""
    return typing.get_args(annotation)[0] if typing.get_origin(annotation) is Annotated else annotation


def is_subclass_annotation(annotation: Any, base: type) -> bool:
    annotation = plain_annotation(annotation)
    return isinstance(annotation, type) and issubclass(annotation, base)


def is_body_model(annotation: Any) -> bool:
    annotation = plain_annotation(annotation)
    plain = annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        plain = args[0] if len(args) == 1 else annotation
    if is_list_annotation(plain):
        inner = typing.get_args(plain)
        plain = inner[0] if inner else plain
    return is_subclass_annotation(plain, pydantic.BaseModel) or (
        isinstance(plain, type) and dataclasses.is_dataclass(plain)
    )


def is_upload(annotation: Any) -> bool:
    annotation = plain_annotation(annotation)
    if is_subclass_annotation(annotation, UploadFile):
        return True
    args = typing.get_args(annotation)
    return any(is_upload(a) for a in args)


def leading_role(taken: int, name: str, annotation: Any, kind: Kind) -> str | None:
    """The role of a handler's leading parameter (``taken`` of them already placed): "request",
    "response" or "websocket", or ``None`` when it is not one of them (rule 1)."""
    loose = annotation is inspect.Parameter.empty or annotation is Any or annotation is object
    if kind == "websocket":
        if taken == 0 and (loose or name in ("websocket", "ws") or is_subclass_annotation(annotation, WebSocket)):
            return "websocket"
        return None
    if taken >= 2:
        return None
    if loose or (taken == 0 and name in ("request", "req")) or (taken == 1 and name in ("response", "res")):
        return "request" if taken == 0 else "response"
    if is_subclass_annotation(annotation, Response) or is_subclass_annotation(annotation, BaseResponse):
        return "response" if taken == 1 else None
    if is_subclass_annotation(annotation, Request):
        return "request" if taken == 0 else None
    return None


def special_for(name: str, annotation: Any, default: Any, kind: Kind) -> str | None:
    """Which of the request's own objects a parameter asks for (rule 4), or ``None``."""
    if isinstance(default, Context) or is_subclass_annotation(annotation, Context):
        return "context"
    if is_subclass_annotation(annotation, Request):
        return "request"
    if is_subclass_annotation(annotation, Response):
        return "response"
    if is_subclass_annotation(annotation, WebSocket):
        return "websocket"
    if is_subclass_annotation(annotation, App):
        return "app"
    if annotation is inspect.Parameter.empty and default is inspect.Parameter.empty:
        if name in ("request", "req"):
            return "request"
        if name in ("response", "res"):
            return "response" if kind == "http" else None
        if name in ("websocket", "ws"):
            return "websocket"
        if name == "app":
            return "app"
        if name in ("context", "ctx"):
            return "context"
    return None


__all__ = [
    "Kind",
    "ParameterInfo",
    "Unresolved",
    "hints_of",
    "is_body_model",
    "is_subclass_annotation",
    "is_upload",
    "leading_role",
    "name_of",
    "plain_annotation",
    "special_for",
    "split_annotated",
]
