"""JSON encoding and hostile-input-safe decoding.

Decoding refuses what ``shared/SECURITY.md`` lists: nesting deeper than the limit, ``NaN`` and
``Infinity``, integers beyond CPython's digit rule, lone surrogates and invalid UTF-8. Every refusal
is a :class:`~nexios_core.exceptions.BadRequest`, so a client can never turn a body into a 500.

Encoding uses orjson when it is installed (it is several times faster) and the standard library
otherwise; both produce compact UTF-8 and understand dataclasses, datetimes, UUIDs, decimals, sets
and pydantic models. Decoding tries orjson first too, and gives the standard library (with the
checks above) everything orjson refuses or might read differently, so a body decodes to the same
value, or is refused with the same message, with or without orjson.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import decimal
import enum
import itertools
import json
import re
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from .exceptions import BadRequest

try:  # orjson is optional: `pip install nexios-core[orjson]`
    import orjson as _orjson
except ImportError:  # pragma: no cover - depends on the environment
    _orjson = None  # type: ignore[assignment]

# One JSON string, escapes included. Unrolled so that each byte can be consumed in exactly one
# way (no backtracking), and the closing quote is optional: an unterminated string then runs to the
# end of the body in a single match instead of failing and being retried from every later quote,
# which made the old pattern quadratic. (The decoder refuses the unterminated string afterwards.)
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
# Depth change per byte of a brackets-only string: +1 for an opener, -1 for a closer.
_DEPTH_STEP = tuple(1 if b in b"[{" else -1 if b in b"]}" else 0 for b in range(256))
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
# orjson reads integers beyond 64 bits as floats; the standard library keeps them exact.
_LONG_DIGIT_RUN = re.compile(rb"[0-9]{19}")


def _json_default(value: Any) -> Any:
    """Turn the common non-JSON types into JSON ones (used by both encoders)."""
    model_dump = getattr(value, "model_dump", None)
    if callable(model_dump):  # pydantic v2 models
        return model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_stdlib_encoder = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=_json_default
)


_MAX_EXTRA_RECURSION = 10_000
"""The most recursion room the codec adds for deeply nested data (see :func:`_more_recursion`);
deeper than this is refused whatever ``max_depth`` says, to keep well inside a thread's C stack."""
_RECURSION_LIMIT_LOCK = threading.Lock()


@contextlib.contextmanager
def _more_recursion(extra: int) -> Iterator[None]:
    """Raise the interpreter's recursion limit by ``extra`` for the duration of the block.

    The C decoder and encoder count each nesting level against that limit (1000 by default,
    minus the frames already in use), so JSON within the depth limit could not otherwise be
    decoded, nor echoed back. The limit is process-wide: the lock keeps concurrent users from
    restoring each other's raised limit too early.
    """
    with _RECURSION_LIMIT_LOCK:
        previous = sys.getrecursionlimit()
        sys.setrecursionlimit(previous + extra)
        try:
            yield
        finally:
            sys.setrecursionlimit(previous)


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities replaced by ``None`` (JSON has no such numbers)."""
    if isinstance(value, float):
        return value if value - value == 0.0 else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _dumps_stdlib(value: Any) -> bytes:
    try:
        text = _stdlib_encoder.encode(value)
    except RecursionError:
        with _more_recursion(_MAX_EXTRA_RECURSION):
            text = _stdlib_encoder.encode(value)
    except ValueError:
        # NaN/Infinity: written as null, as orjson does, so the output never depends on
        # whether orjson is installed (and is always valid JSON).
        text = _stdlib_encoder.encode(_finite(value))
    # Outside the try: a lone surrogate's UnicodeEncodeError is a ValueError too, and taking it
    # for NaN sent deeply nested data through the recursive _finite (a RecursionError on
    # Python 3.12+, whose C encoder no longer counts against the recursion limit).
    return text.encode("utf-8")


if _orjson is not None:
    _ORJSON_OPTIONS = _orjson.OPT_NON_STR_KEYS | _orjson.OPT_SERIALIZE_NUMPY

    def _dumps_orjson(value: Any) -> bytes:
        try:
            return _orjson.dumps(value, default=_json_default, option=_ORJSON_OPTIONS)
        except TypeError:
            # orjson refuses a few things the standard library accepts (int subclasses beyond
            # 64 bits, for example); the slower path keeps behaviour identical either way.
            return _dumps_stdlib(value)

    dumps: Callable[[Any], bytes] = _dumps_orjson
else:  # pragma: no cover - depends on the environment
    dumps = _dumps_stdlib

dumps.__doc__ = "Serialise ``value`` to compact UTF-8 JSON bytes (NaN and infinities as null)."


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if number in (_INF, -_INF):  # `1e999` overflows to infinity, which JSON cannot carry
        raise ValueError(f"number {text[:20]} is out of range")
    return number


_INF = float("inf")


def _nesting_depth(data: bytes) -> int:
    """The deepest bracket nesting of ``data``, brackets inside strings not counted.

    Linear in the size of the body, and without a Python-level loop per byte: strings are removed
    by one regex pass, every byte but brackets by ``translate``, and the running depth is summed
    in C (``accumulate`` over a lookup table).
    """
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    if not brackets:
        return 0
    return max(0, max(itertools.accumulate(map(_DEPTH_STEP.__getitem__, brackets))))


def loads(data: bytes | str, *, max_depth: int = 1024) -> Any:
    """Decode a JSON document, refusing hostile input with :class:`BadRequest` (400)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    # Counting brackets is a single C pass; only a body that could be too deep pays for the
    # precise scan that ignores brackets inside strings.
    if raw.count(b"[") + raw.count(b"{") > max_depth and _nesting_depth(raw) > max_depth:
        raise BadRequest(detail=f"JSON nesting is deeper than {max_depth} levels")
    if _orjson is not None and _LONG_DIGIT_RUN.search(raw) is None:
        # orjson refuses NaN, infinities, lone surrogates, invalid UTF-8 and nesting beyond
        # 1024 levels by itself; whatever it refuses, the standard library path below decides
        # (it accepts deeper nesting when `max_depth` allows it) and words the error.
        try:
            return _orjson.loads(raw)
        except _orjson.JSONDecodeError:
            pass
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(detail="Request body is not valid UTF-8") from None
    try:
        try:
            value = _decode(text)
        except RecursionError:
            # Nesting allowed by ``max_depth`` can still exceed the interpreter's recursion
            # limit; the pre-check above bounded the depth, so retry with that much more room.
            depth = _nesting_depth(raw)
            if depth > _MAX_EXTRA_RECURSION:
                raise
            with _more_recursion(depth):
                value = _decode(text)
    except RecursionError:
        raise BadRequest(detail=f"JSON nesting is deeper than {max_depth} levels") from None
    except ValueError as exc:  # JSONDecodeError, NaN/Infinity, the int digit limit
        raise BadRequest(detail=f"Invalid JSON: {_short(exc)}") from None
    if _SURROGATE_ESCAPE.search(raw) is not None:
        try:
            _dumps_stdlib(value).decode("utf-8")
        except UnicodeEncodeError:
            raise BadRequest(detail="Invalid JSON: lone surrogate in string") from None
    return value


def _decode(text: str) -> Any:
    return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)


def _short(exc: Exception) -> str:
    message = str(exc)
    return message if len(message) <= 200 else message[:200] + "..."


__all__ = ["dumps", "loads"]
