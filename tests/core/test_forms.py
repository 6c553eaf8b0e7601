"""Behaviour of nexios_core.forms.parse_form: urlencoded and multipart bodies, limits, hostile input."""

from __future__ import annotations

import gc
import random
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nexios_core.datastructures import FormData, UploadFile
from nexios_core.exceptions import BadRequest, ClientDisconnect, HTTPException, PayloadTooLarge, UnsupportedMediaType
from nexios_core.forms import parse_form, safe_filename
from nexios_core.limits import Limits

pytestmark = pytest.mark.anyio

BOUNDARY = "nexios-test-boundary"
MULTIPART_TYPE = f"multipart/form-data; boundary={BOUNDARY}"
URLENCODED_TYPE = "application/x-www-form-urlencoded"


# --- helpers -------------------------------------------------------------------------------------


async def stream(
    body: bytes, chunk_size: int | None = None, sizes: Iterable[int] | None = None
) -> AsyncIterator[bytes]:
    """Yield ``body`` whole, in fixed-size chunks, or in the given chunk sizes (rest at the end)."""
    if sizes is not None:
        offset = 0
        for size in sizes:
            yield body[offset : offset + size]
            offset += size
        if offset < len(body):
            yield body[offset:]
    elif chunk_size is None:
        yield body
    else:
        for offset in range(0, len(body), chunk_size):
            yield body[offset : offset + chunk_size]


def random_sizes(length: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    sizes = []
    while length > 0:
        size = min(length, rng.randint(1, 40))
        sizes.append(size)
        length -= size
    return sizes


def field_part(name: str, value: str | bytes, *, extra_headers: Sequence[str] = ()) -> tuple[list[str], bytes]:
    data = value.encode() if isinstance(value, str) else value
    return [f'Content-Disposition: form-data; name="{name}"', *extra_headers], data


def file_part(
    name: str, filename: str, content: bytes, content_type: str | None = "text/plain"
) -> tuple[list[str], bytes]:
    headers = [f'Content-Disposition: form-data; name="{name}"; filename="{filename}"']
    if content_type is not None:
        headers.append(f"Content-Type: {content_type}")
    return headers, content


def multipart(parts: Iterable[tuple[list[str], bytes]], boundary: str = BOUNDARY, close: bool = True) -> bytes:
    """A multipart body made of raw header lines and contents, exactly as given."""
    out = bytearray()
    for headers, content in parts:
        out += f"--{boundary}\r\n".encode()
        for header in headers:
            out += header.encode("utf-8") + b"\r\n"
        out += b"\r\n" + content + b"\r\n"
    if close:
        out += f"--{boundary}--\r\n".encode()
    return bytes(out)


async def parse_multipart(body: bytes, limits: Limits | None = None, **chunking: Any) -> FormData:
    return await parse_form(stream(body, **chunking), MULTIPART_TYPE, limits or Limits())


async def parse_urlencoded(body: bytes, limits: Limits | None = None, **chunking: Any) -> FormData:
    return await parse_form(stream(body, **chunking), URLENCODED_TYPE, limits or Limits())


async def read_all(upload: UploadFile) -> bytes:
    return await upload.read()


async def endless(prefix: bytes, filler: bytes) -> AsyncIterator[bytes]:
    """``prefix`` then ``filler`` forever: only a parser that counts while streaming can stop it."""
    yield prefix
    while True:
        yield filler


def live_uploads_named(marker: str) -> list[UploadFile]:
    gc.collect()
    return [obj for obj in gc.get_objects() if isinstance(obj, UploadFile) and obj.filename == marker]


# --- content types -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "text/plain", "", "multipart/mixed; boundary=abc", "application/octet-stream"],
)
async def test_non_form_content_type_is_415(content_type: str) -> None:
    with pytest.raises(UnsupportedMediaType) as excinfo:
        await parse_form(stream(b"a=1"), content_type, Limits())
    assert excinfo.value.status_code == 415


async def test_content_type_with_non_latin1_characters_is_400() -> None:
    with pytest.raises(BadRequest):
        await parse_form(stream(b"a=1"), "application/x-www-form-urlencoded; charset=\u20ac", Limits())


