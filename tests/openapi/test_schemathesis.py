"""schemathesis fuzzes the demo app and the bookshop example from their own documents, under real
uvicorn: no 5xx, and every answer (status, content type, headers, body) as the document says,
for valid and invalid data alike. A bounded run with a fixed seed here; many more examples with
``python3 scripts/dev.py fuzz-openapi``."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("openapi_fuzz", ROOT / "scripts" / "openapi_fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("app", ["examples/quickstart.py:app", "examples/bookshop.py:app"])
def test_the_app_answers_as_its_document_says(app: str) -> None:
    fuzz = runner()
    status, output = fuzz.fuzz(app, max_examples=10, seed=20261207, extra=fuzz.APP_OPTIONS.get(app, []))
    assert status == 0, output
    assert "No issues found" in output and " passed" in output
