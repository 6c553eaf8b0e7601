"""The plan's public description (``route.plan.all_parameters()``), read by OpenAPI."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from nexios import Depend, Router, get_application
from nexios.dependencies import Body, Cookie, File, Form, Header, Path, Query
from nexios_core.datastructures import UploadFile
from nexios_di import InjectionPlan, ParameterInfo


class Item(BaseModel):
    name: str


def _route(app: Any, path: str) -> Any:
    [route] = [r for r in app.routes if r.path == path]
    return route


def _described(plan: InjectionPlan) -> dict[tuple[str, str], tuple[bool, Any]]:
    return {(p.source, p.key): (p.required, p.annotation) for p in plan.all_parameters()}


def test_all_parameters_lists_every_source_including_nested_dependencies() -> None:
    def tenant(x_tenant: str = Header(description="Tenant id")) -> str:
        return x_tenant

    def session(token: str | None = Cookie(None), t: str = Depend(tenant)) -> str:
        return t

    def paging(page: int = Query(1, ge=1), s: str = Depend(session)) -> int:
        return page

    def audit(reason: str = Query("none")) -> None:
        return None

    app = get_application(dependencies=[Depend(audit)])
    router = Router(prefix="/shops/{shop_id:int}")

    @router.put("/items/{item_id}")
    async def update(request: Any, response: Any, item_id: int = Path(ge=1), item: Item = Body(),
                     dry_run: bool = False, p: int = Depend(paging), again: str = Depend(session)) -> Any:
        return "x"

    app.mount_router(router)
    plan = _route(app, "/shops/{shop_id:int}/items/{item_id}").plan
    described = _described(plan)
    assert described == {
        ("path", "item_id"): (True, int),
        ("body", "item"): (True, Item),
        ("query", "dry_run"): (False, bool),
        ("query", "page"): (False, int),
        ("cookie", "token"): (False, str | None),
        ("header", "x-tenant"): (True, str),
        ("query", "reason"): (False, str),
    }
    # Each input once, even though `session` is used twice.
    assert len(plan.all_parameters()) == len(described)
    header = next(p for p in plan.all_parameters() if p.source == "header")
    assert isinstance(header, ParameterInfo)
    assert header.name == "x_tenant"
    assert header.marker is not None and header.marker.description == "Tenant id"
    path = next(p for p in plan.all_parameters() if p.source == "path")
    assert path.marker is not None and path.marker.constraints == {"ge": 1}
    query = next(p for p in plan.all_parameters() if p.key == "page")
    assert query.default == 1


def test_all_parameters_for_forms_files_and_embedded_bodies() -> None:
    app = get_application()

    @app.post("/upload")
    async def upload(request: Any, response: Any, title: str = Form(), tags: list[str] = Form([]),
                     doc: UploadFile = File(), more: list[UploadFile] | None = File(None)) -> Any:
        return "x"

    @app.post("/pair")
    async def pair(request: Any, response: Any, item: Item, count: int = Body(0, alias="n")) -> Any:
        return "x"

    assert _described(_route(app, "/upload").plan) == {
        ("form", "title"): (True, str),
        ("form", "tags"): (False, list[str]),
        ("file", "doc"): (True, UploadFile),
        ("file", "more"): (False, list[UploadFile] | None),
    }
    assert _described(_route(app, "/pair").plan) == {
        ("body", "item"): (True, Item),
        ("body", "n"): (False, int),
    }


def test_plan_without_inputs_and_request_objects_describes_nothing() -> None:
    app = get_application()

    @app.get("/plain/{name}")
    async def plain(request: Any, response: Any, name: str) -> Any:
        return name

    [info] = _route(app, "/plain/{name}").plan.all_parameters()
    assert (info.source, info.key, info.required, info.annotation) == ("path", "name", True, str)


def test_websocket_plan_is_described_too() -> None:
    app = get_application()

    def auth(token: str = Query()) -> str:
        return token

    @app.ws_route("/ws/{room}")
    async def ws(websocket: Any, room: str, user: str = Depend(auth), x_client: str = Header("")) -> None:
        return None

    [route] = app.router.websocket_routes
    assert _described(route.plan) == {
        ("path", "room"): (True, str),
        ("query", "token"): (True, str),
        ("header", "x-client"): (False, str),
    }