async def test_media_type_and_parameter_names_are_case_insensitive() -> None:
    body = multipart([field_part("a", "1")])
    form = await parse_form(stream(body), f"Multipart/Form-Data; Boundary={BOUNDARY}", Limits())
    assert form["a"] == "1"


# --- urlencoded ----------------------------------------------------------------------------------


@pytest.mark.parametrize("chunk_size", [None, 1, 2, 7])
async def test_urlencoded_fields_decode_plus_and_percent_escapes(chunk_size: int | None) -> None:
    body = b"name=Ada+Lovelace&email=ada%40example.com&tag=a&tag=b&empty=&bare&caf%C3%A9=cr%C3%A8me"
    form = await parse_urlencoded(body, chunk_size=chunk_size)
    assert form.multi_items() == [
        ("name", "Ada Lovelace"),
        ("email", "ada@example.com"),
        ("tag", "a"),
        ("tag", "b"),
        ("empty", ""),
        ("bare", ""),
        ("café", "crème"),
    ]
    assert form["tag"] == "b"
    assert form.getlist("tag") == ["a", "b"]


async def test_urlencoded_empty_body_gives_empty_form() -> None:
    form = await parse_urlencoded(b"")
    assert len(form) == 0


async def test_urlencoded_honours_charset_parameter() -> None:
    form = await parse_form(stream(b"city=M%FCnchen"), f"{URLENCODED_TYPE}; charset=latin-1", Limits())
    assert form["city"] == "München"


@pytest.mark.parametrize("body", [b"name=%FF%FE", b"%C3=x", b"a=\xff"])
async def test_urlencoded_invalid_utf8_is_400(body: bytes) -> None:
    with pytest.raises(BadRequest):
        await parse_urlencoded(body)


@pytest.mark.parametrize("charset", ["no-such-codec", "punycode", "idna", "undefined", "zlib", "utf-16"])
async def test_urlencoded_charset_outside_the_allowlist_is_415(charset: str) -> None:
    with pytest.raises(UnsupportedMediaType):
        await parse_form(stream(b"a=1"), f"{URLENCODED_TYPE}; charset={charset}", Limits())


async def test_urlencoded_body_at_size_limit_passes_and_one_byte_more_is_413() -> None:
    limits = Limits(max_body_size=100)
    at_limit = b"a=" + b"x" * 98
    form = await parse_urlencoded(at_limit, limits, chunk_size=10)
    assert form["a"] == "x" * 98
    with pytest.raises(PayloadTooLarge) as excinfo:
        await parse_urlencoded(at_limit + b"x", limits, chunk_size=10)
    assert excinfo.value.status_code == 413


async def test_urlencoded_size_is_counted_while_streaming() -> None:
    with pytest.raises(PayloadTooLarge):
        await parse_form(endless(b"a=", b"x" * 1000), URLENCODED_TYPE, Limits(max_body_size=10_000))


async def test_urlencoded_field_count_at_limit_passes_and_one_more_is_413() -> None:
    limits = Limits(max_form_fields=5)
    form = await parse_urlencoded(b"&".join(b"f%d=%d" % (i, i) for i in range(5)), limits)
    assert len(form) == 5
    with pytest.raises(PayloadTooLarge):
        await parse_urlencoded(b"&".join(b"f%d=%d" % (i, i) for i in range(6)), limits)


async def test_urlencoded_empty_separators_do_not_count_as_fields() -> None:
    form = await parse_urlencoded(b"a=1&&&&&b=2&", Limits(max_form_fields=2))
    assert form.multi_items() == [("a", "1"), ("b", "2")]


# --- multipart: fields and files -----------------------------------------------------------------


def sample_body() -> bytes:
    return multipart(
        [
            field_part("title", "Hello, wörld"),
            field_part("tag", "a"),
            field_part("tag", "b"),
            file_part("doc", "notes.txt", b"line 1\r\nline 2\r\n--not-the-boundary\r\n"),
            file_part("blob", "data.bin", bytes(range(256)), content_type=None),
            field_part("empty", ""),
        ]
    )


