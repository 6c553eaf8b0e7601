"""Hostile input, round 3 (an attacker's pass over a live server after issue 10): inputs that held
the event loop for a second or more at the sizes a server lets through.

Static files: a path segment was percent-decoded level after level until nothing changed, and each
level checked, so ``/static/%2525...25`` (a 60 KB URL, which uvicorn accepts) was quadratic: 12 s
of event loop for one unauthenticated GET. 30,000 ``a/`` segments cost 1 s. A path below the mount
is now at most 4096 characters and a segment at most four decodings deep (a 404 beyond).

A urlencoded form of lone ``%`` signs (``a=%%%%...`` up to the 1 MiB body limit) went through
``urllib.parse.unquote_to_bytes``, which raises and catches one ``KeyError`` per lone ``%``: 1.8 s
in one step of the loop, and behind CSRF any client could send it to any path. A form of a million
``&`` went through python-multipart's byte-by-byte querystring parser (0.9 s). Both are now a few C
passes, and a huge field is decoded in slices with a loop checkpoint between them.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

import anyio
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nexios import get_application
from nexios.http import Request, Response
from nexios.middleware.csrf import CSRFMiddleware
from nexios.session.middleware import SessionMiddleware
from nexios_core import forms
from nexios_core.exceptions import PayloadTooLarge
from nexios_core.forms import parse_form, percent_decode, percent_decode_in_slices
from nexios_core.limits import DEFAULT_LIMITS, KIB
from nexios_core.staticfiles import MAX_PATH_LENGTH, StaticFiles, safe_segments

URLENCODED = "application/x-www-form-urlencoded"
LIMIT = DEFAULT_LIMITS.max_body_size
STALL = 0.25
"""Seconds one step of the event loop may take while a hostile form is parsed: the fixed code
takes a few milliseconds per step, the old one held the loop for the whole body (about 1-2 s)."""

HOSTILE_FORMS = {
    "lone-percent-signs": b"a=" + b"%" * (LIMIT - 2),
    "lone-percent-signs-in-a-name": b"%" * (LIMIT - 2) + b"=1",
    "percent-then-non-hex": b"a=" + b"%g" * ((LIMIT - 2) // 2),
    "escapes": b"a=" + b"%41" * ((LIMIT - 2) // 3),
    "ampersands": b"&" * LIMIT,
}

pieces = st.lists(
    st.sampled_from([b"%", b"%4", b"%41", b"%e9", b"%G1", b"a", b"\\", b"\\x41", b"x", b"0", b"\x00", b"\xff", b"+"]),
    max_size=16,
).map(b"".join)


@given(pieces)
def test_percent_decoding_reads_values_as_the_standard_library_does(raw: bytes) -> None:
    assert percent_decode(raw) == unquote_to_bytes(raw)


@settings(max_examples=300)
@given(pieces)
def test_sliced_percent_decoding_gives_the_same_bytes(raw: bytes) -> None:
    # Slices of 2 bytes cut the value at nearly every "%": each cut must leave escapes whole.
    saved = forms.DECODE_SLICE
    forms.DECODE_SLICE = 2
    try:
        assert anyio.run(percent_decode_in_slices, raw) == unquote_to_bytes(raw)
    finally:
        forms.DECODE_SLICE = saved


async def _chunks(body: bytes, size: int = 64 * KIB) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start:start + size]
        await anyio.sleep(0)  # as a server delivers a body: the loop runs between chunks


async def _longest_loop_step_while(work: Callable[[], Any]) -> float:
    """Run ``work()`` while a ticker measures the longest gap between two turns of the loop."""
    longest = 0.0
    done = False

    async def ticker() -> None:
        nonlocal longest
        while not done:
            before = time.perf_counter()
            await anyio.sleep(0)
            longest = max(longest, time.perf_counter() - before)

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(ticker)
        await anyio.sleep(0)
        try:
            await work()
        finally:
            done = True
    return longest


@pytest.mark.parametrize("body", HOSTILE_FORMS.values(), ids=HOSTILE_FORMS.keys())
def test_a_hostile_urlencoded_form_at_the_limit_never_holds_the_loop(body: bytes) -> None:
    assert len(body) <= LIMIT

    async def parse() -> None:
        form = await parse_form(_chunks(body), URLENCODED, DEFAULT_LIMITS)
        assert len(form) <= 1

    longest = anyio.run(_longest_loop_step_while, parse)
    assert longest < STALL, f"one step of the event loop took {longest:.2f} s"


@pytest.mark.anyio
async def test_urlencoded_fields_still_parse_as_before() -> None:
    body = b"a=1&b=%41+c&&c&=d&e=&f=100%&g=%zz%4&h=x=y"
    for size in (1, 3, 7, len(body)):  # every way of cutting the body into chunks
        form = await parse_form(_chunks(body, size), URLENCODED, DEFAULT_LIMITS)
        assert form.multi_items() == [
            ("a", "1"), ("b", "A c"), ("c", ""), ("", "d"), ("e", ""), ("f", "100%"), ("g", "%zz%4"), ("h", "x=y"),
        ]


@pytest.mark.anyio
async def test_the_field_limit_still_counts_non_empty_fields() -> None:
    at_limit = b"&".join(b"f%d=1" % i for i in range(DEFAULT_LIMITS.max_form_fields)) + b"&&&"
    assert len(await parse_form(_chunks(at_limit, 5), URLENCODED, DEFAULT_LIMITS)) == DEFAULT_LIMITS.max_form_fields
    with pytest.raises(PayloadTooLarge):
        await parse_form(_chunks(at_limit + b"x=1", 5), URLENCODED, DEFAULT_LIMITS)


# ------------------------------------------------------------------------------- live, uvicorn
def csrf_app() -> Any:
    app = get_application(config={"secret_key": "round-three-live-secret-key-0123456789"})
    app.add_middleware(SessionMiddleware())
    app.add_middleware(CSRFMiddleware())

    @app.get("/health")
    async def health(request: Request, response: Response) -> Any:
        return {"ok": True}

    return app


@pytest.mark.anyio
async def test_under_uvicorn_hostile_forms_to_any_path_leave_other_clients_answered(
    live_server: Callable[..., str],
) -> None:
    # Unauthenticated: CSRF parses the form of an unsafe request before it refuses it (403), so
    # any client could send these to any path.
    base = live_server(csrf_app())
    latencies: list[float] = []
    answers: list[int] = []
    attacking = True

    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        assert (await client.get("/health")).status_code == 200

        async def watch() -> None:
            while attacking:
                started = time.perf_counter()
                assert (await client.get("/health")).status_code == 200
                latencies.append(time.perf_counter() - started)
                await anyio.sleep(0.01)

        async def attack(body: bytes) -> None:
            async with httpx.AsyncClient(base_url=base, timeout=30) as attacker:
                answer = await attacker.post("/nowhere", content=body, headers={"content-type": URLENCODED})
                answers.append(answer.status_code)

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(watch)
            for body in (HOSTILE_FORMS["lone-percent-signs"], HOSTILE_FORMS["ampersands"]) * 2:
                await attack(body)
            attacking = False

    assert answers == [403] * 4
    assert latencies, "no GET /health was answered during the attack"
    assert max(latencies) < 0.5, f"GET /health waited {max(latencies):.2f} s"


# ------------------------------------------------------------------------------- static files
HOSTILE_STATIC_PATHS = {
    "nested-encodings-of-percent": "/%" + "25" * 30_000,
    "nested-encodings-at-the-length-cap": "/%" + "25" * ((MAX_PATH_LENGTH - 2) // 2),
    "double-encoded-segments": "/" + "%2525/" * 10_000,
    "many-segments": "/" + "a/" * 30_000,
    "many-segments-at-the-length-cap": "/" + "a/" * (MAX_PATH_LENGTH // 2 - 1),
}


@pytest.mark.parametrize("path", HOSTILE_STATIC_PATHS.values(), ids=HOSTILE_STATIC_PATHS.keys())
def test_static_path_checks_are_quick_on_hostile_paths(path: str) -> None:
    started = time.perf_counter()
    safe_segments(path)
    took = time.perf_counter() - started
    assert took < STALL, f"checking one path took {took:.2f} s"


@pytest.mark.parametrize(("path", "refused"), [
    ("/%25252e%25252e/secret", True),      # ".." three encodings deep: still refused
    ("/%2525252525252e/x", True),          # still decoding after the fourth pass
    ("/100%25.css", False),                # a file named "100%.css" (the server decoded %25 once)
    ("/a%2520b.txt", False),               # a name holding "%20" literally
    ("/" + "a" * (MAX_PATH_LENGTH - 1), False),
    ("/" + "a" * MAX_PATH_LENGTH, True),   # longer than any path a file system has
])
def test_static_path_limits_refuse_only_what_no_file_can_be(path: str, refused: bool) -> None:
    assert (safe_segments(path) is None) is refused


@pytest.fixture
def static_root(tmp_path: Path) -> Path:
    (tmp_path / "style.css").write_text("body{}")
    (tmp_path / "100%.css").write_text("p{}")
    return tmp_path


@pytest.mark.anyio
async def test_under_uvicorn_a_hostile_static_path_is_a_quick_404(
    live_server: Callable[..., str], static_root: Path,
) -> None:
    app = csrf_app()
    app.register(StaticFiles(directory=str(static_root)), prefix="/static")
    base = live_server(app)
    latencies: list[float] = []
    attacking = True
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        assert (await client.get("/static/style.css")).text == "body{}"
        assert (await client.get("/static/100%25.css")).text == "p{}"

        async def watch() -> None:
            while attacking:
                started = time.perf_counter()
                assert (await client.get("/health")).status_code == 200
                latencies.append(time.perf_counter() - started)
                await anyio.sleep(0.01)

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(watch)
            async with httpx.AsyncClient(base_url=base, timeout=60) as attacker:
                for path in ("/%" + "25" * 30_000, "/" + "%2525/" * 10_000, "/" + "a/" * 30_000):
                    started = time.perf_counter()
                    answer = await attacker.get("/static" + path)
                    assert answer.status_code == 404
                    assert time.perf_counter() - started < 0.5
            attacking = False
    assert latencies and max(latencies) < 0.5, f"GET /health waited {max(latencies):.2f} s"
