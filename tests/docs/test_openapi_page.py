"""``docs/openapi.md`` tells the truth: each Python block is copied verbatim from an example app
that the test suite runs (``examples/bookshop.py``, ``examples/quickstart.py``,
``examples/core_docs.py``), and the versions it names are the ones bundled."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "openapi.md"
FENCE = re.compile(r"```python\n(.*?)```", re.S)
VENDOR = ROOT / "packages" / "nexios-openapi" / "src" / "nexios_openapi" / "vendor"


def test_python_blocks_are_excerpts_of_tested_examples() -> None:
    sources = [path.read_text() for path in (ROOT / "examples").glob("*.py")]
    blocks = FENCE.findall(PAGE.read_text())
    assert len(blocks) >= 8
    for block in blocks:
        assert any(block in source for source in sources), f"this block is in no example file:\n{block}"


def test_the_page_names_the_bundled_versions() -> None:
    pins = json.loads((VENDOR / "VERSIONS.json").read_text())
    text = PAGE.read_text()
    for name, pin in pins.items():
        assert f"`{name}`" in text and pin["version"] in text, f"docs/openapi.md does not name {name} {pin['version']}"
