"""Path parameter converters: ``{name:int}``, ``{name:uuid}``, ``{name:slug}``... and a registry for
custom ones.

A converter has a ``regex`` that one path segment must fully match (``path`` may span segments),
``convert`` that turns the matched text into a value, and ``to_string`` for ``url_for``. A value
whose ``convert`` raises ``ValueError`` does not match, so ``/users/abc`` on ``{id:int}`` is a 404,
never a 500 (``shared/SECURITY.md``).
"""

from __future__ import annotations

import decimal
import math
import uuid
from typing import Any, Protocol, TypeVar

_T = TypeVar("_T")


class Converter(Protocol[_T]):
    """What a custom converter implements (register it with :func:`register_converter`).

    A converter may also define ``match(segment) -> value`` (raising ``ValueError`` for no
    match): the router then uses it instead of the regex when the parameter is a whole segment.
    """

    regex: str

    def convert(self, value: str) -> _T:
        """Turn the matched text into the parameter value; ``ValueError`` means "no match"."""
        ...

    def to_string(self, value: _T) -> str:
        """Turn a value back into path text for ``url_for``."""
        ...


class StringConverter:
    """``{name}`` / ``{name:str}``: one non-empty segment."""

    regex = "[^/]+"

    def convert(self, value: str) -> str:
        return value

    def match(self, segment: str) -> str:
        """Fast path for a whole segment (never contains "/" once the path is split)."""
        if not segment:
            raise ValueError("empty segment")
        return segment

    def to_string(self, value: Any) -> str:
        text = str(value)
        if not text or "/" in text:
            raise ValueError(f"{value!r} is not a valid path segment")
        return text


class PathConverter:
    """``{name:path}``: the rest of the path, slashes included (may be empty)."""

    regex = ".*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: Any) -> str:
        return str(value)


class IntegerConverter:
    """``{name:int}``: decimal digits, at most 4300 of them (CPython's int conversion limit)."""

    regex = "[0-9]{1,4300}"

    def convert(self, value: str) -> int:
        return int(value)

    def match(self, segment: str) -> int:
        """Fast path for a whole segment: the regex's rule without running the regex."""
        if not (segment.isascii() and segment.isdigit()) or len(segment) > 4300:
            raise ValueError("not a decimal integer")
        return int(segment)

    def to_string(self, value: Any) -> str:
        number = int(value)
        if number < 0:
            raise ValueError("Negative integers are not supported in int path parameters")
        return str(number)


class FloatConverter:
    """``{name:float}``: digits with an optional fractional part (no exponent, no NaN).

    The lengths allow every finite float written out in full (``1e308`` has 309 digits,
    ``5e-324`` needs 324 decimals), so ``url_for`` output always routes back.
    """

    regex = r"[0-9]{1,309}(?:\.[0-9]{1,330})?"

    def convert(self, value: str) -> float:
        number = float(value)
        if math.isinf(number):  # 309 nines overflow to inf
            raise ValueError(f"{value!r} is out of range")
        return number

    def to_string(self, value: Any) -> str:
        number = float(value)
        if number < 0 or not math.isfinite(number):
            raise ValueError("Only finite non-negative floats are supported in float path parameters")
        # repr() is the shortest text that reads back as the same float, but may use an exponent
        # ("1e+20"), which the regex refuses: write the same digits out positionally.
        return format(decimal.Decimal(repr(number + 0.0)), "f")


class UUIDConverter:
    """``{name:uuid}``: a hyphenated UUID, converted to ``uuid.UUID``."""

    regex = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

    def convert(self, value: str) -> uuid.UUID:
        return uuid.UUID(value)

    def to_string(self, value: Any) -> str:
        return str(uuid.UUID(str(value)))


class SlugConverter:
    """``{name:slug}``: lower-case letters and digits in words joined by single hyphens
    (``my-first-post``)."""

    regex = "[a-z0-9]+(?:-[a-z0-9]+)*"

    def convert(self, value: str) -> str:
        return value

    def match(self, segment: str) -> str:
        """Fast path for a whole segment: the regex's rule, checked in one pass."""
        if not segment or segment[0] == "-" or segment[-1] == "-" or "--" in segment:
            raise ValueError("not a slug")
        if not all(char in _SLUG_CHARACTERS for char in segment):
            raise ValueError("not a slug")
        return segment

    def to_string(self, value: Any) -> str:
        return self.match(str(value))


_SLUG_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")

CONVERTERS: dict[str, Converter[Any]] = {
    "str": StringConverter(),
    "path": PathConverter(),
    "int": IntegerConverter(),
    "float": FloatConverter(),
    "uuid": UUIDConverter(),
    "slug": SlugConverter(),
}


def register_converter(name: str, converter: Converter[Any]) -> None:
    """Make ``{param:name}`` available in every router. Register before adding routes."""
    if not name.isidentifier():
        raise ValueError(f"Converter names must be identifiers, not {name!r}")
    CONVERTERS[name] = converter




__all__ = [
    "CONVERTERS",
    "Converter",
    "FloatConverter",
    "IntegerConverter",
    "PathConverter",
    "SlugConverter",
    "StringConverter",
    "UUIDConverter",
    "register_converter",
]
