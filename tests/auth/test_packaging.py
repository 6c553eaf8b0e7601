"""Layering: nexios-auth needs only nexios-core, and nexios-core imports none of its siblings."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import nexios_auth

ROOT = Path(__file__).resolve().parents[2]
AUTH_SOURCE = Path(nexios_auth.__file__).parent
SIBLINGS = ("nexios", "nexios_routing", "nexios_di", "nexios_session", "nexios_openapi", "nexios_cli",
            "nexios_auth")


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)


def test_importing_all_of_nexios_core_loads_no_sibling_package() -> None:
    result = run_python(f"""
        import importlib, pkgutil, sys
        import nexios_core
        for module in pkgutil.walk_packages(nexios_core.__path__, "nexios_core."):
            importlib.import_module(module.name)
        loaded = sorted(name for name in sys.modules if name.split(".")[0] in {SIBLINGS!r})
        print(loaded)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_nexios_auth_source_imports_only_nexios_core_among_siblings() -> None:
    offenders = []
    for path in AUTH_SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in SIBLINGS and top != "nexios_auth":
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_nexios_auth_works_with_only_nexios_core_installed() -> None:
    # Siblings and PyJWT are made unimportable, as in an environment with nexios-core and
    # nexios-auth (without the jwt extra) only. Then a whole request cycle runs on the core App.
    result = run_python("""
        import asyncio, sys

        class Blocker:
            blocked = ("nexios", "nexios_routing", "nexios_di", "nexios_session", "nexios_openapi",
                       "nexios_cli", "jwt")
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in self.blocked:
                    raise ModuleNotFoundError(f"No module named {name!r}")
                return None

        sys.meta_path.insert(0, Blocker())

        from nexios_auth import (APIKeyAuthBackend, AuthenticationMiddleware, CSRFMiddleware,
                                 SessionAuthBackend, SimpleUser, auth, login)
        from nexios_core.app import App
        from nexios_core.dispatch import HandlerDispatcher

        users = {1: SimpleUser("ada", ["admin"], id=1)}

        class Session(dict):
            def regenerate(self):
                self["rotated"] = True

        async def sessions(request, response, call_next):
            request.scope["session"] = Session()
            return await call_next()

        @auth(scopes=["admin"])
        async def handler(request, response):
            if request.method == "POST":
                await login(request, users[1])
            return {"user": request.user.display_name, "backend": request.auth.backend,
                    "session": dict(request.session)}

        app = App({"secret_key": "only-core"}, dispatcher=HandlerDispatcher(handler), middlewares=[
            sessions,
            CSRFMiddleware(),
            AuthenticationMiddleware(backends=[SessionAuthBackend(users.get),
                                               APIKeyAuthBackend(keys={"k": users[1]})]),
        ])

        async def request(method, headers):
            sent = []
            async def receive():
                return {"type": "http.request", "body": b"", "more_body": False}
            async def send(message):
                sent.append(message)
            scope = {"type": "http", "method": method, "path": "/", "raw_path": b"/",
                     "query_string": b"", "root_path": "", "scheme": "http", "http_version": "1.1",
                     "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
                     "client": ("127.0.0.1", 1), "server": ("testserver", 80)}
            await app(scope, receive, send)
            return sent[0]["status"], sent[1]["body"].decode()

        async def main():
            print(await request("GET", {}))
            print(await request("GET", {"x-api-key": "k"}))
            print(await request("POST", {"x-api-key": "k"}))
            import nexios_auth
            try:
                nexios_auth.JWTAuthBackend
            except ImportError as exc:
                print("jwt:", exc)
            loaded = sorted(name for name in sys.modules if name.split(".")[0] in Blocker.blocked)
            print(loaded)

        asyncio.run(main())
    """)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "(401, '{\"detail\":\"Authentication required\"}')"
    assert lines[1] == "(200, '{\"user\":\"ada\",\"backend\":\"apikey\",\"session\":{}}')"
    assert lines[2] == "(403, '{\"detail\":\"CSRF token missing or invalid\"}')"
    assert lines[3] == "jwt: JWT authentication needs PyJWT: install it with pip install 'nexios-auth[jwt]'"
    assert lines[4] == "[]"


def test_distribution_depends_on_nexios_core_only_with_pyjwt_as_an_extra() -> None:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    project = tomllib.loads((ROOT / "packages/nexios-auth/pyproject.toml").read_text())["project"]
    assert [dep.split("==")[0] for dep in project["dependencies"]] == ["nexios-core"]
    assert any(dep.lower().startswith("pyjwt") for dep in project["optional-dependencies"]["jwt"])
