"""How every command finds the app (APP argument, auto-detection, factories) and how it fails:
one line saying what to do, exit status 2, never a traceback."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from nexios_cli import AppLoadError, load_app

NEXIOS_APP = """
from nexios import get_application

{name} = get_application(title={title!r})


@{name}.get("/hello", name="hello")
async def hello(request, response):
    return {{"from": {title!r}}}
"""


def nexios_app(title: str, name: str = "app") -> str:
    return NEXIOS_APP.format(name=name, title=title)


def assert_one_line_error(result: Result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    for fragment in fragments:
        assert fragment in lines[0]


# -------------------------------------------------------------------- finding the app
def test_module_and_attribute_name_the_app(invoke: Callable[..., Result], write_module: Callable[..., Path]) -> None:
    write_module("shop", nexios_app("shop", name="api"))
    result = invoke(["ping", "shop:api", "/hello"])
    assert result.exit_code == 0, result.output
    assert '{"from":"shop"}' in result.stdout


def test_without_app_main_py_in_current_directory_is_used(
    invoke: Callable[..., Result], write_module: Callable[..., Path]
) -> None:
    write_module("main", nexios_app("from main.py"))
    result = invoke(["ping", "/hello"])  # PATH only: APP is found
    assert result.exit_code == 0, result.output
    assert "from main.py" in result.stdout


def test_app_py_is_preferred_to_main_py(invoke: Callable[..., Result], write_module: Callable[..., Path]) -> None:
    write_module("main", nexios_app("from main.py"))
    write_module("app", nexios_app("from app.py"))
    result = invoke(["urls"])
    assert result.exit_code == 0, result.output
    assert "app.hello" in result.stdout


def test_nexios_app_environment_variable_names_the_app(
    invoke: Callable[..., Result], write_module: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_module("service", nexios_app("from env", name="api"))
    monkeypatch.setenv("NEXIOS_APP", "service:api")
    result = invoke(["urls"])
    assert result.exit_code == 0, result.output
    assert "service.hello" in result.stdout


@pytest.mark.parametrize("attribute", ["app", "application"])
def test_bare_module_finds_its_app_or_application(
    attribute: str, invoke: Callable[..., Result], write_module: Callable[..., Path]
) -> None:
    write_module("svc", nexios_app("bare", name=attribute))
    result = invoke(["ping", "svc", "/hello"])
    assert result.exit_code == 0, result.output


def test_bare_module_finds_its_only_nexios_app_under_any_name(
    invoke: Callable[..., Result], write_module: Callable[..., Path]
) -> None:
    write_module("svc", nexios_app("only one", name="website"))
    result = invoke(["ping", "svc", "/hello"])
    assert result.exit_code == 0, result.output
    assert "only one" in result.stdout


def test_python_file_path_names_the_app(invoke: Callable[..., Result], write_module: Callable[..., Path],
                                        tmp_path: Path) -> None:
    write_module("server", nexios_app("by path", name="api"), directory=tmp_path / "src" / "project")
    result = invoke(["ping", "src/project/server.py:api", "/hello"])
    assert result.exit_code == 0, result.output
    assert "by path" in result.stdout


def test_app_dir_is_searched_first(invoke: Callable[..., Result], write_module: Callable[..., Path],
                                   tmp_path: Path) -> None:
    write_module("main", nexios_app("in backend"), directory=tmp_path / "backend")
    result = invoke(["ping", "--app-dir", "backend", "/hello"])
    assert result.exit_code == 0, result.output
    assert "in backend" in result.stdout


def test_dotted_attribute_reaches_a_nested_app(invoke: Callable[..., Result],
                                               write_module: Callable[..., Path]) -> None:
    write_module("nested", nexios_app("nested") + "\nclass container:\n    api = app\n")
    assert invoke(["ping", "nested:container.api", "/hello"]).exit_code == 0


FACTORY = nexios_app("built") + """

def create_app():
    return app
