"""The examples of ``docs/limits-and-security.md`` do what the page says they do."""

from __future__ import annotations

import pytest

from tests.support.doc_examples import DOCS, load, make_client


def test_app_and_route_limits() -> None:
    example = load("request_limits.py")
    http = make_client(example.app)
    assert http.post("/notes", json={"text": "hi"}).json() == {"saved": 2}
    assert http.post("/notes", json={"title": "no text"}).status_code == 422
    too_big = http.post("/notes", json={"text": "x" * 70_000})
    assert (too_big.status_code, too_big.json()) == (413, {"detail": "Request body exceeds 65536 bytes"})
    assert http.get("/search?" + "&".join(f"f{i}=1" for i in range(50))).json() == {"fields": 50}
    assert http.get("/search?" + "&".join(f"f{i}=1" for i in range(51))).status_code == 400
    eleven_mib = http.post("/videos", files={"video": ("v.mp4", b"x" * (11 * 1024 * 1024), "video/mp4")})
    assert eleven_mib.json() == {"filename": "v.mp4", "size": 11 * 1024 * 1024}  # above the 10 MiB default
    two_files = http.post("/videos", files=[("video", ("a.mp4", b"a")), ("video", ("b.mp4", b"b"))])
    assert two_files.status_code == 413
    assert http.post("/videos", data={"video": "text"}).status_code == 400
    # The route's Limits came from APP_LIMITS.replace(...): the app's query limit still holds there.
    route = next(r for r in example.app.routes if r.path == "/videos")
    assert route.limits.max_query_fields == 50 and route.limits.max_files == 1


@pytest.mark.parametrize("body", [b'{"text": NaN}', b'{"text": Infinity}', b'{"text": 1e999}',
                                  b'{"text": "\\ud800"}', b'{"text": ' + b"1" * 4301 + b"}",
                                  b"[" * 1025 + b"]" * 1025, b'{"text": "\xff"}'])
def test_hostile_json_is_a_400(body: bytes) -> None:
    http = make_client(load("request_limits.py").app)
    answer = http.post("/notes", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 400


def test_limits_defaults_and_replace() -> None:
    from nexios_core.limits import DEFAULT_LIMITS, MIB, Limits

    assert (DEFAULT_LIMITS.max_body_size, DEFAULT_LIMITS.max_multipart_size) == (MIB, 10 * MIB)
    assert (DEFAULT_LIMITS.max_form_parts, DEFAULT_LIMITS.max_files, DEFAULT_LIMITS.max_part_size) == (1000, 100, MIB)
    assert (DEFAULT_LIMITS.spool_threshold, DEFAULT_LIMITS.max_boundary_length) == (MIB, 70)
    assert (DEFAULT_LIMITS.max_form_fields, DEFAULT_LIMITS.max_query_fields) == (1000, 1000)
    assert (DEFAULT_LIMITS.max_json_depth, DEFAULT_LIMITS.max_websocket_message_size) == (1024, MIB)
    assert DEFAULT_LIMITS.max_ranges == 100
    assert Limits(max_files=1).max_body_size == MIB  # fields left out keep the defaults
    with pytest.raises(TypeError):
        Limits().replace(no_such_limit=1)


def test_limits_table_lists_every_limits_field() -> None:
    import dataclasses

    from nexios_core.limits import Limits

    page = (DOCS / "limits-and-security.md").read_text()
    for field in dataclasses.fields(Limits):
        assert f"| `{field.name}` |" in page, field.name
