"""Finding the ASGI app a command works on.

An app is named like uvicorn names it, ``module:attribute`` (dotted attributes allowed), with a few
conveniences: ``module:factory()`` calls a factory, ``path/to/file.py:attribute`` imports a file,
a bare ``module`` looks for ``app`` or ``application`` inside it, and no name at all looks for
``app.py`` then ``main.py`` in the app directory. Every failure is an :class:`AppLoadError` whose
message is one line saying what went wrong and what to do about it.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from nexios_core import App, ASGIApp

DEFAULT_MODULES = ("app", "main")
"""Modules looked for, in this order, when no app is named."""

DEFAULT_ATTRIBUTES = ("app", "application")
"""Attributes looked for, in this order, when a module is named without one."""

DEFAULT_FACTORIES = ("create_app", "make_app", "get_app")
"""Attributes looked for when ``--factory`` is given with a bare module."""


class AppLoadError(Exception):
    """The app could not be found, imported or used; ``str(error)`` is one actionable line."""


@dataclass(frozen=True)
class AppTarget:
    """Where an app lives, before anything is imported.

    ``module`` is importable once ``app_dir`` is on ``sys.path``; ``attribute`` is ``None`` when
    it is to be looked for; ``factory`` says whether the attribute is called to build the app.
    """

    module: str
    attribute: str | None
    factory: bool
    app_dir: Path


@dataclass(frozen=True)
class LocatedApp:
    """An imported module and the object named in it (the app, or its factory)."""

    module: ModuleType
    attribute: str
    target: Any
    factory: bool
    app_dir: Path

    @property
    def import_string(self) -> str:
        """``module:attribute``, as uvicorn imports it (the factory flag is passed separately)."""
        return f"{self.module.__name__}:{self.attribute}"

    @property
    def label(self) -> str:
        """How messages name the app: ``main:app`` or ``main:create_app()``."""
        return self.import_string + ("()" if self.factory else "")


@dataclass(frozen=True)
class LoadedApp:
    """A ready ASGI app, with the module it came from (the shell offers that module's names)."""

    app: ASGIApp
    module: ModuleType
    label: str


# -------------------------------------------------------------------- parsing the name
def parse_target(spec: str | None, app_dir: str | os.PathLike[str] = ".", factory: bool = False) -> AppTarget:
    """Turn the APP argument into an :class:`AppTarget` without importing anything."""
    directory = Path(app_dir).resolve()
    if not spec:
        return AppTarget(_detect_module(directory), None, factory, directory)
    module_part, attribute = _split_spec(spec)
    if attribute is not None and attribute.endswith("()"):
        attribute, factory = attribute[:-2], True
    if module_part.endswith(".py") or "/" in module_part or os.sep in module_part:
        module_part, directory = _module_from_file(module_part, directory)
    if not _is_dotted_name(module_part):
        raise AppLoadError(f"{module_part!r} is not a module name: name the app as module:attribute, e.g. main:app")
    if attribute is not None and not _is_dotted_name(attribute):
        raise AppLoadError(f"{attribute!r} is not an attribute name: name the app as module:attribute, e.g. main:app")
    return AppTarget(module_part, attribute, factory, directory)


def _split_spec(spec: str) -> tuple[str, str | None]:
    module_part, colon, attribute = spec.rpartition(":")
    if not colon:
        return spec, None
    # A Windows drive ("C:\\proj\\main.py") is not an attribute separator.
    if "/" in attribute or "\\" in attribute or attribute.endswith(".py"):
        return spec, None
    return module_part, attribute or None


def _is_dotted_name(name: str) -> bool:
    return bool(name) and all(part.isidentifier() for part in name.split("."))


def _detect_module(directory: Path) -> str:
    for name in DEFAULT_MODULES:
        if (directory / f"{name}.py").is_file() or (directory / name / "__init__.py").is_file():
            return name
    raise AppLoadError(
        f"No APP given and there is no app.py or main.py in {directory}: "
        "name the app as module:attribute (e.g. `nexios run myproject.main:app`) or use --app-dir"
    )


def _module_from_file(file_part: str, directory: Path) -> tuple[str, Path]:
    path = Path(file_part)
    path = (path if path.is_absolute() else directory / path).resolve()
    if not path.is_file():
        raise AppLoadError(f"No such file: {path}")
    if path.suffix != ".py":
        raise AppLoadError(f"{path} is not a Python file: name the app as module:attribute or file.py:attribute")
    if path.stem == "__init__":
        return path.parent.name, path.parent.parent
    return path.stem, path.parent


# -------------------------------------------------------------------- importing
def import_target_module(target: AppTarget) -> ModuleType:
    """Import ``target.module`` with ``target.app_dir`` first on ``sys.path``."""
    app_dir = str(target.app_dir)
    if app_dir not in sys.path:
        sys.path.insert(0, app_dir)
    try:
        module = importlib.import_module(target.module)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing and (target.module == missing or target.module.startswith(missing + ".")):
            raise AppLoadError(
                f"Could not import {target.module!r}: no such module in {target.app_dir} or on sys.path "
                "(run the command from your project directory, or pass --app-dir)"
            ) from None
        raise AppLoadError(f"Importing {target.module!r} failed: {describe_exception(exc)}") from None
    except Exception as exc:
        raise AppLoadError(f"Importing {target.module!r} failed: {describe_exception(exc)}") from None
    _refuse_shadowed(target)
    return module


def _refuse_shadowed(target: AppTarget) -> None:
    # "site.py" or "test.py" in the project loses to the standard library module of that name,
    # which was imported before the app directory was on sys.path: say so instead of reporting
    # a puzzling missing attribute.
    top_name = target.module.split(".")[0]
    top = sys.modules.get(top_name)
    local = [target.app_dir / f"{top_name}.py", target.app_dir / top_name / "__init__.py"]
    local_file = next((path for path in local if path.is_file()), None)
    loaded_file = getattr(top, "__file__", None)
    if local_file is None or loaded_file is None:
        return
    if Path(loaded_file).resolve() != local_file.resolve():
        raise AppLoadError(
            f"{local_file} is shadowed by the module {top_name!r} already loaded from {loaded_file}: rename your file"
        )


def describe_exception(exc: BaseException) -> str:
    """``Type: first line of the message (file, line N)``: enough to find the mistake, one line."""
    message = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {message[0]}" if message else type(exc).__name__
    location = _location(exc)
    return f"{text} ({location})" if location else text


def _location(exc: BaseException) -> str | None:
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"{exc.filename}, line {exc.lineno}"
    # The innermost frame in a real file is where the user's code went wrong; frames of
    # importlib itself live in "<frozen ...>" pseudo-files and say nothing useful.
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if not frame.filename.startswith("<")]
    if not frames:
        return None
    return f"{frames[-1].filename}, line {frames[-1].lineno}"


