"""Reading and validating request values for typed parameters.

Plain ``int``/``float``/``bool``/``str`` parameters (optionally ``X | None``) without constraints
are converted by hand, which is several times cheaper than a validator call; anything else goes
through a pydantic ``TypeAdapter`` built once, at registration.
"""

from __future__ import annotations

import copy
import math
import operator
import re
import types
import typing
from collections.abc import Callable
from typing import Annotated, Any

import pydantic

from nexios_core import UnsupportedMediaType, UploadFile, is_json_media_type

from .errors import error_item, from_pydantic
from .markers import BodyParam, FileParam, FormParam, Param

_MISSING: Any = object()


class _Invalid(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors


# int()/float() also accept "1_000", surrounding spaces, non-ASCII digits, "nan" and "inf";
# a request value is plain ASCII decimal text, and a non-finite float is never useful.
_INT_TEXT = re.compile(r"[+-]?[0-9]{1,4300}", re.ASCII)
# Each digit can be consumed in one way only ("[0-9]+\.?[0-9]*" could split a run of digits
# anywhere, which made a long almost-number quadratic to refuse).
_FLOAT_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,5})?", re.ASCII)


def _to_int(raw: str) -> int:
    # Plain ASCII digits (nearly every value) skip the regex; it only has signs left to allow.
    if not (raw.isdigit() and raw.isascii()) and _INT_TEXT.fullmatch(raw) is None:
        raise ValueError
    return int(raw)


def _to_float(raw: str) -> float:
    if _FLOAT_TEXT.fullmatch(raw) is None:
        raise ValueError
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError
    return value


def _to_bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError


_FAST: dict[Any, tuple[Callable[[str], Any], str, str]] = {
    int: (_to_int, "int_parsing", "Input should be a valid integer"),
    float: (_to_float, "float_parsing", "Input should be a valid number"),
    bool: (_to_bool, "bool_parsing", "Input should be a valid boolean"),
    str: (str, "string_type", "Input should be a valid string"),
}


def _strip_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


_BOUNDS: dict[str, tuple[Callable[[Any, Any], bool], str, str]] = {
    "ge": (operator.ge, "greater_than_equal", "Input should be greater than or equal to {}"),
    "gt": (operator.gt, "greater_than", "Input should be greater than {}"),
    "le": (operator.le, "less_than_equal", "Input should be less than or equal to {}"),
    "lt": (operator.lt, "less_than", "Input should be less than {}"),
}


def _numeric_bounds(
    plain: Any, constraints: dict[str, Any]
) -> tuple[tuple[Callable[[Any, Any], bool], Any, str, str], ...] | None:
    """Bounds on an int/float checked by hand (the messages and types pydantic uses), or None
    when the constraints need pydantic."""
    if plain not in (int, float) or not constraints or not set(constraints) <= set(_BOUNDS):
        return None
    return tuple(
        (test, limit, kind, message.format(limit))
        for name, limit in constraints.items()
        for test, kind, message in (_BOUNDS[name],)
    )


def is_list_annotation(annotation: Any) -> bool:
    """``list[X]``, ``tuple[X, ...]``, ``set[X]`` (optionally ``| None``): repeated values."""
    return typing.get_origin(_strip_optional(annotation)) in (list, tuple, set, frozenset)


def build_validator(annotation: Any, marker: Param | None) -> Callable[[Any], Any]:
    """A function validating one raw value; raises ``_Invalid`` with errors under an empty loc."""
    constraints = marker.constraints if marker is not None else {}
    plain = _strip_optional(annotation)
    # Annotated metadata (pydantic/annotated-types constraints) needs the real validator.
    fast = None if typing.get_origin(annotation) is Annotated else _FAST.get(plain)
    bounds = _numeric_bounds(plain, constraints)
    if fast is not None and (not constraints or bounds is not None):
        convert, kind, message = fast
        checks = bounds or ()

        def validate_fast(raw: Any) -> Any:
            if not isinstance(raw, str):
                raw = str(raw)
            try:
                value = convert(raw)
            except (ValueError, OverflowError):
                raise _Invalid([error_item([], message, kind)]) from None
            for test, limit, error_kind, error_message in checks:
                if not test(value, limit):
                    raise _Invalid([error_item([], error_message, error_kind)])
            return value

        return validate_fast
    if annotation is Any or annotation is None:
        target: Any = Any
    else:
        target = annotation
    if constraints:
        target = Annotated[target, pydantic.Field(**constraints)]
    adapter = pydantic.TypeAdapter(target)

    def validate_with_pydantic(raw: Any) -> Any:
        try:
            return adapter.validate_python(raw)
        except pydantic.ValidationError as exc:
            raise _Invalid(from_pydantic([], exc.errors(include_input=False))) from None

    return validate_with_pydantic