async def assert_sample_form(form: FormData) -> None:
    assert form["title"] == "Hello, wörld"
    assert form.getlist("tag") == ["a", "b"]
    assert form["empty"] == ""
    doc = form["doc"]
    assert isinstance(doc, UploadFile)
    assert doc.filename == "notes.txt"
    assert doc.content_type == "text/plain"
    assert doc.headers["content-type"] == "text/plain"
    assert 'filename="notes.txt"' in doc.headers["content-disposition"]
    assert await read_all(doc) == b"line 1\r\nline 2\r\n--not-the-boundary\r\n"
    assert doc.size == len(b"line 1\r\nline 2\r\n--not-the-boundary\r\n")
    blob = form["blob"]
    assert isinstance(blob, UploadFile)
    assert blob.content_type == "application/octet-stream"
    assert await read_all(blob) == bytes(range(256))
    assert blob.size == 256
    assert set(form.files) == {"doc", "blob"}
    await form.close()


@pytest.mark.parametrize("chunk_size", [None, 1, 3, 64])
async def test_multipart_fields_and_files(chunk_size: int | None) -> None:
    await assert_sample_form(await parse_multipart(sample_body(), chunk_size=chunk_size))


@pytest.mark.parametrize("seed", range(20))
async def test_multipart_random_chunk_splits(seed: int) -> None:
    body = sample_body()
    await assert_sample_form(await parse_multipart(body, sizes=random_sizes(len(body), seed)))


async def test_multipart_empty_chunks_are_ignored() -> None:
    body = multipart([field_part("a", "1")])
    form = await parse_multipart(body, sizes=[0, 5, 0, 0, 10, 0])
    assert form["a"] == "1"


async def test_multipart_with_no_parts_is_an_empty_form() -> None:
    form = await parse_multipart(f"--{BOUNDARY}--\r\n".encode())
    assert len(form) == 0


async def test_multipart_epilogue_after_closing_boundary_is_ignored() -> None:
    form = await parse_multipart(multipart([field_part("a", "1")]) + b"trailing epilogue text")
    assert form.multi_items() == [("a", "1")]


async def test_quoted_boundary_is_understood() -> None:
    body = multipart([field_part("a", "1")], boundary="with space")
    form = await parse_form(stream(body), 'multipart/form-data; boundary="with space"', Limits())
    assert form["a"] == "1"


async def test_part_with_filename_is_a_file_even_when_filename_is_empty() -> None:
    form = await parse_multipart(multipart([file_part("upload", "", b"", content_type="application/octet-stream")]))
    upload = form["upload"]
    assert isinstance(upload, UploadFile)
    assert upload.filename == ""
    assert upload.size == 0
    await form.close()


async def test_part_without_filename_is_a_field_even_with_content_type() -> None:
    form = await parse_multipart(multipart([field_part("note", "hi", extra_headers=["Content-Type: text/plain"])]))
    assert form["note"] == "hi"
    assert form.files == {}


async def test_field_value_is_decoded_with_the_parts_charset() -> None:
    part = field_part("city", "München".encode("latin-1"), extra_headers=["Content-Type: text/plain; charset=latin-1"])
    form = await parse_multipart(multipart([part]))
    assert form["city"] == "München"


async def test_field_value_with_invalid_utf8_is_400() -> None:
    with pytest.raises(BadRequest):
        await parse_multipart(multipart([field_part("a", b"\xff\xfe")]))


@pytest.mark.parametrize("charset", ["zlib", "punycode", "idna", "utf-7"])
async def test_field_with_charset_outside_the_allowlist_is_415(charset: str) -> None:
    part = field_part("a", b"x", extra_headers=[f"Content-Type: text/plain; charset={charset}"])
    with pytest.raises(UnsupportedMediaType):
        await parse_multipart(multipart([part]))


async def test_file_content_is_not_decoded() -> None:
    form = await parse_multipart(multipart([file_part("f", "f.bin", b"\xff\xfe\x00")]))
    upload = form["f"]
    assert isinstance(upload, UploadFile)
    assert await read_all(upload) == b"\xff\xfe\x00"
    await form.close()


