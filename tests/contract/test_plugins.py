"""Plugins: ``app.install(plugin)``, ``app.plugins``, and discovery through the ``nexios.plugins``
entry points of distributions really installed on ``sys.path`` (a module and its ``.dist-info``
written to a temporary directory, which is what an installed wheel leaves behind)."""

from __future__ import annotations

import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest

from nexios_core import (
    ENTRY_POINT_GROUP,
    App,
    CallNext,
    HandlerDispatcher,
    ImproperlyConfigured,
    Plugin,
    PluginError,
    Request,
    Response,
)
from nexios_core.testclient import TestClient


class Stamp:
    """A plugin adding a response header and a start-up hook."""

    def __init__(self, value: str = "1", name: str = "stamp") -> None:
        self.name = name
        self.value = value
        self.started = False

    def setup(self, app: App) -> None:
        async def stamp(request: Request, response: Response, call_next: CallNext) -> Any:
            outgoing = await call_next()
            outgoing.headers["x-stamp"] = self.value
            return outgoing

        app.add_middleware(stamp)
        app.on_startup(self.start)

    def start(self) -> None:
        self.started = True


class AsyncSetup:
    name = "async"

    async def setup(self, app: App) -> None:  # would never run: install() does not await
        app.state.ran = True


def make_app() -> App:
    async def hello(request: Request, response: Response) -> Any:
        return {"hello": True}

    return App(dispatcher=HandlerDispatcher(http=hello))


def test_an_installed_plugin_sets_the_app_up_at_once_and_is_listed() -> None:
    app = make_app()
    plugin = Stamp("yes")
    assert isinstance(plugin, Plugin)
    assert app.install(plugin) is plugin
    assert dict(app.plugins) == {"stamp": plugin}
    assert len(app.http_middleware) == 1  # setup ran at install time
    with TestClient(app) as client:
        assert plugin.started  # its start-up work ran with the lifespan
        assert client.get("/").headers["x-stamp"] == "yes"


def test_a_second_plugin_with_the_same_name_is_refused_before_its_setup_runs() -> None:
    app = make_app()
    first = app.install(Stamp("first"))
    with pytest.raises(PluginError, match="A plugin named 'stamp' is already installed"):
        app.install(Stamp("second"))
    assert dict(app.plugins) == {"stamp": first} and len(app.http_middleware) == 1
    app.install(Stamp("other", name="stamp-2"))
    assert list(app.plugins) == ["stamp", "stamp-2"]
    with pytest.raises(TypeError):
        app.plugins["x"] = first  # type: ignore[index]  # a read-only view