# -------------------------------------------------------------------- finding the object
def locate_app(spec: str | None, app_dir: str | os.PathLike[str] = ".", factory: bool = False) -> LocatedApp:
    """Import the module and find the app (or factory) in it, checking that it can serve.

    A factory is checked to be callable but not called, so a server that imports the app again
    in worker processes does not build it twice in this one.
    """
    target = parse_target(spec, app_dir, factory)
    module = import_target_module(target)
    attribute = target.attribute or _find_attribute(module, target.factory)
    found = _get_attribute(module, attribute)
    located = LocatedApp(module, attribute, found, target.factory, target.app_dir)
    if target.factory:
        if not callable(found):
            raise AppLoadError(f"{located.label} is a {type(found).__name__}, not a callable app factory")
    else:
        check_asgi_app(found, located.import_string)
    return located


def load_app(spec: str | None, app_dir: str | os.PathLike[str] = ".", factory: bool = False) -> LoadedApp:
    """Import and return the app named by ``spec`` (calling the factory if there is one)."""
    located = locate_app(spec, app_dir, factory)
    app = located.target
    if located.factory:
        try:
            app = located.target()
        except Exception as exc:
            raise AppLoadError(f"Calling {located.label} failed: {describe_exception(exc)}") from None
        if inspect.isawaitable(app):
            if inspect.iscoroutine(app):
                app.close()  # never awaited on purpose; closing it avoids a RuntimeWarning
            raise AppLoadError(f"{located.label} returned an awaitable: an app factory must be a plain function")
        check_asgi_app(app, f"The result of {located.label}")
    return LoadedApp(app, located.module, located.label)