async def test_utf8_names_and_filenames_are_decoded() -> None:
    form = await parse_multipart(multipart([file_part("pièce", "résumé.pdf", b"%PDF")]))
    upload = form["pièce"]
    assert isinstance(upload, UploadFile)
    assert upload.filename == "résumé.pdf"
    await form.close()


# --- spooling ------------------------------------------------------------------------------------


async def test_file_at_spool_threshold_stays_in_memory_and_larger_file_rolls_to_disk() -> None:
    limits = Limits(spool_threshold=1000)
    body = multipart([file_part("small", "s.bin", b"s" * 1000), file_part("big", "b.bin", b"b" * 1001)])
    form = await parse_multipart(body, limits, chunk_size=100)
    small, big = form["small"], form["big"]
    assert isinstance(small, UploadFile) and isinstance(big, UploadFile)
    assert small.file._rolled is False  # type: ignore[attr-defined]
    assert big.file._rolled is True  # type: ignore[attr-defined]
    assert await read_all(small) == b"s" * 1000
    assert await read_all(big) == b"b" * 1001
    assert big.size == 1001
    await form.close()
    assert big.file.closed and small.file.closed


# --- filenames -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("/absolute/path/secret.txt", "secret.txt"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("C:\\Users\\ada\\photo.jpg", "photo.jpg"),
        ("mixed/..\\dir/name.tar.gz", "name.tar.gz"),
        ("..", ""),
        ("dir/..", ""),
        ("trailing/", ""),
        ("spaces in name.txt", "spaces in name.txt"),
    ],
)
async def test_filename_loses_directory_components(sent: str, kept: str) -> None:
    headers = [f'Content-Disposition: form-data; name="f"; filename="{sent}"']
    form = await parse_multipart(multipart([(headers, b"x")]))
    upload = form["f"]
    assert isinstance(upload, UploadFile)
    assert upload.filename == kept
    assert safe_filename(sent) == kept
    await form.close()


# --- multipart limits ----------------------------------------------------------------------------


async def test_multipart_body_at_size_limit_passes_and_one_byte_more_is_413() -> None:
    body = multipart([file_part("f", "f.bin", b"x" * 500)])
    limits = Limits(max_multipart_size=len(body))
    form = await parse_multipart(body, limits, chunk_size=37)
    await form.close()
    with pytest.raises(PayloadTooLarge) as excinfo:
        await parse_multipart(body + b"\r\n", limits, chunk_size=37)
    assert excinfo.value.status_code == 413


async def test_multipart_size_is_counted_while_streaming() -> None:
    head = multipart([file_part("f", "f.bin", b"")], close=False)[:-2]  # stop inside the file content
    with pytest.raises(PayloadTooLarge):
        await parse_form(endless(head, b"x" * 4096), MULTIPART_TYPE, Limits(max_multipart_size=100_000))


async def test_part_count_at_limit_passes_and_one_more_is_413() -> None:
    limits = Limits(max_form_parts=4, max_files=10)
    parts = [field_part("a", "1"), field_part("b", "2"), file_part("c", "c.txt", b"3"), field_part("d", "4")]
    form = await parse_multipart(multipart(parts), limits)
    assert len(form.multi_items()) == 4
    await form.close()
    with pytest.raises(PayloadTooLarge):
        await parse_multipart(multipart([*parts, field_part("e", "5")]), limits)


async def test_file_count_at_limit_passes_and_one_more_is_413() -> None:
    limits = Limits(max_files=3)
    files = [file_part(f"f{i}", f"{i}.txt", b"x") for i in range(3)]
    form = await parse_multipart(multipart([field_part("a", "1"), *files]), limits)
    assert len(form.files) == 3
    await form.close()
    with pytest.raises(PayloadTooLarge):
        await parse_multipart(multipart([*files, file_part("f3", "3.txt", b"x")]), limits)


async def test_field_at_part_size_limit_passes_and_one_byte_more_is_413() -> None:
    limits = Limits(max_part_size=1000)
    form = await parse_multipart(multipart([field_part("a", "x" * 1000)]), limits, chunk_size=64)
    assert form["a"] == "x" * 1000
    with pytest.raises(PayloadTooLarge):
        await parse_multipart(multipart([field_part("a", "x" * 1001)]), limits, chunk_size=64)


