"""Finding and checking plugins: ``app.install(plugin)`` and the ``nexios.plugins`` entry points.

A distribution registers its plugin in its ``pyproject.toml``::

    [project.entry-points."nexios.plugins"]
    request-timing = "nexios_request_timing:RequestTimingPlugin"

The entry point names the plugin (its ``name`` must be the entry point's name) and refers either
to a plugin object or to a callable taking no arguments that returns one (the plugin class, when
its options all have defaults). Discovery is opt-in, per app: nothing installed in the
environment runs unless the app calls ``app.install_entry_point_plugins()``.
"""

from __future__ import annotations

import importlib.metadata
import inspect
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .exceptions import ImproperlyConfigured
from .interfaces import Plugin

if TYPE_CHECKING:
    from .app import App

ENTRY_POINT_GROUP = "nexios.plugins"
"""The entry-point group installed distributions register their plugins under."""


class PluginError(ImproperlyConfigured):
    """A plugin that cannot be loaded or installed. The message names the plugin and, for one
    found through an entry point, the distribution that provides it."""


def check_plugin(candidate: Any, origin: str = "") -> Plugin:
    """``candidate`` if it is a plugin (a non-empty str ``name`` and a callable ``setup``); else a
    :class:`PluginError` saying what is missing. ``origin`` says where it came from."""
    if isinstance(candidate, type):
        raise PluginError(
            f"{candidate.__qualname__}{origin} is a class: install an instance, "
            f"app.install({candidate.__qualname__}(...))"
        )
    name = getattr(candidate, "name", None)
    if not isinstance(name, str) or not name:
        raise PluginError(f"{candidate!r}{origin} is not a plugin: it needs a non-empty str attribute 'name'")
    setup = getattr(candidate, "setup", None)
    if not callable(setup):
        raise PluginError(f"Plugin {name!r}{origin} is not a plugin: it needs a method setup(app)")
    if inspect.iscoroutinefunction(setup):
        # Called without await, it would do nothing at all (and warn only when collected).
        raise PluginError(
            f"Plugin {name!r}{origin} has an async setup(app): make it a plain method, and put the work "
            "that awaits in a start-up hook it registers (app.on_startup(...))"
        )
    return candidate  # type: ignore[no-any-return]


def _distribution_of(entry_point: importlib.metadata.EntryPoint) -> str:
    dist = entry_point.dist
    if dist is None:  # pragma: no cover - entry points from importlib always carry theirs
        return "an unknown distribution"
    return f"distribution {dist.name!r} {dist.version}"


def origin_of(entry_point: importlib.metadata.EntryPoint) -> str:
    """`` (entry point 'x' = 'module:attr' of distribution 'd' 1.0)``: for error messages."""
    return f" (entry point {entry_point.name!r} = {entry_point.value!r} of {_distribution_of(entry_point)})"


def find_entry_points(only: Iterable[str] | None = None, exclude: Iterable[str] = ()) -> list[
    importlib.metadata.EntryPoint
]:
    """The ``nexios.plugins`` entry points to load, nothing imported yet.

    ``only`` lists the plugins wanted, in the order they are to be installed (middleware added
    by an earlier plugin runs first); a name no installed distribution registers is an error.
    Without it, every registered plugin, ordered by name. ``exclude`` leaves plugins out.
    """
    by_name: dict[str, importlib.metadata.EntryPoint] = {}
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        seen = by_name.get(entry_point.name)
        if seen is not None and seen.value != entry_point.value:
            raise PluginError(
                f"Two installed distributions register a plugin named {entry_point.name!r}: "
                f"{_distribution_of(seen)} and {_distribution_of(entry_point)}; uninstall one"
            )
        by_name[entry_point.name] = entry_point
    excluded = set(_names(exclude, "exclude"))
    if only is None:
        return [by_name[name] for name in sorted(by_name) if name not in excluded]
    wanted = _names(only, "only")
    missing = [name for name in wanted if name not in by_name]
    if missing:
        available = ", ".join(repr(name) for name in sorted(by_name)) or "none"
        raise PluginError(
            f"No installed distribution registers the plugin(s) {', '.join(map(repr, missing))} under the "
            f"{ENTRY_POINT_GROUP!r} entry points (installed: {available}); pip install the plugin's "
            "distribution or fix the name"
        )
    return [by_name[name] for name in dict.fromkeys(wanted) if name not in excluded]


def load_entry_point(entry_point: importlib.metadata.EntryPoint) -> Plugin:
    """Import the plugin an entry point names (calling it when it is a factory) and check it."""
    origin = origin_of(entry_point)
    try:
        loaded = entry_point.load()
    except Exception as exc:
        raise PluginError(f"Plugin {entry_point.name!r} failed to load{origin}: {type(exc).__name__}: {exc}") from exc
    if isinstance(loaded, type) or not isinstance(loaded, Plugin):
        if not callable(loaded):
            raise PluginError(f"Plugin {entry_point.name!r}{origin} is neither a plugin nor a factory of one")
        try:
            loaded = loaded()
        except Exception as exc:
            raise PluginError(
                f"Plugin {entry_point.name!r} could not be created{origin}: {type(exc).__name__}: {exc}"
            ) from exc
    plugin = check_plugin(loaded, origin)
    if plugin.name != entry_point.name:
        raise PluginError(
            f"Plugin {entry_point.name!r}{origin} is named {plugin.name!r}: an entry point's name "
            "must be the name of the plugin it loads"
        )
    return plugin


def install_discovered(app: App, only: Iterable[str] | None = None, exclude: Iterable[str] = ()) -> list[Plugin]:
    """What ``app.install_entry_point_plugins()`` does: load every selected plugin first (so a
    broken one installs none), then install them in order. A plugin that cannot be installed (its
    ``setup`` fails, its name is taken) raises a :class:`PluginError` naming its distribution,
    chained to the original error."""
    loaded = [(entry_point, load_entry_point(entry_point)) for entry_point in find_entry_points(only, exclude)]
    for entry_point, plugin in loaded:
        try:
            app.install(plugin)
        except Exception as exc:
            raise PluginError(
                f"Plugin {entry_point.name!r} could not be installed{origin_of(entry_point)}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
    return [plugin for _, plugin in loaded]


def _names(names: Iterable[str], argument: str) -> list[str]:
    if isinstance(names, str):  # only="timing" would otherwise select 't', 'i', 'm'...
        raise TypeError(f"{argument}= takes a list of plugin names, e.g. {argument}=[{names!r}]")
    return list(names)


__all__ = ["ENTRY_POINT_GROUP", "PluginError", "check_plugin", "find_entry_points", "install_discovered",
           "load_entry_point", "origin_of"]
