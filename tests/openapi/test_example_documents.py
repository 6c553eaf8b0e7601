"""The OpenAPI document of every example app, those of the guide pages (``docs/examples/``) and
those of ``examples/``, is a valid OpenAPI 3.1 document (openapi-spec-validator), and documents
every HTTP route the app serves except the ones left out on purpose (the docs' own routes and
routes excluded from the schema)."""

from __future__ import annotations

import importlib.util
import logging
import sys
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from nexios_openapi import OpenAPI
from nexios_openapi.plugin import router_of

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(
    [*(ROOT / "docs" / "examples").glob("*.py"), *(ROOT / "docs" / "examples" / "features").glob("*.py"),
     *(ROOT / "examples").glob("*.py")]
)  # examples/plugins/timing_app.py needs its plugin's distribution installed: its own tests build it


def load(path: Path) -> Any:
    name = f"openapi_example_{path.parent.name}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # pydantic and dataclasses resolve annotations through it
    sys.path.insert(0, str(path.parent))  # examples import their neighbours
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    return module


def documents(module: Any) -> list[tuple[Any, dict[str, Any]]]:
    """Each app the module defines, with its document."""
    found = []
    for value in list(vars(module).values()):
        if isinstance(value, type):
            continue
        if callable(getattr(value, "openapi", None)):
            found.append((value, value.openapi()))
        elif isinstance(value, OpenAPI) and value.app is not None:
            found.append((value.app, value.document()))
    return found


def documented(app: Any) -> set[tuple[str, str]]:
    """The (method, path) pairs the app's router should document."""
    expected = set()
    for route in router_of(app).routes:
        if not getattr(route, "include_in_schema", True) or not getattr(route, "methods", None):
            continue
        for method in route.methods:
            if method not in ("HEAD", "OPTIONS"):
                expected.add((method.lower(), route.path))
    return expected


def test_every_example_file_is_checked() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in FILES}
    assert {"examples/quickstart.py", "examples/bookshop.py", "examples/core_docs.py",
            "docs/examples/routing.py", "docs/examples/features/views_app.py"} <= names
    assert len(FILES) >= 30


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_the_document_of_the_example_is_valid_and_complete(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    module = load(path)
    apps = documents(module)
    assert apps, f"{path.name} defines no app with a document"
    for app, document in apps:
        validate(document)  # raises, naming the first error
        operations = {(method, template) for template, item in document.get("paths", {}).items()
                      for method in item if method in ("get", "put", "post", "delete", "patch", "trace")}
        if not operations and not documented(app):
            continue  # an app with WebSocket routes only
        # Paths in the document drop converters ({id:int} is {id}); compare on that spelling.
        expected = {(method, _plain(template)) for method, template in documented(app)}
        assert expected <= operations, f"undocumented in {path.name}: {sorted(expected - operations)}"
        ids = [item[method]["operationId"] for item in document["paths"].values() for method in item
               if isinstance(item[method], dict) and "operationId" in item[method]]
        assert len(ids) == len(set(ids)), f"repeated operationId in {path.name}"


def _plain(template: str) -> str:
    parts = template.split("{")
    return parts[0] + "".join("{" + part.split(":", 1)[0].split("}", 1)[0] + "}" + part.split("}", 1)[1]
                              for part in parts[1:])
