"""The core's public contract (DESIGN.md §7), checked on the source of every package.

**Rule A: siblings use the core only through its public API.** Every ``nexios_*`` package other
than the core, the ``nexios`` facade and the example plugins under ``examples/plugins/`` import
core names only as

- ``from nexios_core import name`` with ``name`` in ``nexios_core.__all__`` (or naming a public
  submodule), or
- ``from nexios_core.sub import name`` where ``nexios_core.sub`` is one of the public submodules
  the ``nexios_core`` docstring lists, and ``name`` is in that submodule's ``__all__``.

``import nexios_core.sub``, an attribute ``nexios_core.name`` outside ``__all__``, and a string
naming a private module (``importlib.import_module("nexios_core.app")``) are refused the same
way. Type-checking-only imports count: they are API use all the same.

**Rule B: no module reads the private attributes of another module's objects.** In every package
(the core included), ``obj._name`` (or ``getattr(obj, "_name")``, ``hasattr``, ``setattr``,
``delattr``) is refused when:

- ``_name`` has one leading underscore or two, and is not a dunder (``__name__`` is fine);
- the receiver is not ``self``, ``cls`` or ``super()``: a subclass using the underscore members
  its base class documents for subclasses is Python's "protected" convention, and is allowed;
- this module does not define ``_name`` itself (as a function, class, or method name, as an
  assignment target, as ``self._name = ...``, in ``__slots__``, or through
  ``setattr(self, "_name", ...)``): reading a private member of another instance of a class of
  this same module is the class's own business;
- some *other* module of our packages defines ``_name``: the attribute belongs to one of our
  classes (or modules), not to the standard library or a third-party package, whose private
  names are a portability question, not a layering one.

The rule is name-based, so it errs on the lenient side: a module that defines ``_data`` for a
class of its own may still read another class's ``_data`` unnoticed. It never reports a name the
module defines. The fix for a report is a named, documented method (or property) of the class
that owns the state; where speed needs a shortcut it carries a ``PERF:`` note.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import nexios_core

ROOT = Path(__file__).resolve().parents[2]
CORE = "nexios_core"
SIBLING_SOURCES = sorted(
    path for path in (ROOT / "packages").glob("*/src/*") if path.is_dir() and path.name != CORE
) + sorted((ROOT / "examples" / "plugins").glob("*/src/*"))
ALL_SOURCES = sorted(path for path in (ROOT / "packages").glob("*/src/*") if path.is_dir())
PRIVATE_ACCESSORS = {"getattr", "hasattr", "setattr", "delattr"}
MODULE_PATH = re.compile(r"nexios_core(\.[A-Za-z_]\w*)+")


def public_submodules() -> list[str]:
    """The submodules the ``nexios_core`` docstring lists under "Public submodules"."""
    doc = nexios_core.__doc__ or ""
    section = doc.split("Public submodules", 1)[1].split("\n\n", 2)[1]
    return re.findall(r"``(nexios_core(?:\.\w+)+)``", section)


def python_files(roots: list[Path]) -> Iterator[tuple[str, ast.Module]]:
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            yield str(path.relative_to(ROOT)), ast.parse(path.read_text(encoding="utf-8"), str(path))


def docstring_nodes(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


# ---------------------------------------------------------------------------------------- rule A
def import_violations(tree: ast.Module, where: str, exported: set[str], public: dict[str, set[str]]) -> list[str]:
    found = []
    docstrings = docstring_nodes(tree)
    for node in ast.walk(tree):
        line = f"{where}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            module = node.module
            if module != CORE and not module.startswith(CORE + "."):
                continue
            if module != CORE and module not in public:
                names = ", ".join(alias.name for alias in node.names)
                found.append(f"{line}: from {module} import {names} (not a public submodule)")
                continue
            # `from nexios_core import testclient` names a public submodule: as good as its path.
            allowed = exported | {name.split(".")[1] for name in public} if module == CORE else public[module]
            for alias in node.names:
                if alias.name != "*" and alias.name not in allowed:
                    found.append(f"{line}: from {module} import {alias.name} (not in {module}.__all__)")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(CORE + ".") and alias.name not in public:
                    found.append(f"{line}: import {alias.name} (not a public submodule)")
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == CORE
              and node.attr not in exported and f"{CORE}.{node.attr}" not in public):
            found.append(f"{line}: {CORE}.{node.attr} (not in {CORE}.__all__)")
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
              and MODULE_PATH.fullmatch(node.value) and node.value not in public):
            found.append(f"{line}: {node.value!r} names a private module")
    return found


def test_nexios_core_all_lists_names_that_resolve_once_each() -> None:
    names = nexios_core.__all__
    assert len(names) == len(set(names)), sorted(name for name in names if names.count(name) > 1)
    missing = [name for name in names if not hasattr(nexios_core, name)]
    assert missing == []


def test_documented_public_submodules_exist_and_declare_their_api() -> None:
    modules = public_submodules()
    assert "nexios_core.testclient" in modules  # the docstring's list was found
    for name in modules:
        module = importlib.import_module(name)
        exported = getattr(module, "__all__", None)
        assert exported, f"{name} is documented as public but has no __all__"
        assert [item for item in exported if not hasattr(module, item)] == [], name


def test_siblings_import_only_the_public_api_of_nexios_core() -> None:
    exported = set(nexios_core.__all__)
    public = {name: set(importlib.import_module(name).__all__) for name in public_submodules()}
    found = []
    for where, tree in python_files(SIBLING_SOURCES):
        found += import_violations(tree, where, exported, public)
    assert found == [], "\n".join(["Imports of nexios_core outside its public API:", *found])


def test_rule_a_catches_each_kind_of_private_import() -> None:
    source = textwrap.dedent('''
        """Mentions "nexios_core.app" in a docstring, which is fine."""
        import nexios_core.app
        import nexios_core.testclient
        from nexios_core import App, Secret, testclient, forms
        from nexios_core.request import Request
        from nexios_core.testclient import TestClient, _build_scope
        x = nexios_core.set_current_app
        y = importlib.import_module("nexios_core.forms")
    ''')
    public = {"nexios_core.testclient": {"TestClient"}}
    found = import_violations(ast.parse(source), "m.py", {"App"}, public)
    assert [entry.split(": ", 1)[1] for entry in found] == [
        "import nexios_core.app (not a public submodule)",
        "from nexios_core import Secret (not in nexios_core.__all__)",
        "from nexios_core import forms (not in nexios_core.__all__)",
        "from nexios_core.request import Request (not a public submodule)",
        "from nexios_core.testclient import _build_scope (not in nexios_core.testclient.__all__)",
        "nexios_core.set_current_app (not in nexios_core.__all__)",
        "'nexios_core.forms' names a private module",
    ]


# ---------------------------------------------------------------------------------------- rule B
def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def is_own(receiver: ast.expr) -> bool:
    if isinstance(receiver, ast.Name):
        return receiver.id in ("self", "cls")
    return isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name) and receiver.func.id == "super"


def defined_names(tree: ast.Module) -> set[str]:
    """The private names ``tree`` defines (see the module docstring)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and is_own(node.value):
            names.add(node.attr)
        elif isinstance(node, ast.Call) and len(node.args) >= 2 and is_own(node.args[0]):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if called in ("setattr", "__setattr__") and isinstance(node.args[1], ast.Constant):
                names.add(str(node.args[1].value))
        elif isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__slots__" for target in node.targets
        ):
            names.update(str(item.value) for item in ast.walk(node.value) if isinstance(item, ast.Constant))
    return {name for name in names if is_private(name)}


