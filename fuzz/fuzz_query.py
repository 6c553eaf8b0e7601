"""Fuzz query-string parsing (``QueryParams``) as a request's ``query_params`` does it.

Any query string parses or is refused with a 400 (too many fields), never anything else; what
parses has at most the limit of fields and survives being written out and parsed again.
"""

from __future__ import annotations

from _driver import instrumented, main

with instrumented():
    from nexios_core.datastructures import QueryParams
    from nexios_core.exceptions import BadRequest

SEEDS = [b"\x05a=1&b=2&a=3", b"\x01q=%E2%82%AC&empty=&=novalue&flag", b"\x03x=%zz&y=%&+=+&%00=%ff",
         b"\x02&&&&a=1&&&"]
TOKENS = [b"&", b"=", b"%", b"%2", b"%26", b"%3D", b"+", b";", b"\xff", b"\x00", b"%C3%A9", b"%ED%A0%80"]


def test_one_input(data: bytes) -> None:
    limit = 1 + data[0] % 16 if data else 1000
    query = data[1:]
    try:
        parsed = QueryParams(query, max_fields=limit)
    except BadRequest as exc:
        assert exc.status_code == 400
        assert sum(1 for part in query.split(b"&") if part) > limit
        return
    items = parsed.multi_items()
    assert len(items) <= limit
    assert QueryParams(str(parsed), max_fields=limit).multi_items() == items


if __name__ == "__main__":
    main(test_one_input, SEEDS, TOKENS)