@pytest.mark.parametrize(("candidate", "message"), [
    (Stamp, "Stamp is a class: install an instance, app.install(Stamp(...))"),
    (object(), "needs a non-empty str attribute 'name'"),
    (type("Nameless", (), {"name": "", "setup": lambda self, app: None})(), "non-empty str attribute 'name'"),
    (type("NoSetup", (), {"name": "x"})(), "Plugin 'x' is not a plugin: it needs a method setup(app)"),
    (AsyncSetup(), "Plugin 'async' has an async setup(app): make it a plain method"),
])
def test_what_is_not_a_plugin_is_refused_with_what_it_lacks(candidate: Any, message: str) -> None:
    with pytest.raises(PluginError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make_app().install(candidate)
    assert issubclass(PluginError, ImproperlyConfigured)


def test_a_plugin_whose_setup_fails_is_not_listed_and_can_be_installed_once_fixed() -> None:
    class Picky:
        name = "picky"

        def setup(self, app: App) -> None:
            if not app.config.get("picky_ready"):
                raise ImproperlyConfigured("Set config picky_ready=True")

    app = make_app()
    with pytest.raises(ImproperlyConfigured, match="picky_ready"):
        app.install(Picky())
    assert dict(app.plugins) == {}
    app.config.picky_ready = True
    app.install(Picky())
    assert list(app.plugins) == ["picky"]


# ---------------------------------------------------------------------------------------- entry points
@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``site(dist, {entry point: target}, module_source)``: install a distribution whose module
    (named after the distribution, made unique) holds ``module_source``. Returns the module name."""
    monkeypatch.syspath_prepend(str(tmp_path))
    made: list[str] = []

    def install(dist: str, entry_points: dict[str, str], source: str) -> str:
        module = f"{dist.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
        (tmp_path / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        info = tmp_path / f"{dist.replace('-', '_')}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n", encoding="utf-8")
        lines = [f"[{ENTRY_POINT_GROUP}]"] + [
            f"{name} = {target.format(module=module)}" for name, target in entry_points.items()
        ]
        (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        made.append(module)
        return module

    yield install
    for module in made:
        sys.modules.pop(module, None)


PLUGIN_MODULE = """
    class Greeter:
        def __init__(self, name="greeter"):
            self.name = name

        def setup(self, app):
            app.state.greeted_by = self.name

    instance = Greeter("greeter-instance")
"""


def test_entry_point_plugins_are_installed_only_when_the_app_asks(site: Any) -> None:
    module = site("contract-greeter", {"greeter": "{module}:Greeter",
                                       "greeter-instance": "{module}:instance"}, PLUGIN_MODULE)
    app = make_app()
    assert dict(app.plugins) == {} and module not in sys.modules  # nothing discovered by itself
    installed = app.install_entry_point_plugins(only=["greeter-instance", "greeter"])
    assert [plugin.name for plugin in installed] == ["greeter-instance", "greeter"]  # in the order asked
    assert list(app.plugins) == ["greeter-instance", "greeter"]
    assert app.state.greeted_by == "greeter"
    other = make_app()
    everything = [plugin.name for plugin in other.install_entry_point_plugins()]
    assert [name for name in everything if name.startswith("greeter")] == ["greeter", "greeter-instance"]
    assert [plugin.name for plugin in make_app().install_entry_point_plugins(only=["greeter"])] == ["greeter"]


def test_a_plugin_that_fails_to_import_names_its_distribution(site: Any) -> None:
    site("contract-broken", {"broken": "{module}:Plugin"}, "raise RuntimeError('missing setting FOO')\n")
    app = make_app()
    with pytest.raises(PluginError) as failure:
        app.install_entry_point_plugins(only=["broken"])
    message = str(failure.value)
    assert "Plugin 'broken' failed to load" in message
    assert "distribution 'contract-broken' 1.0" in message and "RuntimeError: missing setting FOO" in message
    assert isinstance(failure.value.__cause__, RuntimeError)
    assert dict(app.plugins) == {}


def test_a_plugin_whose_setup_fails_during_discovery_names_its_distribution(site: Any) -> None:
    site("contract-failing", {"failing": "{module}:Failing", "fine": "{module}:Fine"}, """
        class Failing:
            name = "failing"
            def setup(self, app):
                raise ValueError("no database URL")

        class Fine:
            name = "fine"
            def setup(self, app):
                pass
    """)
    app = make_app()
    with pytest.raises(PluginError, match=r"Plugin 'failing' could not be installed \(entry point 'failing'"
                                          r".*'contract-failing' 1.0\): ValueError: no database URL"):
        app.install_entry_point_plugins(only=["fine", "failing"])
    assert list(app.plugins) == ["fine"]


def test_discovery_mistakes_are_explained(site: Any) -> None:
    site("contract-misnamed", {"misnamed": "{module}:Greeter", "not-a-plugin": "{module}:VALUE"},
         PLUGIN_MODULE + "    VALUE = 3\n")
    app = make_app()
    with pytest.raises(PluginError, match="is named 'greeter': an entry point's name must be the name"):
        app.install_entry_point_plugins(only=["misnamed"])
    with pytest.raises(PluginError, match="'not-a-plugin'.* is neither a plugin nor a factory of one"):
        app.install_entry_point_plugins(only=["not-a-plugin"])
    with pytest.raises(PluginError, match=r"No installed distribution registers the plugin\(s\) 'absent'.*"
                                          r"installed: .*'misnamed'"):
        app.install_entry_point_plugins(only=["absent"])
    with pytest.raises(TypeError, match=r"only= takes a list of plugin names, e.g. only=\['misnamed'\]"):
        app.install_entry_point_plugins(only="misnamed")
    assert dict(app.plugins) == {}


def test_two_distributions_registering_one_plugin_name_are_refused(site: Any) -> None:
    site("contract-first", {"twin": "{module}:Greeter"}, PLUGIN_MODULE)
    site("contract-second", {"twin": "{module}:Greeter"}, PLUGIN_MODULE)
    with pytest.raises(PluginError, match="Two installed distributions register a plugin named 'twin'"):
        make_app().install_entry_point_plugins(only=["twin"])
