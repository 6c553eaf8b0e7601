"""One name for each thing in the implementation packages; upstream Nexios's other names live in
the facade's ``nexios._compat`` layer and at the documented import paths (DESIGN.md §7).

Checked two ways: on the source (no ``nexios_*`` package defines an upstream alias, spells a 2.x
settings key, or keeps a PEP 562 re-export of a name that moved), and by importing every
documented path and name (shared/API.md, its "Upstream surface" section included).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IMPLEMENTATION = sorted(
    path for path in (ROOT / "packages").glob("nexios-*/src/nexios_*") if path.is_dir()
)

ALIAS_NAMES = {
    "Routes", "WSRouter", "Depends", "GzipMiddleware", "NexiosResponse", "SecurityMiddleware",
    "BaseSessionInterface", "FileSessionInterface", "lazy_exports", "_CONFIG_ALIASES", "_ALIASES",
}
"""Upstream's second names: none may be defined (class, function or assignment) by a package."""

ALIAS_METHODS = {
    "nexios_routing.router": {"mount_ws_router", "register", "ws_route"},
    "nexios_session.session": {"set_session", "get_session", "delete_session", "get_all",
                               "get_expiration_time", "get_expiry_age", "is_empty"},
}
"""Method aliases each module once defined (``mount_ws_router = mount_router``...)."""

UPSTREAM_SETTING_KEYS = {
    "session_cookie_name", "session_cookie_secure", "session_expiration_time", "session_permanent",
    "session_file_name", "session_file_storage_path", "csrf_exempt_urls", "csrf_required_urls",
}
"""Upstream's settings keys: only the facade's translation may spell them."""


def _modules() -> list[tuple[str, ast.Module]]:
    found = []
    for root in IMPLEMENTATION:
        for path in sorted(root.rglob("*.py")):
            relative = path.relative_to(root.parent).with_suffix("")
            found.append((".".join(relative.parts), ast.parse(path.read_text(encoding="utf-8"))))
    return found


