"""``nexios openapi``: the app's OpenAPI document, printed or written to a file; from the app's
``openapi()`` method, or asked of any other ASGI app at ``/openapi.json`` (``--path``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result
from openapi_spec_validator import validate

NEXIOS_APP = """
from nexios import get_application

app = get_application(title="Inventory", version="2.0.0")


@app.get("/items/{item_id:int}")
async def get_item(request, response, item_id: int) -> dict[str, int]:
    return {"item_id": item_id}
"""

PLAIN_ASGI_APP = """
import json

DOCUMENT = {"openapi": "3.1.0", "info": {"title": "Plain", "version": "1"}, "paths": {}}


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            kind = "startup" if message["type"] == "lifespan.startup" else "shutdown"
            await send({"type": f"lifespan.{kind}.complete"})
            if kind == "shutdown":
                return
    found = scope["path"] == "/spec.json"
    body = json.dumps(DOCUMENT).encode() if found else b"{}"
    await send({"type": "http.response.start", "status": 200 if found else 404,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})
"""


def test_prints_the_document_of_a_nexios_app(write_module: Callable[..., Path],
                                             invoke: Callable[..., Result]) -> None:
    write_module("main", NEXIOS_APP)
    result = invoke(["openapi", "main:app"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    validate(document)
    assert document["info"] == {"title": "Inventory", "version": "2.0.0"}
    assert document["paths"]["/items/{item_id}"]["get"]["operationId"] == "get_item"
    assert result.stdout.startswith('{\n  "openapi": "3.1.0"')  # indented by 2


def test_writes_the_document_to_a_file(write_module: Callable[..., Path], invoke: Callable[..., Result],
                                       tmp_path: Path) -> None:
    write_module("main", NEXIOS_APP)
    target = tmp_path / "out" / "openapi.json"
    target.parent.mkdir()
    result = invoke(["openapi", "main:app", "-o", str(target), "--indent", "0"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "Wrote the OpenAPI document of main:app" in result.stderr
    text = target.read_text(encoding="utf-8")
    assert "\n" not in text.strip() and json.loads(text)["openapi"] == "3.1.0"


def test_any_asgi_app_is_asked_for_its_document(write_module: Callable[..., Path],
                                                invoke: Callable[..., Result]) -> None:
    write_module("plain", PLAIN_ASGI_APP)
    missing = invoke(["openapi", "plain:app"])
    assert missing.exit_code == 2
    assert "answers GET /openapi.json with 404; pass --path" in missing.stderr
    found = invoke(["openapi", "plain:app", "--path", "/spec.json"])
    assert found.exit_code == 0 and json.loads(found.stdout)["info"]["title"] == "Plain"


def test_a_broken_document_is_one_line_of_error(write_module: Callable[..., Path],
                                                invoke: Callable[..., Result]) -> None:
    write_module("main", NEXIOS_APP + """

@app.get("/secret", security=[{"undeclared": []}])
async def secret(request, response):
    return {}
""")
    result = invoke(["openapi", "main:app"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Building the OpenAPI document failed:")
    assert "'undeclared'" in result.stderr and "Traceback" not in result.stderr


def test_runs_as_the_installed_command(write_module: Callable[..., Path], run_nexios: Callable[..., object],
                                       tmp_path: Path) -> None:
    write_module("main", NEXIOS_APP)
    done = run_nexios(["openapi", "main:app"], tmp_path)
    assert done.returncode == 0, done.stderr  # type: ignore[attr-defined]
    assert json.loads(done.stdout)["paths"]  # type: ignore[attr-defined]
