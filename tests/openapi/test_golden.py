"""The bookshop example's document, compared with a reviewed copy (``golden/``), structure by
structure: a change to the generator shows up here as a precise difference to review.

After a deliberate change, write the new copy with
``nexios openapi --app-dir examples bookshop:app -o tests/openapi/golden/bookshop.openapi.json``,
read the diff, and commit it with the change."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden" / "bookshop.openapi.json"


def differences(expected: Any, actual: Any, where: str = "$") -> list[str]:
    """Every place where two JSON values differ, as ``path: expected != actual`` lines."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = [f"{where}.{key}: missing" for key in expected if key not in actual]
        found += [f"{where}.{key}: unexpected" for key in actual if key not in expected]
        for key in expected.keys() & actual.keys():
            found += differences(expected[key], actual[key], f"{where}.{key}")
        return found
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [line for index, (e, a) in enumerate(zip(expected, actual, strict=True))
                for line in differences(e, a, f"{where}[{index}]")]
    return [] if expected == actual else [f"{where}: {expected!r} != {actual!r}"]


def test_the_bookshop_document_matches_the_reviewed_copy(document_of: Any) -> None:
    spec = importlib.util.spec_from_file_location("bookshop_golden_example", ROOT / "examples" / "bookshop.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    actual = document_of(module.app)
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert differences(expected, actual) == []
    # Order matters to readers of the pages (paths, tags, responses): compare it too.
    assert list(actual["paths"]) == list(expected["paths"])
    assert [tag["name"] for tag in actual["tags"]] == [tag["name"] for tag in expected["tags"]]


def test_the_comparison_reports_where_documents_differ() -> None:
    assert differences({"a": {"b": [1, 2]}, "c": 1}, {"a": {"b": [1, 3]}, "d": 1}) == [
        "$.c: missing", "$.d: unexpected", "$.a.b[1]: 2 != 3"]
