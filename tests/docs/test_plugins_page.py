"""``docs/plugins.md`` tells the truth: each Python block is copied verbatim from the example
plugin, its tests, or the app that discovers it, each TOML block from the plugin's
``pyproject.toml``; and the tests the plugin ships pass."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "plugins.md"
PLUGIN = ROOT / "examples" / "plugins" / "nexios-request-timing"
SOURCES = [
    PLUGIN / "src" / "nexios_request_timing" / "__init__.py",
    PLUGIN / "tests" / "test_request_timing.py",
    ROOT / "examples" / "plugins" / "timing_app.py",
]


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)


def test_python_blocks_are_excerpts_of_the_tested_plugin_files() -> None:
    sources = [path.read_text(encoding="utf-8") for path in SOURCES]
    found = blocks("python")
    assert len(found) >= 6
    for block in found:
        assert any(block in source for source in sources), f"this block is in no example file:\n{block}"


def test_toml_blocks_are_excerpts_of_the_plugins_pyproject() -> None:
    pyproject = (PLUGIN / "pyproject.toml").read_text(encoding="utf-8")
    found = blocks("toml")
    assert found
    for block in found:
        assert block in pyproject, f"this block is not in {PLUGIN.name}/pyproject.toml:\n{block}"


def test_the_tests_the_example_plugin_ships_pass() -> None:
    # Run as the plugin's author runs them: their own pytest session, the plugin importable.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(PLUGIN / "tests"), "-q", "-p", "no:cacheprovider"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(PLUGIN / "src")},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\b5 passed\b", result.stdout), result.stdout
