"""Response models: validating and filtering what a handler returns, decided once per route.

A route's response model is the type its answers must have: given as ``response_model=`` (the name
FastAPI uses), or read from the handler's return annotation when that names a model (a pydantic
model, a dataclass or a ``TypedDict``, alone or inside ``list[...]``, ``dict[str, ...]``,
``X | None``...). Plain annotations such as ``-> dict[str, int]`` or ``-> str`` are documentation
only: validating them would cost every request and catch little.

:func:`build_response_validator` builds a pydantic ``TypeAdapter`` once, at registration, and
returns ``validate(result)``: a returned response object, or ``None`` (which means the response
builder as the handler filled it), passes through untouched; anything else is validated against
the model (attributes are read from objects, so an ORM row or a richer model can be returned) and
dumped to JSON-ready data holding only the model's fields, which is how a ``password`` field of
the stored user stays out of the answer. A value that does not fit is the server's bug:
:class:`ResponseValidationError`, a 500 whose details are logged, never sent.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from collections.abc import Callable
from typing import Annotated, Any

import pydantic

from nexios_core import BaseResponse, ImproperlyConfigured

ResponseValidator = Callable[[Any], Any]
"""``validate(result)``: the JSON-ready data to send for ``result``, or ``result`` itself when it
is a response object or ``None``. Raises :class:`ResponseValidationError`."""


class ResponseValidationError(Exception):
    """A handler returned a value that its response model refuses (a bug in the handler, so the
    client gets a plain 500). ``errors`` are pydantic's, without the offending values."""

    def __init__(self, where: str, errors: list[dict[str, Any]]) -> None:
        fields = "; ".join(
            f"{'.'.join(str(part) for part in error.get('loc', ())) or '<root>'}: {error.get('msg')}"
            for error in errors
        )
        super().__init__(f"{where} returned a value its response model refuses: {fields}")
        self.errors = errors


def _is_model_class(candidate: Any) -> bool:
    return isinstance(candidate, type) and (
        issubclass(candidate, pydantic.BaseModel)
        or dataclasses.is_dataclass(candidate)
        # A TypedDict of `typing` or of `typing_extensions` (pydantic needs the latter before 3.12).
        or (issubclass(candidate, dict) and hasattr(candidate, "__required_keys__"))
    )


def names_a_model(annotation: Any) -> bool:
    """Whether ``annotation`` is a model, or a container or union holding one, and holds no
    response class (``-> Response``, ``-> JSONResponse | dict`` are never validated)."""
    found = False

    def walk(node: Any) -> bool:
        nonlocal found
        if typing.get_origin(node) is Annotated:
            node = typing.get_args(node)[0]
        if isinstance(node, type) and issubclass(node, BaseResponse):
            return False
        if _is_model_class(node):
            found = True
            return True
        return all(walk(arg) for arg in typing.get_args(node) if arg is not Ellipsis)

    return walk(annotation) and found


def return_annotation(handler: Callable[..., Any]) -> Any:
    """The handler's resolved return annotation (read through decorators), or ``None``."""
    target = inspect.unwrap(handler)
    try:
        hints = typing.get_type_hints(target, include_extras=True)
    except Exception:  # an annotation naming a type that only exists for type checkers
        return None
    return hints.get("return")


def response_model_for(handler: Callable[..., Any], explicit: Any = None) -> Any:
    """The response model of a route: ``explicit`` when given, else the handler's return
    annotation when it names a model (see :func:`names_a_model`), else ``None``."""
    if explicit is not None:
        return explicit
    annotation = return_annotation(handler)
    if annotation is None or annotation is type(None) or not names_a_model(annotation):
        return None
    return annotation


def _describe(handler: Callable[..., Any]) -> str:
    return f"{getattr(handler, '__module__', '?')}.{getattr(handler, '__qualname__', repr(handler))}"


def build_response_validator(model: Any, handler: Callable[..., Any]) -> ResponseValidator:
    """A validator for ``model``, built now (registration) so that a type pydantic cannot handle
    fails here, naming the handler, instead of on the first request."""
    where = _describe(handler)
    try:
        adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(model)
    except (pydantic.PydanticSchemaGenerationError, pydantic.PydanticUserError, TypeError) as exc:
        raise ImproperlyConfigured(
            f"response_model={model!r} of {where} is not a type pydantic can validate: {exc}"
        ) from None
    validate = adapter.validate_python
    dump = adapter.dump_python

    def validate_response(result: Any) -> Any:
        if result is None or isinstance(result, BaseResponse):
            return result
        try:
            value = validate(result, from_attributes=True)
        except pydantic.ValidationError as exc:
            errors = [dict(error) for error in exc.errors(include_input=False, include_url=False)]
            raise ResponseValidationError(where, errors) from None
        return dump(value, mode="json", by_alias=True)

    return validate_response


__all__ = [
    "ResponseValidationError",
    "ResponseValidator",
    "build_response_validator",
    "names_a_model",
    "response_model_for",
    "return_annotation",
]
