"""Fuzz the JSON decoder (``nexios_core.jsoncodec.loads``), which every JSON body goes through.

Any input either decodes or is refused with ``BadRequest`` (never RecursionError, ValueError or
UnicodeError), and what decodes survives ``dumps`` and decodes again to an equal value.
The first byte chooses the depth limit so that the limit itself is exercised.
"""

from __future__ import annotations

import math
from typing import Any

from _driver import instrumented, main

with instrumented():
    from nexios_core import jsoncodec
    from nexios_core.exceptions import BadRequest

SEEDS = [b'\x08{"a": [1, 2.5, -0.0, "x\\u00e9", null, true, {"b": []}]}', b"\x02[[[]]]", b'\x10"\\ud83d\\ude00"',
         b"\x01" + b"9" * 4300, b"\x40[1e308, -1e-308, 123456789012345678901234567890]"]
TOKENS = [b"[", b"]", b"{", b"}", b'"', b"\\u", b"d800", b"dc00", b":", b",", b"NaN", b"-Infinity", b"1e999",
          b"true", b"null", b"\\", b"\xff", b"\xed\xa0\x80", b"0" * 4300]


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or math.isclose(a, b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def test_one_input(data: bytes) -> None:
    depth = 1 + data[0] % 64 if data else 1024
    try:
        value = jsoncodec.loads(data[1:], max_depth=depth)
    except BadRequest as exc:
        assert exc.status_code == 400
        return
    encoded = jsoncodec.dumps(value)
    again = jsoncodec.loads(encoded, max_depth=depth)
    assert _equal(value, again), (value, again)


if __name__ == "__main__":
    main(test_one_input, SEEDS, TOKENS)