def private_reads(tree: ast.Module) -> Iterator[tuple[int, str, str]]:
    """``(line, receiver, name)`` for every private attribute used on something not ``self``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_private(node.attr) and not is_own(node.value):
            yield node.lineno, ast.unparse(node.value), node.attr
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in PRIVATE_ACCESSORS
              and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
              and isinstance(node.args[1].value, str) and is_private(node.args[1].value)
              and not is_own(node.args[0])):
            yield node.lineno, ast.unparse(node.args[0]), node.args[1].value


def private_attribute_violations(modules: dict[str, ast.Module]) -> list[str]:
    defined = {where: defined_names(tree) for where, tree in modules.items()}
    found = set()
    for where, tree in modules.items():
        for line, receiver, name in private_reads(tree):
            if name in defined[where]:
                continue
            owners = sorted(other for other, names in defined.items() if name in names and other != where)
            if owners:
                found.add((where, line, f"{receiver}.{name} (defined in {', '.join(owners)})"))
    return [f"{where}:{line}: {what}" for where, line, what in sorted(found)]


def test_no_module_reads_private_attributes_of_another_modules_objects() -> None:
    found = private_attribute_violations(dict(python_files(ALL_SOURCES)))
    assert found == [], "\n".join(["Private attributes read outside the module that owns them:", *found])


def test_rule_b_reports_foreign_private_reads_only() -> None:
    owner = ast.parse(textwrap.dedent('''
        class Response:
            __slots__ = ("_body",)
            def __init__(self):
                self._delegate = None
                setattr(self, "_produced", None)
            def _encode(self): ...
    '''))
    reader = ast.parse(textwrap.dedent('''
        import zlib
        class Local:
            def __init__(self):
                self._own = 1
            def same_class(self, other):
                return other._own                         # this module's own attribute: fine
            def base(self):
                return self._delegate, super()._encode()  # a base class's protected member: fine
        def send(response, compressor: zlib._Compress):  # the standard library's: not ours
            response.__class__                            # a dunder: fine
            response._delegate                            # refused
            getattr(response, "_produced", None)          # refused
            return response._body, response._encode()    # refused twice
    '''))
    found = private_attribute_violations({"responses.py": owner, "app.py": reader})
    assert [entry.split(": ", 1)[1] for entry in found] == [
        "response._delegate (defined in responses.py)",
        "response._produced (defined in responses.py)",
        "response._body (defined in responses.py)",
        "response._encode (defined in responses.py)",
    ]


# ---------------------------------------------------------------------------------------- importing
def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)


def test_importing_nexios_core_loads_no_app_and_no_optional_dependency() -> None:
    result = run_python("""
        import json, sys
        import nexios_core
        loaded = sorted(m for m in sys.modules if m.startswith("nexios_core."))
        heavy = [m for m in ("httpx", "redis", "anyio", "python_multipart") if m in sys.modules]
        app = nexios_core.App  # imported on first use
        print(json.dumps([loaded, heavy, app.__module__, "nexios_core.app" in sys.modules]))
    """)
    assert result.returncode == 0, result.stderr
    loaded, heavy, app_module, app_loaded = json.loads(result.stdout)
    assert "nexios_core.app" not in loaded and "nexios_core.request" not in loaded, loaded
    assert heavy == []
    assert (app_module, app_loaded) == ("nexios_core.app", True)


def test_star_import_of_nexios_core_needs_no_optional_extra() -> None:
    # The test client (httpx) and Redis names live in documented submodules, not in __all__:
    # `from nexios_core import *` must work in an install without the extras.
    result = run_python("""
        import sys

        class Blocker:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("httpx", "redis", "orjson"):
                    raise ModuleNotFoundError(f"No module named {name!r}")
                return None

        sys.meta_path.insert(0, Blocker())
        from nexios_core import *
        print(App.__name__, Plugin.__name__, SessionBackend.__name__)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["App", "Plugin", "SessionBackend"]


@pytest.mark.parametrize("module", ["nexios_session", "nexios_auth"])
def test_moved_seams_are_the_core_protocols(module: str) -> None:
    # One definition each: the sibling re-exports the core's protocol, so isinstance checks and
    # type annotations agree whichever path a plugin imports from.
    sibling = importlib.import_module(module)
    names = {"nexios_session": ["SessionBackend", "CookieSessionBackend"],
             "nexios_auth": ["AuthenticationBackend", "AuthResult"]}[module]
    for name in names:
        assert getattr(sibling, name) is getattr(nexios_core, name), name
