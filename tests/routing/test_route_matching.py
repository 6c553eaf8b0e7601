"""Which route answers: static before dynamic, registration order, catch-alls last, methods,
405 with ``Allow``, automatic HEAD and OPTIONS."""

from __future__ import annotations

from typing import Any

import pytest

from nexios import NexiosApp
from nexios_core.exceptions import ImproperlyConfigured
from nexios_routing import Route, Router

pytestmark = pytest.mark.anyio


async def test_static_route_beats_dynamic_whatever_the_order(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/users/{id}")
    async def by_id(request: Any, response: Any, id: str) -> Any:
        return {"route": "by_id", "id": id}

    @app.get("/users/me")  # registered after the dynamic route, still wins for "me"
    async def me(request: Any, response: Any) -> Any:
        return {"route": "me"}

    async with client_for(app) as client:
        mine = await client.get("/users/me")
        other = await client.get("/users/42")
    assert mine.json() == {"route": "me"}
    assert other.json() == {"route": "by_id", "id": "42"}


async def test_static_segment_beats_dynamic_deeper_in_the_path(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/{org}/settings")
    async def org_settings(request: Any, response: Any, org: str) -> Any:
        return {"route": "org_settings", "org": org}

    @app.get("/admin/{page}")
    async def admin_page(request: Any, response: Any, page: str) -> Any:
        return {"route": "admin_page", "page": page}

    async with client_for(app) as client:
        admin = await client.get("/admin/settings")
        acme = await client.get("/acme/settings")
    assert admin.json() == {"route": "admin_page", "page": "settings"}
    # The static branch "admin" fails for /acme/..., the dynamic branch is tried next.
    assert acme.json() == {"route": "org_settings", "org": "acme"}


async def test_backtracks_from_static_branch_that_dead_ends(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/files/latest/info")
    async def latest_info(request: Any, response: Any) -> Any:
        return {"route": "latest_info"}

    @app.get("/files/{name}/download")
    async def download(request: Any, response: Any, name: str) -> Any:
        return {"route": "download", "name": name}

    async with client_for(app) as client:
        answer = await client.get("/files/latest/download")
    assert answer.json() == {"route": "download", "name": "latest"}


async def test_dynamic_routes_are_tried_in_registration_order(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/items/{number:int}")
    async def by_number(request: Any, response: Any, number: int) -> Any:
        return {"route": "by_number", "value": number}

    @app.get("/items/{slug}")
    async def by_slug(request: Any, response: Any, slug: str) -> Any:
        return {"route": "by_slug", "value": slug}

    async with client_for(app) as client:
        number = await client.get("/items/7")
        slug = await client.get("/items/seven")
    assert number.json() == {"route": "by_number", "value": 7}
    assert slug.json() == {"route": "by_slug", "value": "seven"}


async def test_first_registered_dynamic_route_wins_when_both_match(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/things/{slug}")
    async def by_slug(request: Any, response: Any, slug: str) -> Any:
        return {"route": "by_slug"}

    @app.get("/things/{number:int}")
    async def by_number(request: Any, response: Any, number: int) -> Any:
        return {"route": "by_number"}

    async with client_for(app) as client:
        answer = await client.get("/things/7")
    assert answer.json() == {"route": "by_slug"}


async def test_path_catch_all_is_tried_last(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/{rest:path}")
    async def fallback(request: Any, response: Any, rest: str) -> Any:
        return {"route": "fallback", "rest": rest}

    @app.get("/docs/{page}")
    async def docs(request: Any, response: Any, page: str) -> Any:
        return {"route": "docs", "page": page}

    @app.get("/about")
    async def about(request: Any, response: Any) -> Any:
        return {"route": "about"}

    async with client_for(app) as client:
        about_answer = await client.get("/about")
        docs_answer = await client.get("/docs/intro")
        deep = await client.get("/docs/intro/part-2")
        root = await client.get("/")
    assert about_answer.json() == {"route": "about"}
    assert docs_answer.json() == {"route": "docs", "page": "intro"}
    assert deep.json() == {"route": "fallback", "rest": "docs/intro/part-2"}
    assert root.json() == {"route": "fallback", "rest": ""}


async def test_same_path_different_methods_in_different_routes(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/notes/{id}")
    async def read(request: Any, response: Any, id: str) -> Any:
        return {"op": "read", "id": id}

    @app.put("/notes/{id}")
    async def replace(request: Any, response: Any, id: str) -> Any:
        return {"op": "replace", "id": id, "body": await request.json}

    @app.delete("/notes/{id}")
    async def remove(request: Any, response: Any, id: str) -> Any:
        return response.status(204)

    async with client_for(app) as client:
        got = await client.get("/notes/1")
        put = await client.put("/notes/1", json={"text": "hi"})
        deleted = await client.delete("/notes/1")
        posted = await client.post("/notes/1")
    assert got.json() == {"op": "read", "id": "1"}
    assert put.json() == {"op": "replace", "id": "1", "body": {"text": "hi"}}
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert posted.status_code == 405
    assert posted.headers["allow"] == "DELETE, GET, HEAD, OPTIONS, PUT"


async def test_delete_reaches_dynamic_route_when_static_path_only_has_get(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/users/me")
    async def me(request: Any, response: Any) -> Any:
        return {"route": "me"}

    @app.delete("/users/{id}")
    async def remove(request: Any, response: Any, id: str) -> Any:
        return {"route": "remove", "id": id}

    async with client_for(app) as client:
        deleted = await client.delete("/users/me")
        patched = await client.patch("/users/me")
    assert deleted.json() == {"route": "remove", "id": "me"}
    assert patched.status_code == 405
    # Every method some route would answer at this URL.
    assert patched.headers["allow"] == "DELETE, GET, HEAD, OPTIONS"


async def test_route_with_several_methods(client_for: Any) -> None:
    app = NexiosApp()

    @app.route("/form", methods=["get", "POST"])
    async def form(request: Any, response: Any) -> Any:
        return {"method": request.method}

    async with client_for(app) as client:
        got = await client.get("/form")
        posted = await client.post("/form")
        put = await client.put("/form")
    assert got.json() == {"method": "GET"}
    assert posted.json() == {"method": "POST"}
    assert put.status_code == 405
    assert put.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    assert put.json() == {"detail": "Method Not Allowed"}


async def test_405_for_catch_all_route_lists_its_methods(client_for: Any) -> None:
    app = NexiosApp()

    @app.post("/upload/{rest:path}")
    async def upload(request: Any, response: Any, rest: str) -> Any:
        return {"rest": rest}

    async with client_for(app) as client:
        answer = await client.get("/upload/a/b")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "OPTIONS, POST"


async def test_unknown_path_is_404_json(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/exists")
    async def exists(request: Any, response: Any) -> Any:
        return "yes"

    async with client_for(app) as client:
        answer = await client.post("/does-not-exist")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "Not Found"}


async def test_head_is_answered_for_every_get_route_without_body(client_for: Any) -> None:
    app = NexiosApp()
    calls: list[str] = []

    @app.get("/static-page")
    async def static_page(request: Any, response: Any) -> Any:
        calls.append(request.method)
        return response.html("<h1>hello</h1>")

    @app.get("/report/{id:int}")
    async def report(request: Any, response: Any, id: int) -> Any:
        calls.append(request.method)
        return {"id": id, "rows": list(range(20))}

    async with client_for(app) as client:
        for path in ("/static-page", "/report/3"):
            get = await client.get(path)
            head = await client.head(path)
            assert head.status_code == 200
            assert head.content == b""
            assert head.headers["content-length"] == get.headers["content-length"]
            assert int(get.headers["content-length"]) == len(get.content) > 0
            assert head.headers["content-type"] == get.headers["content-type"]
    assert calls == ["GET", "HEAD", "GET", "HEAD"]


async def test_explicit_head_route_wins_over_automatic_head(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/thing")
    async def thing(request: Any, response: Any) -> Any:
        return "body"

    @app.head("/thing")
    async def thing_head(request: Any, response: Any) -> Any:
        return response.empty(200, headers={"x-explicit": "1"})

    async with client_for(app) as client:
        head = await client.head("/thing")
    assert head.headers["x-explicit"] == "1"


async def test_options_answers_204_with_allow(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/widgets/{id}")
    async def read(request: Any, response: Any, id: str) -> Any:
        return {}

    @app.patch("/widgets/{id}")
    async def patch(request: Any, response: Any, id: str) -> Any:
        return {}

    async with client_for(app) as client:
        answer = await client.options("/widgets/9")
    assert answer.status_code == 204
    assert answer.content == b""
    assert answer.headers["allow"] == "GET, HEAD, OPTIONS, PATCH"


async def test_explicit_options_handler_wins(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/custom")
    async def read(request: Any, response: Any) -> Any:
        return {}

    @app.options("/custom")
    async def custom_options(request: Any, response: Any) -> Any:
        return response.json({"custom": True}, headers={"allow": "GET, OPTIONS"})

    async with client_for(app) as client:
        answer = await client.options("/custom")
    assert answer.status_code == 200
    assert answer.json() == {"custom": True}
    assert answer.headers["allow"] == "GET, OPTIONS"


def test_two_handlers_for_the_same_method_and_path_are_refused() -> None:
    router = Router()

    @router.get("/dup")
    async def first(request: Any, response: Any) -> Any:
        return None

    @router.get("/dup")
    async def second(request: Any, response: Any) -> Any:
        return None

    with pytest.raises(ImproperlyConfigured) as error:
        router.prepare()
    assert "GET /dup" in str(error.value)


def test_unknown_http_method_is_refused_at_registration() -> None:
    async def handler(request: Any, response: Any) -> None:
        return None

    with pytest.raises(ImproperlyConfigured):
        Route("/x", handler, methods=["FETCH"])


async def test_route_level_middleware_runs_around_its_handler_only(client_for: Any) -> None:
    app = NexiosApp()

    async def stamp(request: Any, response: Any, call_next: Any) -> Any:
        result = await call_next()
        result.headers["x-stamped"] = "yes"
        return result

    @app.get("/stamped", middleware=[stamp])
    async def stamped(request: Any, response: Any) -> Any:
        return "a"

    @app.get("/plain")
    async def plain(request: Any, response: Any) -> Any:
        return "b"

    async with client_for(app) as client:
        first = await client.get("/stamped")
        second = await client.get("/plain")
    assert first.headers["x-stamped"] == "yes"
    assert "x-stamped" not in second.headers


async def test_router_served_as_a_plain_asgi_app(client_for: Any) -> None:
    router = Router()

    @router.get("/ping")
    async def ping(request: Any, response: Any) -> Any:
        return {"pong": True}

    async with client_for(router) as client:
        ok = await client.get("/ping")
        missing = await client.get("/nope")
        wrong = await client.delete("/ping")
    assert ok.json() == {"pong": True}
    assert missing.status_code == 404
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "GET, HEAD, OPTIONS"


async def test_automatic_options_lists_methods_of_every_route_matching_the_url(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/users/me")
    async def me(request: Any, response: Any) -> Any:
        return {"route": "me"}

    @app.delete("/users/{id}")
    async def remove(request: Any, response: Any, id: str) -> Any:
        return {"route": "remove"}

    async with client_for(app) as client:
        mine = await client.options("/users/me")
        other = await client.options("/users/7")
    # DELETE /users/me is answered (by the dynamic route), so OPTIONS says so, as a 405 would.
    assert mine.headers["allow"] == "DELETE, GET, HEAD, OPTIONS"
    assert other.headers["allow"] == "DELETE, OPTIONS"


async def test_route_limits_override_the_apps_for_that_route_only(client_for: Any) -> None:
    from nexios_core.limits import Limits

    app = NexiosApp()

    @app.post("/small", limits=Limits(max_body_size=10))
    async def small(request: Any, response: Any) -> Any:
        return {"size": len(await request.body)}

    @app.post("/small/{n:int}", limits=Limits(max_body_size=10))
    async def small_dynamic(request: Any, response: Any, n: int) -> Any:
        return {"size": len(await request.body)}

    @app.post("/normal")
    async def normal(request: Any, response: Any) -> Any:
        return {"size": len(await request.body)}

    async with client_for(app) as client:
        too_big = await client.post("/small", content=b"x" * 11)
        too_big_dynamic = await client.post("/small/1", content=b"x" * 11)
        fits = await client.post("/small", content=b"x" * 10)
        normal_answer = await client.post("/normal", content=b"x" * 11)
    assert too_big.status_code == 413
    assert too_big_dynamic.status_code == 413
    assert fits.json() == {"size": 10}
    assert normal_answer.json() == {"size": 11}