class ValueReader:
    """Reads one parameter from the request (query, header, cookie, path or form)."""

    __slots__ = ("name", "key", "source", "default", "required", "is_list", "validate", "fetch")

    def __init__(self, name: str, key: str, source: str, annotation: Any, marker: Param | None,
                 default: Any) -> None:
        self.name = name
        self.key = key
        self.source = source
        self.default = default
        self.required = default is _MISSING
        self.is_list = is_list_annotation(annotation)
        self.validate = build_validator(annotation, marker)

    def resolve(self, raw: Any, errors: list[dict[str, Any]]) -> Any:
        """Validate ``raw`` (or apply the default); append errors instead of raising."""
        if raw is None or (self.is_list and not raw):
            if self.required:
                errors.append(error_item([self.source, self.key], "Field required", "missing"))
                return None
            return copy.copy(self.default)
        try:
            return self.validate(raw)
        except _Invalid as invalid:
            for err in invalid.errors:
                err["loc"] = [self.source, self.key, *err["loc"]]
            errors.extend(invalid.errors)
            return None

    def read(self, request: Any, params: dict[str, Any], errors: list[dict[str, Any]]) -> Any:
        """Fetch the raw value from ``request`` and resolve it."""
        source = self.source
        if source == "query":
            query = request.query_params
            raw: Any = query.getlist(self.key) if self.is_list else query.get(self.key)
        elif source == "header":
            headers = request.headers
            raw = headers.getlist(self.key) if self.is_list else headers.get(self.key)
        elif source == "cookie":
            raw = request.cookies.get(self.key)
        else:  # path
            raw = params.get(self.key)
        if raw.__class__ is str:
            # `resolve`, inlined for a single value that is there: the usual case.
            try:
                return self.validate(raw)
            except _Invalid:
                pass  # `resolve` reports it
        return self.resolve(raw, errors)




class BodyReader:
    """Reads the JSON body (or one key of it, when ``embed``) into a typed value."""

    __slots__ = ("name", "key", "embed", "default", "required", "adapter")

    def __init__(self, name: str, annotation: Any, marker: BodyParam | None, default: Any, embed: bool) -> None:
        self.name = name
        self.key = (marker.alias if marker is not None and marker.alias else name)
        self.embed = embed
        self.default = default
        self.required = default is _MISSING
        target = annotation if annotation is not None else Any
        if marker is not None and marker.constraints:
            target = Annotated[target, pydantic.Field(**marker.constraints)]
        self.adapter = pydantic.TypeAdapter(target)

    async def read(self, request: Any, errors: list[dict[str, Any]]) -> Any:
        """Validate the body; 415 for a non-JSON body, 400 for malformed JSON, 422 for values."""
        body = await request.body
        if not body:
            if self.required:
                errors.append(error_item(["body"] + ([self.key] if self.embed else []),
                                         "Field required", "missing"))
                return None
            return copy.copy(self.default)
        if not is_json_media_type(request.headers.get("content-type", "")):
            raise UnsupportedMediaType(detail="Expected a JSON body (Content-Type: application/json)")
        data = await request.json
        loc: list[Any] = ["body"]
        if self.embed:
            if not isinstance(data, dict):
                errors.append(error_item(["body"], "Input should be a JSON object", "dict_type"))
                return None
            if self.key not in data:
                if self.required:
                    errors.append(error_item(["body", self.key], "Field required", "missing"))
                    return None
                return copy.copy(self.default)
            data = data[self.key]
            loc.append(self.key)
        try:
            return self.adapter.validate_python(data)
        except pydantic.ValidationError as exc:
            errors.extend(from_pydantic(loc, exc.errors(include_input=False)))
            return None


class FormReader:
    """Reads a form field or an uploaded file."""

    __slots__ = ("value", "is_file")

    def __init__(self, name: str, key: str, annotation: Any, marker: FormParam | FileParam | None,
                 default: Any, is_file: bool) -> None:
        self.is_file = is_file
        many = is_list_annotation(annotation)
        if is_file:
            marker_for_validation = None
            annotation = Any  # checked below: the value must be an UploadFile
        else:
            marker_for_validation = marker
        self.value = ValueReader(name, key, "form", annotation, marker_for_validation, default)
        self.value.source = "form"
        self.value.is_list = many  # `list[UploadFile]` collects every file sent under the key

    async def read(self, request: Any, errors: list[dict[str, Any]]) -> Any:
        form = await request.form
        reader = self.value
        raw: Any = form.getlist(reader.key) if reader.is_list else form.get(reader.key)
        if self.is_file and raw is not None:
            values = raw if isinstance(raw, list) else [raw]
            if not values:  # no file under the key: "Field required", or the default
                return reader.resolve(None, errors)
            if not all(isinstance(v, UploadFile) for v in values):
                errors.append(error_item(["form", reader.key], "Expected an uploaded file", "file_type"))
                return None
            return raw
        if not self.is_file and isinstance(raw, UploadFile):
            errors.append(error_item(["form", reader.key], "Expected a field, got a file", "string_type"))
            return None
        return reader.resolve(raw, errors)


MISSING = _MISSING

__all__ = ["BodyReader", "FormReader", "MISSING", "ValueReader", "build_validator",
           "is_json_media_type", "is_list_annotation"]
