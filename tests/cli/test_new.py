"""``nexios new``: a project that works as generated, and no overwriting of anything existing."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import Result

from nexios.testclient import TestClient

try:  # Python 3.11+; the fallback keeps the suite running on 3.10
    import tomllib
except ModuleNotFoundError:  # pragma: no cover
    tomllib = None  # type: ignore[assignment]

EXPECTED_FILES = ["main.py", "tests/test_main.py", "pyproject.toml", "README.md", ".gitignore"]


def import_file(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_creates_the_project_files(invoke: Callable[..., Result], tmp_path: Path) -> None:
    result = invoke(["new", "bakery"])
    assert result.exit_code == 0, result.output
    project = tmp_path / "bakery"
    assert sorted(str(path.relative_to(project)) for path in project.rglob("*") if path.is_file()) == sorted(
        EXPECTED_FILES
    )
    assert f"Created {Path('bakery')}" in result.stdout
    assert "nexios dev" in result.stdout


def test_generated_app_imports_and_answers(invoke: Callable[..., Result], tmp_path: Path) -> None:
    invoke(["new", "bakery"])
    module = import_file(tmp_path / "bakery" / "main.py", "bakery_main")
    with TestClient(module.app) as client:
        assert client.get("/").json() == {"message": "Hello from bakery"}
        assert client.get("/items/5").json() == {"item_id": 5}
        assert client.get("/items/five").status_code == 404


def test_generated_pyproject_depends_on_nexios(invoke: Callable[..., Result], tmp_path: Path) -> None:
    invoke(["new", "My_Bakery.App"])
    text = (tmp_path / "My_Bakery.App" / "pyproject.toml").read_text()
    if tomllib is not None:
        project = tomllib.loads(text)["project"]
        assert project["name"] == "my-bakery-app"
        assert [dep.split(">=")[0] for dep in project["dependencies"]] == ["nexios"]
    assert 'dependencies = ["nexios' in text


def test_generated_tests_pass(invoke: Callable[..., Result], tmp_path: Path) -> None:
    invoke(["new", "bakery"])
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path / "bakery", capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "3 passed" in completed.stdout


def test_other_commands_find_the_generated_app(
    run_nexios: Callable[..., subprocess.CompletedProcess[str]], invoke: Callable[..., Result], tmp_path: Path
) -> None:
    invoke(["new", "bakery"])
    project = tmp_path / "bakery"
    pinged = run_nexios(["ping", "/items/9"], cwd=project)
    assert (pinged.returncode, pinged.stdout) == (0, '200 OK\n{"item_id":9}\n')
    listed = run_nexios(["urls"], cwd=project)
    assert "/items/{item_id:int}" in listed.stdout


def test_dir_option_chooses_the_parent(invoke: Callable[..., Result], tmp_path: Path) -> None:
    result = invoke(["new", "bakery", "--dir", "work/projects"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "work" / "projects" / "bakery" / "main.py").is_file()


def test_existing_empty_directory_is_used(invoke: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "bakery").mkdir()
    assert invoke(["new", "bakery"]).exit_code == 0
    assert (tmp_path / "bakery" / "main.py").is_file()


def test_refuses_a_non_empty_directory(invoke: Callable[..., Result], tmp_path: Path) -> None:
    project = tmp_path / "bakery"
    project.mkdir()
    (project / "main.py").write_text("precious = True\n")
    result = invoke(["new", "bakery"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "already exists and is not empty: choose another NAME or --dir" in result.stderr
    assert (project / "main.py").read_text() == "precious = True\n"
    assert sorted(path.name for path in project.iterdir()) == ["main.py"]


def test_refuses_a_file_in_the_way(invoke: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "bakery").write_text("x")
    result = invoke(["new", "bakery"])
    assert result.exit_code == 2
    assert "is not a directory" in result.stderr


@pytest.mark.parametrize("name", ["../escape", "two words", "1st", "-flag-like", ""])
def test_refuses_invalid_names(name: str, invoke: Callable[..., Result], tmp_path: Path) -> None:
    result = invoke(["new", "--", name])
    assert result.exit_code == 2
    assert "is not a valid project name" in result.stderr
    assert list(tmp_path.iterdir()) == []