async def test_part_size_limit_does_not_apply_to_files() -> None:
    limits = Limits(max_part_size=10)
    form = await parse_multipart(multipart([file_part("f", "f.bin", b"y" * 1000)]), limits)
    upload = form["f"]
    assert isinstance(upload, UploadFile)
    assert upload.size == 1000
    await form.close()


async def test_many_tiny_parts_up_to_the_default_limit_pass_and_beyond_it_are_413() -> None:
    at_limit = multipart([field_part("p", "") for _ in range(1000)])
    form = await parse_multipart(at_limit, chunk_size=4096)
    assert len(form.getlist("p")) == 1000
    with pytest.raises(PayloadTooLarge):
        await parse_multipart(multipart([field_part("p", "") for _ in range(1001)]), chunk_size=4096)


# --- boundary ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",
        "multipart/form-data; boundary=",
        'multipart/form-data; boundary=""',
        "multipart/form-data; charset=utf-8",
    ],
)
async def test_missing_boundary_is_400(content_type: str) -> None:
    with pytest.raises(BadRequest) as excinfo:
        await parse_form(stream(b"--x--\r\n"), content_type, Limits())
    assert "boundary" in excinfo.value.detail


async def test_boundary_of_70_characters_passes_and_71_is_400() -> None:
    ok = "b" * 70
    form = await parse_form(
        stream(multipart([field_part("a", "1")], boundary=ok)), f"multipart/form-data; boundary={ok}", Limits()
    )
    assert form["a"] == "1"
    too_long = "b" * 71
    with pytest.raises(BadRequest):
        await parse_form(
            stream(multipart([field_part("a", "1")], boundary=too_long)),
            f"multipart/form-data; boundary={too_long}",
            Limits(),
        )


async def test_huge_boundary_is_400_without_reading_the_body() -> None:
    huge = "h" * 100_000
    with pytest.raises(BadRequest):
        await parse_form(endless(b"", b"x" * 4096), f"multipart/form-data; boundary={huge}", Limits())


@pytest.mark.parametrize("boundary", ["semi\x00colon", "has\ttab", "ends-with-space ", "bang!", "ä"])
async def test_boundary_with_characters_outside_rfc2046_is_400(boundary: str) -> None:
    with pytest.raises(BadRequest):
        await parse_form(stream(b""), f'multipart/form-data; boundary="{boundary}"', Limits())


# --- malformed multipart -------------------------------------------------------------------------


def full_body() -> bytes:
    return multipart([field_part("a", "1"), file_part("f", "f.txt", b"content")])


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"", id="empty-body"),
        pytest.param(full_body()[: -len(f"--{BOUNDARY}--\r\n")], id="no-closing-boundary"),
        pytest.param(full_body()[:-10], id="truncated-in-closing-boundary"),
        pytest.param(full_body()[:60], id="truncated-in-headers"),
        pytest.param(full_body()[: full_body().index(b"content") + 3], id="truncated-in-file"),
        pytest.param(f"--{BOUNDARY}\r\n".encode(), id="only-opening-boundary"),
        pytest.param(b"this is not multipart at all", id="garbage"),
        pytest.param(b"--wrong-boundary\r\n\r\nx\r\n--wrong-boundary--\r\n", id="wrong-boundary"),
    ],
)
@pytest.mark.parametrize("chunk_size", [None, 1])
async def test_truncated_or_garbage_multipart_is_400(body: bytes, chunk_size: int | None) -> None:
    with pytest.raises(BadRequest):
        await parse_multipart(body, chunk_size=chunk_size)


@pytest.mark.parametrize(
    ("headers", "detail_word"),
    [
        pytest.param(["Content-Type: text/plain"], "Content-Disposition", id="no-content-disposition"),
        pytest.param([], "Content-Disposition", id="no-headers"),
        pytest.param(["Content-Disposition: form-data"], "name", id="no-name"),
        pytest.param(['Content-Disposition: form-data; filename="a.txt"'], "name", id="file-without-name"),
        pytest.param(['Content-Disposition: attachment; name="a"'], "form-data", id="not-form-data"),
        pytest.param(
            ['Content-Disposition: form-data; name="a"', 'Content-Disposition: form-data; name="b"'],
            "repeats",
            id="duplicate-content-disposition",
        ),
    ],
)
async def test_bad_part_headers_are_400_with_a_clear_detail(headers: list[str], detail_word: str) -> None:
    with pytest.raises(BadRequest) as excinfo:
        await parse_multipart(multipart([(headers, b"x")]))
    assert detail_word in excinfo.value.detail


