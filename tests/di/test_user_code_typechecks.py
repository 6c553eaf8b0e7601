"""A user's strictly typed handlers with markers as defaults pass ``mypy --strict``."""

from __future__ import annotations

from pathlib import Path

from mypy import api

USER_CODE = '''
from __future__ import annotations

from collections.abc import AsyncIterator

from pydantic import BaseModel

from nexios import Depend, get_application
from nexios.dependencies import Body, Cookie, Header, Query
from nexios.http import Request, Response

app = get_application()


class Item(BaseModel):
    name: str


async def get_db() -> AsyncIterator[str]:
    yield "db"


@app.get("/items")
async def list_items(
    request: Request,
    response: Response,
    limit: int = Query(10, ge=1),
    token: str | None = Header(None),
    session: str | None = Cookie(None),
    db: str = Depend(get_db),
) -> dict[str, object]:
    return {"limit": limit, "token": token, "session": session, "db": db}


@app.post("/items")
async def create_item(request: Request, response: Response, item: Item = Body()) -> Item:
    return item
'''


def test_markers_as_defaults_pass_mypy_strict(tmp_path: Path) -> None:
    source = tmp_path / "user_app.py"
    source.write_text(USER_CODE)
    stdout, stderr, status = api.run(
        ["--strict", "--no-incremental", "--cache-dir", str(tmp_path / ".mypy_cache"), str(source)]
    )
    assert status == 0, stdout + stderr