"""


@pytest.mark.parametrize("args", [["factory_mod:create_app()"], ["--factory", "factory_mod:create_app"],
                                  ["--factory", "factory_mod"]])
def test_factory_is_called(args: list[str], invoke: Callable[..., Result],
                           write_module: Callable[..., Path]) -> None:
    write_module("factory_mod", FACTORY)
    result = invoke(["ping", *args, "/hello"])
    assert result.exit_code == 0, result.output
    assert "built" in result.stdout


def test_load_app_returns_the_app_and_its_module(write_module: Callable[..., Path], tmp_path: Path) -> None:
    write_module("lib_app", nexios_app("library"))
    loaded = load_app("lib_app:app", app_dir=tmp_path)
    assert loaded.label == "lib_app:app"
    assert loaded.app is loaded.module.app


# -------------------------------------------------------------------- failing clearly
def test_missing_module_says_where_it_looked(invoke: Callable[..., Result], tmp_path: Path) -> None:
    result = invoke(["urls", "no_such_module:app"])
    assert_one_line_error(result, "'no_such_module'", str(tmp_path), "--app-dir")


def test_missing_attribute_lists_the_apps_there(invoke: Callable[..., Result],
                                                write_module: Callable[..., Path]) -> None:
    write_module("shop", nexios_app("shop", name="api"))
    result = invoke(["urls", "shop:appp"])
    assert_one_line_error(result, "has no attribute 'appp'", "apps in it: api")


def test_no_app_and_no_default_files(invoke: Callable[..., Result]) -> None:
    assert_one_line_error(invoke(["urls"]), "no app.py or main.py", "module:attribute")


def test_module_without_an_app_asks_for_the_attribute(invoke: Callable[..., Result],
                                                      write_module: Callable[..., Path]) -> None:
    write_module("helpers", "VALUE = 1\n")
    assert_one_line_error(invoke(["urls", "helpers"]), "No app or application", "helpers:NAME")


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("app = 42\n", "is a int, not an ASGI app"),
        ("class app:\n    pass\n", "is a class"),
        ("import json as app\n", "is a module"),
        ("def app():\n    return None\n", "--factory"),
        ("async def app(scope, receive):\n    pass\n", "taking 2 argument(s)"),
        ("async def app(request, response, item_id):\n    pass\n", "looks like a route handler"),
    ],
)
def test_not_an_asgi_app(source: str, fragment: str, invoke: Callable[..., Result],
                         write_module: Callable[..., Path]) -> None:
    write_module("wrong", source)
    assert_one_line_error(invoke(["urls", "wrong:app"]), "wrong:app", fragment)


def test_error_raised_while_importing_points_at_the_line(invoke: Callable[..., Result],
                                                         write_module: Callable[..., Path]) -> None:
    path = write_module("broken", "x = 1\nundefined_name + 1\n")
    result = invoke(["urls", "broken:app"])
    assert_one_line_error(result, "Importing 'broken' failed", "NameError", f"{path}, line 2")


def test_syntax_error_points_at_the_line(invoke: Callable[..., Result], write_module: Callable[..., Path]) -> None:
    path = write_module("typo", "app = (\n")
    assert_one_line_error(invoke(["urls", "typo:app"]), "SyntaxError", f"{path}, line 1")


def test_missing_dependency_of_the_app_is_named(invoke: Callable[..., Result],
                                                write_module: Callable[..., Path]) -> None:
    path = write_module("needs_dep", "import definitely_not_installed_pkg\n")
    result = invoke(["urls", "needs_dep:app"])
    assert_one_line_error(result, "Importing 'needs_dep' failed",
                          "No module named 'definitely_not_installed_pkg'", f"{path}, line 1")


def test_failing_factory_is_reported_in_one_line(invoke: Callable[..., Result],
                                                 write_module: Callable[..., Path]) -> None:
    write_module("bad_factory", "def create_app():\n    raise RuntimeError('no database')\n")
    assert_one_line_error(invoke(["urls", "bad_factory:create_app()"]),
                          "Calling bad_factory:create_app() failed", "RuntimeError: no database")


def test_factory_returning_something_else_is_refused(invoke: Callable[..., Result],
                                                     write_module: Callable[..., Path]) -> None:
    write_module("odd_factory", "def create_app():\n    return 'not an app'\n")
    assert_one_line_error(invoke(["urls", "--factory", "odd_factory:create_app"]), "is a str, not an ASGI app")


def test_invalid_module_name(invoke: Callable[..., Result]) -> None:
    assert_one_line_error(invoke(["urls", "my-app:app"]), "'my-app' is not a module name")


def test_missing_file(invoke: Callable[..., Result]) -> None:
    assert_one_line_error(invoke(["urls", "nowhere/app.py:app"]), "No such file")


def test_load_app_raises_app_load_error(tmp_path: Path) -> None:
    with pytest.raises(AppLoadError, match="no app.py or main.py"):
        load_app(None, app_dir=tmp_path)


def test_real_process_prints_no_traceback(
    run_nexios: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    completed = run_nexios(["run", "missing_mod:app"], cwd=tmp_path)
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.count("\n") == 1
    assert completed.stderr.startswith("Error: Could not import 'missing_mod'")


def test_file_shadowed_by_an_already_loaded_module_is_named(
    invoke: Callable[..., Result], write_module: Callable[..., Path]
) -> None:
    path = write_module("site", nexios_app("shadowed"))  # `site` is imported by Python at start-up
    assert_one_line_error(invoke(["urls", "site:app"]), f"{path} is shadowed by the module 'site'", "rename")