@pytest.mark.parametrize(
    "raw_header",
    [
        pytest.param(b'Content-Disposition: form-data; name="a"\nX-Injected: 1', id="bare-lf"),
        pytest.param(b'Content-Disposition: form-data; name="a"\rX-Injected: 1', id="bare-cr"),
        pytest.param(b'Content-Disposition: form-data; name="a\x00b"', id="nul"),
        pytest.param(b'Content-Disposition: form-data; name="a"; filename="x\x1b[31m.txt"', id="escape"),
        pytest.param(b"No colon in this header line", id="no-colon"),
        pytest.param(b'Bad Name: form-data; name="a"', id="space-in-header-name"),
        pytest.param(b": empty-name", id="empty-header-name"),
        pytest.param(b"X-Big: " + b"v" * 20_000, id="oversized-header"),
    ],
)
@pytest.mark.parametrize("chunk_size", [None, 1])
async def test_header_injection_and_malformed_header_lines_are_400(raw_header: bytes, chunk_size: int | None) -> None:
    body = f"--{BOUNDARY}\r\n".encode() + raw_header + b"\r\n\r\nvalue\r\n" + f"--{BOUNDARY}--\r\n".encode()
    with pytest.raises(BadRequest):
        await parse_multipart(body, chunk_size=chunk_size)


async def test_too_many_headers_in_one_part_is_400() -> None:
    headers = ['Content-Disposition: form-data; name="a"'] + [f"X-H{i}: v" for i in range(200)]
    with pytest.raises(BadRequest):
        await parse_multipart(multipart([(headers, b"x")]))


async def test_invalid_utf8_in_part_name_is_400() -> None:
    part = b'Content-Disposition: form-data; name="\xff"\r\n\r\nx\r\n'
    body = f"--{BOUNDARY}\r\n".encode() + part + f"--{BOUNDARY}--\r\n".encode()
    with pytest.raises(BadRequest):
        await parse_multipart(body)


# --- cleanup on error ----------------------------------------------------------------------------


async def failing_after(body: bytes, error: BaseException) -> AsyncIterator[bytes]:
    yield body
    raise error


@pytest.mark.parametrize("content_size", [10, 5000], ids=["in-memory", "on-disk"])
@pytest.mark.parametrize(
    "failure",
    ["truncated", "too-many-parts", "bad-next-part", "client-disconnect"],
)
async def test_files_created_before_an_error_are_closed(content_size: int, failure: str) -> None:
    marker = f"leak-check-{uuid.uuid4()}.bin"
    limits = Limits(spool_threshold=1000, max_form_parts=2)
    first = multipart([file_part("f", marker, b"z" * content_size)], close=False)
    expected: type[BaseException]
    if failure == "truncated":
        chunks, expected = stream(first), BadRequest
    elif failure == "too-many-parts":
        body = multipart([file_part("f", marker, b"z" * content_size), field_part("a", "1"), field_part("b", "2")])
        chunks, expected = stream(body), PayloadTooLarge
    elif failure == "bad-next-part":
        chunks, expected = stream(first + f"--{BOUNDARY}\r\nContent-Type: x\r\n\r\nv\r\n".encode()), BadRequest
    else:
        chunks, expected = failing_after(first, ClientDisconnect()), ClientDisconnect

    with pytest.raises(expected) as excinfo:
        await parse_form(chunks, MULTIPART_TYPE, limits)
    # The traceback keeps the parser's frames (and so the files) alive: they must be closed anyway.
    leftovers = live_uploads_named(marker)
    assert leftovers, "the upload should still be reachable through the traceback"
    assert all(upload.file.closed for upload in leftovers)
    del excinfo


