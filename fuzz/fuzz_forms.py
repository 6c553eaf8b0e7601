"""Fuzz form parsing (``nexios_core.forms.parse_form``): multipart and urlencoded bodies, with
hostile ``Content-Type`` parameters, delivered in chunks of fuzzed sizes.

Every input parses or is refused with 400, 413 or 415; what parses respects the limits, and every
uploaded file it created is closed again. The input is ``content-type NUL chunk-sizes NUL body``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from _driver import instrumented, main

with instrumented():
    from nexios_core.datastructures import UploadFile
    from nexios_core.exceptions import HTTPException
    from nexios_core.forms import parse_form
    from nexios_core.limits import Limits

# Small limits so that fuzzed inputs reach them; a low spool threshold sends some files to disk.
LIMITS = Limits(max_body_size=4096, max_multipart_size=8192, max_form_parts=8, max_files=3, max_part_size=256,
                spool_threshold=64, max_form_fields=8, max_boundary_length=70)
_LOOP = asyncio.new_event_loop()

_PART = (b'--B\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n'
         b"hello\r\n--B\r\nContent-Disposition: form-data; name=\"g\"\r\n\r\nvalue\r\n--B--\r\n")
SEEDS = [b"multipart/form-data; boundary=B\x00\x05\x01\x40\x00" + _PART,
         b"application/x-www-form-urlencoded\x00\x03\x00a=1&b=%20+x&c",
         b'multipart/form-data; boundary="B"; charset=utf-8\x00\x00'
         + _PART.replace(b"text/plain", b"a; charset=latin-1"),
         b"application/x-www-form-urlencoded; charset=latin-1\x00\x02\x02%ff=%fe&&="]
TOKENS = [b"\r\n", b"--B", b"--B--", b"Content-Disposition: form-data; ", b'name="x"', b'filename="../../p"',
          b"Content-Type: ", b"; charset=", b"boundary=", b"\x00", b"&", b"=", b"%", b"+", b"x" * 300]


async def _chunks(body: bytes, sizes: bytes) -> AsyncIterator[bytes]:
    position, index = 0, 0
    while position < len(body):
        size = sizes[index % len(sizes)] + 1 if sizes else len(body)
        yield body[position:position + size]
        position += size
        index += 1


async def _parse(content_type: str, sizes: bytes, body: bytes) -> None:
    try:
        form = await parse_form(_chunks(body, sizes), content_type, LIMITS)
    except HTTPException as exc:
        assert exc.status_code in (400, 413, 415), exc.status_code
        return
    items = form.multi_items()
    files = [value for _, value in items if isinstance(value, UploadFile)]
    assert len(items) <= max(LIMITS.max_form_parts, LIMITS.max_form_fields)
    assert len(files) <= LIMITS.max_files
    for upload in files:
        assert "/" not in (upload.filename or "") and "\\" not in (upload.filename or "")
        assert len(await upload.read()) == upload.size
    await form.close()
    assert all(upload.file.closed for upload in files)


def test_one_input(data: bytes) -> None:
    content_type, _, rest = data.partition(b"\x00")
    sizes, _, body = rest.partition(b"\x00")
    _LOOP.run_until_complete(_parse(content_type.decode("latin-1"), sizes, body))


if __name__ == "__main__":
    main(test_one_input, SEEDS, TOKENS)
