"""Property tests for the router (SECURITY.md: "property tests cover the router").

* For random templates made of literal segments and typed parameters, the path ``url_for``
  builds is routed back to the same handler with equal parameters.
* No path a client can send, however odd (unicode, ``%``, ``..``, ``//``, control characters),
  produces a 5xx.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

import anyio
import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nexios import NexiosApp, Router
from nexios_core.types import Message

# ------------------------------------------------------------------ values per converter
_SEGMENT_TEXT = st.text(
    alphabet=st.characters(blacklist_characters="/", blacklist_categories=("Cs",)), min_size=1, max_size=12
).filter(lambda s: s not in (".", ".."))  # clients remove dot segments before sending

_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "int": st.integers(min_value=0, max_value=10**40),
    "float": st.floats(min_value=0.0, allow_nan=False, allow_infinity=False),
    "uuid": st.uuids(),
    "str": _SEGMENT_TEXT,
    "path": st.lists(_SEGMENT_TEXT, min_size=1, max_size=4).map("/".join),
}


def _describe(value: Any) -> list[str]:
    """A JSON-safe, exact description of a parameter value and its type."""
    if isinstance(value, float):
        return ["float", repr(value + 0.0)]
    if isinstance(value, uuid.UUID):
        return ["UUID", str(value)]
    return [type(value).__name__, str(value)]


# ------------------------------------------------------------------ templates
_LITERAL = st.from_regex(r"[a-z0-9_~-]{1,8}", fullmatch=True)


@st.composite
def _templates(draw: st.DrawFn, first_literal: str | None = None) -> tuple[str, list[str]]:
    """A template like ``/lit/{p0:int}/other/{p1}``; returns it and the converter per param."""
    count = draw(st.integers(min_value=1, max_value=5))
    parts: list[str] = [first_literal] if first_literal else []
    kinds: list[str] = []
    for _ in range(count):
        if draw(st.booleans()):
            parts.append(draw(_LITERAL))
        else:
            kind = draw(st.sampled_from(["int", "float", "uuid", "str", "plain"]))
            name = f"p{len(kinds)}"
            parts.append(f"{{{name}}}" if kind == "plain" else f"{{{name}:{kind}}}")
            kinds.append("str" if kind == "plain" else kind)
    if draw(st.booleans()):  # a catch-all may end the template
        parts.append(f"{{p{len(kinds)}:path}}")
        kinds.append("path")
    return "/" + "/".join(parts), kinds


def _add_echo_route(router: Router, template: str, name: str) -> None:
    async def echo(request: Any, response: Any) -> Any:
        return {"route": name, "params": {k: _describe(v) for k, v in request.path_params.items()}}

    router.add_route(template, echo, name=name)


async def _get(app: Any, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.get(path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), template_and_kinds=_templates())
def test_url_for_then_request_reaches_the_same_handler_with_equal_params(
    data: st.DataObject, template_and_kinds: tuple[str, list[str]]
) -> None:
    template, kinds = template_and_kinds
    app = NexiosApp()
    _add_echo_route(app.router, template, "target")
    params = {f"p{i}": data.draw(_VALUES[kind], label=f"p{i}:{kind}") for i, kind in enumerate(kinds)}
    path = app.url_for("target", **params)
    assert path.isascii()
    answer = anyio.run(_get, app, path)
    assert answer.status_code == 200, (template, params, path, answer.text)
    expected = {k: _describe(float(v) if kinds[int(k[1:])] == "float" else v) for k, v in params.items()}
    assert answer.json() == {"route": "target", "params": expected}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), count=st.integers(min_value=2, max_value=6))
def test_several_routes_in_one_app_each_round_trip(data: st.DataObject, count: int) -> None:
    # Distinct first literals keep the routes from shadowing one another; the trie still holds
    # them all, with shared structure below the root.
    app = NexiosApp()
    nested = Router(prefix="/nested", name="nested")
    app.mount_router(nested)
    cases: list[tuple[str, list[str]]] = []
    for index in range(count):
        template, kinds = data.draw(_templates(first_literal=f"r{index}"), label=f"template {index}")
        owner = nested if index % 2 else app.router
        _add_echo_route(owner, template, f"route{index}")
        cases.append((("nested." if index % 2 else "") + f"route{index}", kinds))
    for name, kinds in cases:
        params = {f"p{i}": data.draw(_VALUES[kind]) for i, kind in enumerate(kinds)}
        path = app.url_for(name, **params)
        answer = anyio.run(_get, app, path)
        assert answer.status_code == 200, (name, path, answer.text)
        assert answer.json()["route"] == name.split(".")[-1]


# ------------------------------------------------------------------ no 5xx, whatever the path
def _hostile_app() -> NexiosApp:
    app = NexiosApp()

    async def echo(request: Any, response: Any) -> Any:
        return {k: _describe(v) for k, v in request.path_params.items()}

    for template in (
        "/", "/users/me", "/users/{id:int}", "/users/{name}", "/prices/{amount:float}",
        "/orders/{order:uuid}", "/files/{rest:path}", "/a/{x}/b/{y:int}/", "/archive/{stem}.{ext}",
    ):
        app.add_route(template, echo, methods=["GET", "POST"])

    @app.get("/typed/{n}")
    async def typed(request: Any, response: Any, n: int) -> Any:
        return {"n": n}

    async def raw(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": scope["nexios.mount_path"].encode()})

    app.register(raw, prefix="/mounted")
    return app


_HOSTILE_APP = _hostile_app()

_PATH_TEXT = st.lists(
    st.one_of(
        st.sampled_from(["/", "%", "..", ".", "//", "\\", "?", "#", "%2F", "%00", "me", "users", "files",
                         "prices", "orders", "a", "b", "typed", "archive", "mounted", "1", "9" * 5000,
                         "0.5", "e", "-", " ", "\t", "\x00", "é", "日本", "\u2028"]),
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=4),
    ),
    max_size=12,
).map("".join)

# Paths shaped like the routes (so that they get deep into the trie, near-misses with a slash
# too many or too few included) next to free-form text.
_ROUTE_WORDS = st.sampled_from(
    ["users", "prices", "orders", "files", "a", "typed", "archive", "mounted", ""]
)
_SEGMENT = st.one_of(
    st.sampled_from(["me", "b", "12", "0.5", str(uuid.UUID(int=7)), "x.tar", "", "..", "%", "\\x"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=6),
)
_ROUTED_SHAPES = st.tuples(_ROUTE_WORDS, st.lists(_SEGMENT, max_size=4), st.booleans()).map(
    lambda shape: "/".join([shape[0], *shape[1]]) + ("/" if shape[2] else "")
)
_ANY_PATH = st.one_of(_PATH_TEXT, _ROUTED_SHAPES, _ROUTED_SHAPES)


async def _send_raw(app: Any, method: str, path: str) -> tuple[int, dict[str, str]]:
    """Drive ``app`` the way a server would for a request line with this (decoded) path."""
    messages: list[Message] = []
    received = False

    async def receive() -> Message:
        nonlocal received
        if not received:
            received = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        messages.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": quote(path, safe="/%").encode("ascii"),
        "root_path": "", "query_string": b"q=1", "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1234), "server": ("testserver", 80),
    }
    with anyio.fail_after(5):
        await app(scope, receive, send)
    start = next(m for m in messages if m["type"] == "http.response.start")
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in start["headers"]}
    return start["status"], headers


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=_ANY_PATH,
    method=st.sampled_from(["GET", "POST", "HEAD", "OPTIONS", "DELETE", "PATCH"]),
    leading_slash=st.booleans(),
)
def test_arbitrary_paths_never_produce_a_5xx(text: str, method: str, leading_slash: bool) -> None:
    path = ("/" + text) if leading_slash or not text.startswith("/") else text
    status, headers = anyio.run(_send_raw, _HOSTILE_APP, method, path)
    assert status < 500, (method, path, status)
    location = headers.get("location")
    if location is not None:
        assert location.startswith("/") and not location.startswith("//"), location
        assert location.isascii() and "\\" not in location


# ------------------------------------------------------------------ the trie's fast lookup
class _Entry:
    """A trie entry as the router builds them: ``endpoints`` keyed by method."""

    def __init__(self, name: str, methods: list[str]) -> None:
        self.name = name
        self.endpoints = dict.fromkeys(methods)


_TRIE_SEGMENTS = st.sampled_from(
    ["a", "b", "users", "me", "1", "{x}", "{n:int}", "{f:float}", "{u:uuid}", "v{n:int}", "{rest:path}"]
)
_TRIE_PATH_PARTS = st.sampled_from(["a", "b", "users", "me", "1", "42", "1.5", "v7", "x", "", str(uuid.UUID(int=7))])


@settings(max_examples=500, deadline=None)
@given(
    templates=st.lists(
        st.tuples(
            st.lists(_TRIE_SEGMENTS, min_size=1, max_size=3),
            st.sampled_from([["GET"], ["POST"], ["GET", "PUT"]]),
        ),
        min_size=1, max_size=8,
    ),
    data=st.data(),
    method=st.sampled_from(["GET", "POST", "PUT"]),
)
def test_the_fast_lookup_agrees_with_the_backtracking_walk(
    templates: list[tuple[list[str], list[str]]], data: st.DataObject, method: str
) -> None:
    from nexios_routing.matcher import RouteTrie
    from nexios_routing.paths import parse_template

    trie: RouteTrie[_Entry] = RouteTrie()
    for index, (segments, methods) in enumerate(templates):
        if "{rest:path}" in segments[:-1]:
            continue  # a catch-all can only end a template
        try:
            template = parse_template("/" + "/".join(segments))
        except Exception:
            continue  # e.g. a parameter name used twice: refused at registration
        trie.insert(template, _Entry(f"r{index}", methods))
    # Paths shaped like the templates (each segment kept, or swapped for another word) meet
    # the shared prefixes where backtracking matters; fully random ones are added too.
    shaped = [
        [data.draw(st.one_of(st.just(segment), _TRIE_PATH_PARTS)) for segment in segments]
        for segments, _ in templates
    ]
    paths = shaped + data.draw(st.lists(st.lists(_TRIE_PATH_PARTS, min_size=1, max_size=4), max_size=4))
    for parts in paths:
        path = "/" + "/".join(parts)
        rejected: list[_Entry] = []
        found = trie.find(path, method, rejected)
        walk_params: dict[str, Any] = {}
        walk_rejected: list[_Entry] = []
        walked = trie._walk(trie._root, path[1:].split("/"), 0, walk_params, method, walk_rejected)
        expected = None if walked is None else (walked, walk_params)
        assert found == expected, path
        if found is None:  # the 405 candidates come from the walk either way
            assert rejected == walk_rejected, path