async def test_cancelled_parse_closes_its_files() -> None:
    marker = f"leak-check-{uuid.uuid4()}.bin"
    started = anyio.Event()

    async def slow_body() -> AsyncIterator[bytes]:
        yield multipart([file_part("f", marker, b"q" * 5000)], close=False)
        started.set()
        await anyio.sleep_forever()
        yield b""  # pragma: no cover

    cancellations: list[BaseException] = []

    async def parse_until_cancelled() -> None:
        try:
            await parse_form(slow_body(), MULTIPART_TYPE, Limits(spool_threshold=1000))
        except anyio.get_cancelled_exc_class() as exc:
            cancellations.append(exc)  # its traceback keeps the parser's frames alive
            raise

    async with anyio.create_task_group() as group:
        group.start_soon(parse_until_cancelled)
        await started.wait()
        group.cancel_scope.cancel()

    assert cancellations
    leftovers = live_uploads_named(marker)
    assert leftovers, "the upload should still be reachable through the traceback"
    assert all(upload.file.closed for upload in leftovers)


async def test_successful_parse_leaves_files_open_and_rewound() -> None:
    form = await parse_multipart(multipart([file_part("f", "f.txt", b"abc")]))
    upload = form["f"]
    assert isinstance(upload, UploadFile)
    assert not upload.file.closed
    assert await upload.read(1) == b"a"
    await form.close()
    assert upload.file.closed


# --- properties ----------------------------------------------------------------------------------


# Names go inside a quoted header parameter, so they avoid quotes, backslashes and control characters.
_name_chars = st.characters(codec="utf-8", exclude_characters='"\\', exclude_categories=("Cc", "Cs"))
_names = st.text(_name_chars, max_size=12)
_values = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
_contents = st.binary(max_size=200)
_parts = st.lists(
    st.one_of(
        st.tuples(st.just("field"), _names, _values),
        st.tuples(st.just("file"), _names, _contents),
    ),
    max_size=8,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=_parts, split_seed=st.integers(0, 2**32 - 1))
def test_multipart_round_trips_whatever_the_chunking(parts: list[tuple[str, str, Any]], split_seed: int) -> None:
    raw_parts = []
    for kind, name, value in parts:
        if kind == "field":
            raw_parts.append(field_part(name, value))
        else:
            raw_parts.append(file_part(name, "f.bin", value, content_type="application/octet-stream"))
    body = multipart(raw_parts)

    async def check() -> None:
        form = await parse_multipart(body, sizes=random_sizes(len(body), split_seed))
        got = form.multi_items()
        assert [name for name, _ in got] == [name for _, name, _ in parts]
        for (kind, _, value), (_, parsed) in zip(parts, got, strict=True):
            if kind == "field":
                assert parsed == value
            else:
                assert isinstance(parsed, UploadFile)
                assert await parsed.read() == value
        await form.close()

    anyio.run(check)


@settings(max_examples=300, deadline=None)
@given(
    body=st.binary(max_size=400),
    prefix=st.sampled_from([b"", f"--{BOUNDARY}\r\n".encode()]),
    chunk=st.integers(1, 50),
)
def test_arbitrary_multipart_bytes_give_a_form_or_a_4xx(body: bytes, prefix: bytes, chunk: int) -> None:
    async def check() -> None:
        try:
            form = await parse_multipart(prefix + body, Limits(max_form_parts=20), chunk_size=chunk)
        except HTTPException as exc:
            assert exc.status_code in (400, 413)
        else:
            await form.close()

    anyio.run(check)


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=300), chunk=st.integers(1, 50))
def test_arbitrary_urlencoded_bytes_give_a_form_or_a_400(body: bytes, chunk: int) -> None:
    async def check() -> None:
        try:
            await parse_urlencoded(body, chunk_size=chunk)
        except HTTPException as exc:
            assert exc.status_code == 400

    anyio.run(check)


async def test_boundary_beyond_the_parsers_own_cap_is_400_even_when_limits_allow_it() -> None:
    boundary = "b" * 300
    body = multipart([field_part("a", "1")], boundary=boundary)
    with pytest.raises(BadRequest):
        await parse_form(stream(body), f"multipart/form-data; boundary={boundary}", Limits(max_boundary_length=1000))
