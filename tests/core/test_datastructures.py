"""Headers, MutableHeaders, QueryParams, URL, State, UploadFile and FormData."""

from __future__ import annotations

import pytest

from nexios_core.datastructures import (
    URL,
    FormData,
    Headers,
    MultiDict,
    MutableHeaders,
    QueryParams,
    State,
    UploadFile,
)
from nexios_core.exceptions import BadRequest

pytestmark = pytest.mark.anyio


def test_headers_case_insensitive_first_value_wins() -> None:
    headers = Headers(raw=[(b"x-a", b"1"), (b"content-type", b"text/plain"), (b"x-a", b"2")])
    assert headers["X-A"] == "1"
    assert headers.getlist("X-a") == ["1", "2"]
    assert headers.get("missing", "d") == "d"
    assert "CONTENT-TYPE" in headers
    assert 42 not in headers
    assert len(headers) == 2
    assert sorted(headers) == ["content-type", "x-a"]
    assert headers.items() == [("x-a", "1"), ("content-type", "text/plain"), ("x-a", "2")]
    assert Headers({"X-B": "v"})["x-b"] == "v"
    assert Headers(raw=[(b"a", b"1"), (b"b", b"2")]) == Headers(raw=[(b"b", b"2"), (b"a", b"1")])
    assert Headers()._raw == []


def test_headers_decode_latin1() -> None:
    headers = Headers(raw=[(b"x-name", "café".encode("latin-1"))])
    assert headers["x-name"] == "café"


def test_mutable_headers() -> None:
    headers = MutableHeaders(raw=[])
    headers["X-One"] = "1"
    headers.append("x-one", "2")
    assert headers.getlist("x-one") == ["1", "2"]
    headers["x-one"] = "3"  # replaces every value
    assert headers.getlist("x-one") == ["3"]
    assert headers.setdefault("x-one", "4") == "3"
    assert headers.setdefault("x-two", "2") == "2"
    headers.update({"x-three": "3"})
    del headers["X-TWO"]
    assert "x-two" not in headers
    headers.add_vary_header("Origin")
    headers.add_vary_header("origin")
    headers.add_vary_header("Accept-Encoding")
    assert headers["vary"] == "Origin, Accept-Encoding"
    assert headers.raw == [(b"x-one", b"3"), (b"x-three", b"3"), (b"vary", b"Origin, Accept-Encoding")]


@pytest.mark.parametrize("bad", ["a\r\nb", "a\nb", "a\rb", "\n", "a\x00b"])
def test_mutable_headers_refuse_cr_lf_and_nul(bad: str) -> None:
    headers = MutableHeaders(raw=[])
    with pytest.raises(ValueError):
        headers["x"] = bad
    with pytest.raises(ValueError):
        headers.append("x", bad)
    with pytest.raises(ValueError):
        headers.setdefault("x", bad)
    with pytest.raises(ValueError):
        headers[f"x-{bad}"] = "v"
    with pytest.raises(ValueError):
        headers.append(f"x-{bad}", "v")
    assert headers.raw == []


def test_mutable_headers_refuse_a_colon_in_the_name() -> None:
    headers = MutableHeaders(raw=[])
    with pytest.raises(ValueError):
        headers["x-a: injected"] = "v"
    assert headers.raw == []


def test_query_params() -> None:
    q = QueryParams("a=1&a=2&b=&c=x%26y&d=%E2%9C%93")
    assert q["a"] == "2"
    assert q.getlist("a") == ["1", "2"]
    assert q["b"] == ""
    assert q["c"] == "x&y"
    assert q["d"] == "✓"
    assert q.multi_items()[:2] == [("a", "1"), ("a", "2")]
    assert QueryParams(b"x=1")["x"] == "1"
    assert QueryParams({"k": "v"})["k"] == "v"
    assert QueryParams([("k", "1"), ("k", "2")]).getlist("k") == ["1", "2"]
    assert str(QueryParams([("a", "b c"), ("a", "&")])) == "a=b+c&a=%26"
    assert QueryParams("a=1&b=2") == QueryParams("b=2&a=1")
    assert hash(QueryParams("a=1")) == hash(QueryParams("a=1"))


