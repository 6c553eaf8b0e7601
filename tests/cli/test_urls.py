"""``nexios urls``: the route table of a Nexios app, of any app with Route-like ``.routes``, and a
plain statement for an app without one."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from nexios_cli._urls import collect_routes, format_table

NEXIOS_APP = """
from nexios import Router, get_application

app = get_application()


@app.get("/users/{user_id:int}", name="get_user")
async def get_user(request, response, user_id: int):
    return {"user_id": user_id}


@app.route("/items", methods=["GET", "POST"])
async def items(request, response):
    return []


users = Router(prefix="/api/users")


@users.delete("/{user_id}")
async def remove_user(request, response, user_id):
    return None


app.mount_router(users)


@app.websocket("/chat")
async def chat(ws):
    await ws.accept()
"""


def table_rows(output: str) -> list[list[str]]:
    return [line.split() for line in output.strip().splitlines()]


def test_table_lists_methods_path_name_and_handler(
    invoke: Callable[..., Result], write_module: Callable[..., Path]
) -> None:
    write_module("website", NEXIOS_APP)
    result = invoke(["urls", "website:app"])
    assert result.exit_code == 0, result.output
    rows = table_rows(result.stdout)
    assert rows[0] == ["METHODS", "PATH", "NAME", "HANDLER"]
    assert set(rows[1][0]) == {"-"}  # the rule under the headings
    assert rows[2:] == [
        ["GET", "/users/{user_id:int}", "get_user", "website.get_user"],
        ["GET,POST", "/items", "items", "website.items"],
        ["DELETE", "/api/users/{user_id}", "remove_user", "website.remove_user"],
        ["WS", "/chat", "chat", "website.chat"],
    ]


def test_columns_line_up(invoke: Callable[..., Result], write_module: Callable[..., Path]) -> None:
    write_module("website", NEXIOS_APP)
    lines = invoke(["urls", "website:app"]).stdout.splitlines()
    path_column = lines[0].index("PATH")
    assert all(line[path_column - 2:path_column] == "  " for line in lines)
    assert lines[2][path_column:].startswith("/users/")


def test_json_output(invoke: Callable[..., Result], write_module: Callable[..., Path]) -> None:
    write_module("website", NEXIOS_APP)
    result = invoke(["urls", "website:app", "--json"])
    routes = json.loads(result.stdout)
    assert routes[0] == {"methods": "GET", "path": "/users/{user_id:int}", "name": "get_user",
                         "handler": "website.get_user"}
    assert [route["methods"] for route in routes] == ["GET", "GET,POST", "DELETE", "WS"]


def test_plain_asgi_app_has_no_route_table(invoke: Callable[..., Result], write_module: Callable[..., Path]) -> None:
    write_module("raw", """
        async def app(scope, receive, send):
            pass
    """)
    result = invoke(["urls", "raw:app"])
    assert result.exit_code == 0
    assert result.stdout.strip() == "raw:app has no route table (a plain ASGI app): nothing to list."
    assert json.loads(invoke(["urls", "raw:app", "--json"]).stdout) is None


def test_app_without_routes_says_so(invoke: Callable[..., Result], write_module: Callable[..., Path]) -> None:
    write_module("empty", "from nexios import get_application\napp = get_application()\n")
    result = invoke(["urls", "empty:app"])
    assert result.exit_code == 0
    assert result.stdout.strip() == "empty:app has no routes yet."


ROUTE_LIKE_APP = """
import functools


class Endpoint:
    async def __call__(self, request):
        return None


async def listing(request, page):
    return None


class ForeignRoute:
    def __init__(self, path, endpoint, methods=None, name=None):
        self.path, self.endpoint, self.methods, self.name = path, endpoint, methods, name


class ForeignWebSocketRoute:
    def __init__(self, path, endpoint):
        self.path, self.endpoint, self.name = path, endpoint, None


class ForeignMount:
    def __init__(self, path, app):
        self.path, self.app, self.name = path, app, "static"


class ForeignApp:
    def __init__(self):
        self.routes = [
            ForeignRoute("/things", Endpoint(), methods={"POST", "GET"}, name="things"),
            ForeignRoute("/list", functools.partial(listing, page=1)),
            ForeignWebSocketRoute("/live", Endpoint()),
            ForeignMount("/static", Endpoint()),
        ]

    async def __call__(self, scope, receive, send):
        pass


app = ForeignApp()
"""


def test_route_like_objects_from_other_frameworks(
    invoke: Callable[..., Result], write_module: Callable[..., Path]
) -> None:
    write_module("foreign", ROUTE_LIKE_APP)
    result = invoke(["urls", "foreign:app"])
    assert result.exit_code == 0, result.output
    assert table_rows(result.stdout)[2:] == [
        ["GET,POST", "/things", "things", "foreign.Endpoint"],
        ["ANY", "/list", "-", "foreign.listing"],
        ["WS", "/live", "-", "foreign.Endpoint"],
        ["MOUNT", "/static", "static", "foreign.Endpoint"],
    ]


def test_broken_route_table_is_a_one_line_error(
    invoke: Callable[..., Result], write_module: Callable[..., Path]
) -> None:
    write_module("flaky", """
        class App:
            @property
            def routes(self):
                raise RuntimeError("router not ready")

            async def __call__(self, scope, receive, send):
                pass

        app = App()
    """)
    result = invoke(["urls", "flaky:app"])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("Error: Reading the routes of flaky:app failed: RuntimeError")
    assert "Traceback" not in result.output


def test_collect_routes_and_format_table_as_a_library() -> None:
    class Handler:
        async def __call__(self) -> None:
            return None

    class Thing:
        path, methods, name, handler = "/x", ("GET",), "x", Handler()

    class App:
        routes = [Thing()]

    rows = collect_routes(App())
    assert rows is not None
    methods, path, name, handler = format_table(rows).splitlines()[2].split()
    assert (methods, path, name) == ("GET", "/x", "x")
    assert handler == f"{Handler.__module__}.{Handler.__qualname__}"  # an instance is named by its class
    assert collect_routes(object()) is None