def _defined(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def _class_members(tree: ast.Module) -> set[str]:
    """Names defined directly in a class body: methods and class-level assignments."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    names.add(item.name)
                elif isinstance(item, ast.Assign):
                    names.update(target.id for target in item.targets if isinstance(target, ast.Name))
    return names


def _strings(tree: ast.Module) -> set[str]:
    return {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def test_the_implementation_packages_define_no_upstream_alias() -> None:
    modules = _modules()
    assert len(modules) > 100  # every package was read
    found = sorted(f"{name}: {alias}" for name, tree in modules for alias in _defined(tree) & ALIAS_NAMES)
    assert found == []


def test_the_implementation_packages_have_no_method_aliases() -> None:
    modules = dict(_modules())
    found = sorted(
        f"{module}.{method}"
        for module, methods in ALIAS_METHODS.items()
        for method in _class_members(modules[module]) & methods
    )
    assert found == []


def test_no_implementation_package_spells_an_upstream_settings_key() -> None:
    found = sorted(
        f"{name}: {key!r}" for name, tree in _modules() for key in _strings(tree) & UPSTREAM_SETTING_KEYS
    )
    assert found == []


@pytest.mark.parametrize("module_name", ["nexios_core.responses", "nexios_core.websocket", "nexios_core.channels"])
def test_modules_do_not_re_export_names_that_moved_out(module_name: str) -> None:
    # A PEP 562 `__getattr__` once served FileResponse, WebSocketConsumer, ChannelBox... from the
    # modules they moved out of. nexios_core's package root is the one place that lists them.
    module = importlib.import_module(module_name)
    assert "__getattr__" not in vars(module)
    for moved in ("FileResponse", "StreamingResponse", "WebSocketConsumer", "ChannelBox", "ConnectionTracker"):
        assert not hasattr(module, moved) or moved in vars(module)


def test_the_implementation_objects_are_reachable_only_by_their_own_names() -> None:
    import nexios_core
    import nexios_di
    import nexios_routing
    import nexios_session

    assert not hasattr(nexios_routing, "Routes") and not hasattr(nexios_routing, "WSRouter")
    assert not hasattr(nexios_routing.Router, "register") and not hasattr(nexios_routing.Router, "mount_ws_router")
    assert not hasattr(nexios_di, "Depends")
    assert not hasattr(nexios_session, "BaseSessionInterface")
    assert not hasattr(nexios_session.Session, "set_session")
    assert "GzipMiddleware" not in nexios_core.__all__


DOCUMENTED: dict[str, list[str]] = {
    "nexios": ["NexiosApp", "get_application", "Router", "Routes", "Group", "WSRouter", "Depend", "MakeConfig"],
    "nexios.routing": ["Router", "Routes", "WSRouter", "Group", "Route", "Mount", "WebSocketRoute"],
    "nexios.dependencies": ["Depend", "Depends", "Context"],
    "nexios.http.response": ["NexiosResponse", "Response", "BaseResponse", "FileResponse", "RedirectResponse"],
    "nexios.middleware": ["GzipMiddleware", "GZipMiddleware", "BaseMiddleware", "CORSMiddleware"],
    "nexios.middleware.gzip": ["GzipMiddleware", "GZipMiddleware"],
    "nexios.middleware.base": ["BaseMiddleware"],
    "nexios.middleware.cors": ["CORSMiddleware"],
    "nexios.middleware.csrf": ["CSRFMiddleware"],
    "nexios.session": ["SessionMiddleware", "BaseSessionInterface", "FileSessionInterface", "SignedSessionManager"],
    "nexios.session.base": ["BaseSessionInterface"],
    "nexios.session.middleware": ["SessionMiddleware"],
    "nexios.session.file": ["FileSessionManager", "FileSessionInterface"],
    "nexios.session.signed_cookies": ["SignedSessionManager"],
    "nexios.auth": ["SimpleUser", "UnauthenticatedUser", "AuthenticationMiddleware", "auth"],
    "nexios.auth.base": ["SimpleUser", "BaseUser"],
    "nexios.auth.backends.jwt": ["JWTAuthBackend", "create_jwt"],
    "nexios.config": ["MakeConfig", "get_config", "set_config", "DEFAULT_SERVER_CONFIG"],
    "nexios.config.base": ["MakeConfig", "DEFAULT_SERVER_CONFIG"],
    "nexios.static": ["StaticFiles"],
    "nexios.status": ["HTTP_200_OK", "HTTP_404_NOT_FOUND", "HTTP_422_UNPROCESSABLE_ENTITY", "WS_1008_POLICY_VIOLATION"],
    "nexios.structs": ["URL", "URLPath", "Secret", "MultiDict", "Headers", "State"],
    "nexios.testing": ["Client"],
    "nexios.logging": ["create_logger", "getLogger", "DEBUG"],
    "nexios.decorators": ["allowed_methods", "catch_exception"],
    "nexios.utils.concurrency": ["TaskGroup", "create_background_task", "AsyncLazy", "run_until_first_complete",
                                 "run_in_threadpool"],
    "nexios.websockets": ["WebSocketConsumer", "WebSocket"],
    "nexios.websockets.consumers": ["WebSocketConsumer"],
    "nexios.websockets.channels": ["Channel", "ChannelBox"],
}


@pytest.mark.parametrize(("module_name", "names"), sorted(DOCUMENTED.items()))
def test_every_documented_path_still_imports(module_name: str, names: list[str]) -> None:
    module = importlib.import_module(module_name)
    assert [name for name in names if not hasattr(module, name)] == []


def test_the_upstream_names_are_the_compat_layers_objects() -> None:
    import nexios_core
    import nexios_di
    import nexios_routing
    from nexios import Router as FacadeRouter
    from nexios._compat import names, routing
    from nexios.dependencies import Depends
    from nexios.http.response import NexiosResponse
    from nexios.middleware.gzip import GZipMiddleware, GzipMiddleware

    assert Depends is names.Depends is nexios_di.Depend
    assert NexiosResponse is names.NexiosResponse is nexios_core.Response
    assert GzipMiddleware is GZipMiddleware
    assert FacadeRouter is routing.Router and issubclass(FacadeRouter, nexios_routing.Router)