def test_query_params_field_limit_boundary() -> None:
    at_limit = "&".join(f"k{i}=1" for i in range(10))
    assert len(QueryParams(at_limit, max_fields=10)) == 10
    with pytest.raises(BadRequest):
        QueryParams(at_limit + "&k10=1", max_fields=10)


def test_multidict_basics() -> None:
    m = MultiDict([("a", "1"), ("a", "2")])
    assert dict(m) == {"a": "2"}
    assert "a" in m and "b" not in m
    assert repr(m) == "MultiDict([('a', '1'), ('a', '2')])"


def test_url_from_scope_and_parts() -> None:
    scope = {"scheme": "https", "root_path": "/api", "path": "/items", "query_string": b"x=1",
             "headers": [(b"host", b"example.com:8443")]}
    url = URL.from_scope(scope)
    assert str(url) == "https://example.com:8443/api/items?x=1"
    assert (url.hostname, url.port, url.is_secure) == ("example.com", 8443, True)
    no_host = URL.from_scope({"scheme": "http", "path": "/", "server": ("10.0.0.1", 80), "headers": []})
    assert str(no_host) == "http://10.0.0.1/"
    odd_port = URL.from_scope({"scheme": "http", "path": "/", "server": ("h", 8000), "headers": []})
    assert odd_port.netloc == "h:8000"
    v6 = URL("http://[::1]:9000/p?q=1#frag")
    assert (v6.hostname, v6.port, v6.path, v6.query, v6.fragment) == ("::1", 9000, "/p", "q=1", "frag")
    assert str(v6.replace(path="/other")) == "http://[::1]:9000/other?q=1#frag"
    assert str(URL("http://h/p?a=1").include_query_params(b=2, a=3)) == "http://h/p?a=3&b=2"
    assert URL("http://h/") == "http://h/"
    assert hash(URL("http://h/")) == hash(URL("http://h/"))
    assert URL("/relative").hostname is None


def test_state() -> None:
    state = State({"a": 1})
    state.b = 2
    assert (state.a, state.b) == (1, 2)
    assert "a" in state and "c" not in state
    assert state.get("c", 3) == 3
    assert state.missing is None  # upstream Nexios's State: a name never set reads as None
    with pytest.raises(KeyError):
        _ = state["missing"]
    with pytest.raises(AttributeError):
        _ = state._private  # never invented: copy and pickle probe for such names
    state["c"] = 3
    state.update(d=4)
    assert dict(state) == {"a": 1, "b": 2, "c": 3, "d": 4} and len(state) == 4
    del state["d"]
    assert list(state.keys()) == ["a", "b", "c"]


def test_state_lazy_values_are_made_on_first_read_only() -> None:
    made: list[str] = []
    state = State()
    state.set_lazy("token", lambda: made.append("token") or "t0k")
    assert made == [] and "token" not in state
    assert state.token == "t0k" and state.token == "t0k"
    assert made == ["token"] and state["token"] == "t0k"
    state.set_lazy("other", lambda: made.append("other") or "x")
    state.other = "set first"
    assert state.other == "set first" and made == ["token"]


async def test_upload_file_in_memory_and_spooled() -> None:
    small = UploadFile("a.txt", content_type="text/plain", spool_threshold=10)
    await small.write(b"hello")
    await small.seek(0)
    assert await small.read() == b"hello"
    assert small._in_memory
    big = UploadFile("b.bin", spool_threshold=10)
    await big.write(b"x" * 20)
    assert not big._in_memory  # rolled over to a temporary file on disk
    await big.seek(0)
    assert await big.read(5) == b"xxxxx"
    assert big.size == 20
    form = FormData([("name", "v"), ("f", small), ("f", big)])
    assert form.getlist("f") == [small, big]
    assert form.getlist("nope", default=[]) == []
    assert form.files == {"f": big}
    assert len(form) == 2 and list(form) == ["name", "f"]
    await form.close()
    assert small.file.closed and big.file.closed
    assert "a.txt" in repr(small)