def _find_attribute(module: ModuleType, factory: bool) -> str:
    names = DEFAULT_FACTORIES if factory else DEFAULT_ATTRIBUTES
    for name in names:
        if hasattr(module, name):
            return name
    apps = nexios_apps_in(module)
    if not factory and len(apps) == 1:
        return apps[0]
    where = f"{module.__name__} ({getattr(module, '__file__', None) or 'no file'})"
    if factory:
        raise AppLoadError(f"No {' or '.join(names)} in {where}: name the factory as {module.__name__}:NAME()")
    hint = f" (it has several apps: {', '.join(apps)})" if apps else ""
    raise AppLoadError(f"No app or application in {where}{hint}: name the app as {module.__name__}:NAME")


def _get_attribute(module: ModuleType, attribute: str) -> Any:
    found: Any = module
    for part in attribute.split("."):
        try:
            found = getattr(found, part)
        except AttributeError:
            apps = nexios_apps_in(module)
            hint = f"; apps in it: {', '.join(apps)}" if apps else ""
            raise AppLoadError(
                f"Module {module.__name__!r} ({getattr(module, '__file__', None) or 'no file'}) "
                f"has no attribute {attribute!r}{hint}"
            ) from None
        except Exception as exc:  # a property or module __getattr__ that fails
            raise AppLoadError(f"Reading {module.__name__}:{attribute} failed: {describe_exception(exc)}") from None
    return found


def nexios_apps_in(module: ModuleType) -> list[str]:
    """Names of the module's globals that are Nexios apps (for hints and auto-detection)."""
    return [name for name, value in vars(module).items() if not name.startswith("_") and isinstance(value, App)]


# -------------------------------------------------------------------- checking
def check_asgi_app(candidate: Any, label: str) -> None:
    """Raise :class:`AppLoadError` unless ``candidate`` can be called as ``app(scope, receive, send)``.

    Deliberately lenient: anything callable that is not obviously something else passes, because
    ASGI apps come as functions, instances with ``__call__``, partials and wrappers.
    """
    if isinstance(candidate, type):
        raise AppLoadError(
            f"{label} is a class, not an app: point at an instance, or pass --factory to instantiate it"
        )
    if isinstance(candidate, ModuleType):
        raise AppLoadError(f"{label} is a module, not an app: name the app inside it as module:attribute")
    if not callable(candidate):
        raise AppLoadError(
            f"{label} is a {type(candidate).__name__}, not an ASGI app (an app is called with scope, receive, send)"
        )
    if inspect.isfunction(candidate) or inspect.ismethod(candidate):
        required = _required_positional(candidate)
        if inspect.iscoroutinefunction(candidate):
            if _first_parameter(candidate) in _HANDLER_FIRST_PARAMETERS:
                raise AppLoadError(
                    f"{label} looks like a route handler, not an ASGI app: name the app it is registered on"
                )
            if required is not None and required != 3:
                raise AppLoadError(
                    f"{label} is an async function taking {required} argument(s), not an ASGI app "
                    "(an app takes scope, receive, send; route handlers are not apps)"
                )
        elif required == 0:
            raise AppLoadError(f"{label} takes no arguments, so it looks like an app factory: pass --factory")


# Route handlers take (request, response, ...) or (websocket, ...); ASGI apps take (scope, receive, send).
_HANDLER_FIRST_PARAMETERS = frozenset({"request", "req", "websocket", "ws"})


def _first_parameter(function: Any) -> str | None:
    try:
        return next(iter(inspect.signature(function).parameters), None)
    except (TypeError, ValueError):
        return None


def _required_positional(function: Any) -> int | None:
    """How many positional arguments ``function`` requires (None if it takes ``*args``)."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return None
    count = 0
    for parameter in parameters:
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            return None
        if parameter.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD) and (
            parameter.default is inspect.Parameter.empty
        ):
            count += 1
    return count


__all__ = [
    "DEFAULT_ATTRIBUTES",
    "DEFAULT_FACTORIES",
    "DEFAULT_MODULES",
    "AppLoadError",
    "AppTarget",
    "LoadedApp",
    "LocatedApp",
    "check_asgi_app",
    "describe_exception",
    "import_target_module",
    "load_app",
    "locate_app",
    "nexios_apps_in",
    "parse_target",
]
