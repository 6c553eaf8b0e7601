"""``docs/migrating.md`` tells the truth: its example is the tested file and runs as described,
every row of its differences table has a test named after it, and the page is linked from the
README and the docs index."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from nexios.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "migrating.md"
EXAMPLE = ROOT / "docs" / "examples" / "migrating.py"
DIFFERENCES = ROOT / "tests" / "compat" / "test_migrating_differences.py"


def test_the_python_block_is_the_example_file() -> None:
    (block,) = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    assert block in EXAMPLE.read_text(encoding="utf-8")


def test_the_example_runs_as_the_page_says() -> None:
    spec = importlib.util.spec_from_file_location("docs_migrating_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with TestClient(module.app) as client:
        users = client.get("/users")
        assert users.json() == {"users": ["ada"], "debug": False} and users.headers["x-timed"] == "yes"
        assert client.get("/admin/users/7").json() == {"id": 7}
        assert client.get("/nowhere").json() == {"error": "no such page"}
    assert module.app.url_for("admin.user", user_id=7) == "/admin/users/7"


def test_every_difference_has_a_test_named_after_it() -> None:
    rows = re.findall(r"^\| (M\d\d) \|", PAGE.read_text(encoding="utf-8"), re.M)
    assert len(rows) == len(set(rows)) >= 30
    tests = set(re.findall(r"^(?:async )?def test_(m\d\d)_", DIFFERENCES.read_text(encoding="utf-8"), re.M))
    assert sorted(row.lower() for row in rows) == sorted(tests)


def test_the_page_is_linked_from_the_readme_and_the_index() -> None:
    assert "docs/migrating.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(migrating.md)" in (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
