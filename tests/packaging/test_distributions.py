"""The eight distributions build, install on their own, and install together as `nexios[all]`.

These run real builds (`python -m build`, isolated) and real installs into fresh virtual
environments, the way a user gets Nexios, so they take tens of seconds.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DISTRIBUTIONS = {
    "nexios-core": "nexios_core",
    "nexios-routing": "nexios_routing",
    "nexios-di": "nexios_di",
    "nexios-session": "nexios_session",
    "nexios-auth": "nexios_auth",
    "nexios-openapi": "nexios_openapi",
    "nexios-cli": "nexios_cli",
    "nexios": "nexios",
}
VERSION = "4.0.0.dev1"

CORE_ONLY_APP = """
import asyncio, json, sys
from nexios_core.app import App
from nexios_core.dispatch import HandlerDispatcher

async def handler(request, response):
    return {"path": request.path, "q": request.query_params.get("q")}

app = App(dispatcher=HandlerDispatcher(http=handler))

async def main():
    sent = []
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}
    async def send(message):
        sent.append(message)
    scope = {"type": "http", "method": "GET", "path": "/hello", "query_string": b"q=1",
             "headers": [], "scheme": "http", "root_path": ""}
    await app(scope, receive, send)
    siblings = sorted(m for m in sys.modules if m.startswith("nexios") and m.split(".")[0] != "nexios_core")
    import nexios_core.channels, nexios_core.ratelimit  # no redis needed until a Redis layer is used
    try:
        import nexios_core.redis_channels
        redis_hint = "imported"
    except ImportError as exc:
        redis_hint = str(exc)
    print(json.dumps({"status": sent[0]["status"], "body": sent[1]["body"].decode(), "siblings": siblings,
                      "redis": redis_hint}))

asyncio.run(main())
"""


SESSION_AND_AUTH_APP = """
import asyncio, json, sys
from nexios_core.app import App
from nexios_core.config import MakeConfig
from nexios_core.dispatch import HandlerDispatcher
from nexios_session import SessionMiddleware
from nexios_auth import AuthenticationMiddleware, SimpleUser, login
from nexios_auth.backends.session import SessionAuthBackend

async def handler(request, response):
    if request.path == "/login":
        await login(request, SimpleUser("ada"))
        return {"logged_in": True}
    return {"user": request.user.username if request.user else None}

app = App(MakeConfig({"secret_key": "packaging-test-secret"}), dispatcher=HandlerDispatcher(http=handler))
app.add_middleware(SessionMiddleware())
app.add_middleware(AuthenticationMiddleware(backend=SessionAuthBackend(lambda uid: SimpleUser(uid))))

async def call(path, cookie=None):
    sent = []
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}
    async def send(message):
        sent.append(message)
    headers = [(b"host", b"testserver")] + ([(b"cookie", cookie.encode())] if cookie else [])
    await app({"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": headers,
               "scheme": "http", "root_path": ""}, receive, send)
    cookies = [v.decode() for k, v in sent[0]["headers"] if k == b"set-cookie"]
    return json.loads(sent[1]["body"]), cookies

async def main():
    anonymous, _ = await call("/me")
    _, cookies = await call("/login")
    session_cookie = cookies[0].split(";")[0]
    known, _ = await call("/me", session_cookie)
    print(json.dumps({"anonymous": anonymous, "known": known,
                      "facade_loaded": "nexios" in sys.modules}))

asyncio.run(main())
"""


CORE_APP_WITH_DOCS = """
import asyncio, json, sys
from nexios_core.app import App
from nexios_routing import Router
from nexios_openapi import OpenAPI

router = Router()

@router.get("/items/{item_id:int}")
async def item(request, response, item_id: int) -> dict[str, int]:
    return {"item_id": item_id}

app = App(dispatcher=router)
OpenAPI(title="Core only", version="1").setup(app)

async def get(path):
    sent = []
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}
    async def send(message):
        sent.append(message)
    await app({"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": [],
               "scheme": "http", "root_path": ""}, receive, send)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body

async def main():
    _, document = await get("/openapi.json")
    docs_status, page = await get("/docs")
    bundle_status, bundle = await get("/docs-assets/swagger-ui/swagger-ui-bundle.js")
    redoc_status, redoc = await get("/docs-assets/redoc/redoc.standalone.js")
    print(json.dumps({"paths": list(json.loads(document)["paths"]), "docs": docs_status,
                      "page_links_bundle": b"swagger-ui-bundle.js" in page,
                      "bundle": [bundle_status, len(bundle) > 1_000_000],
                      "redoc": [redoc_status, len(redoc) > 500_000],
                      "facade_loaded": "nexios" in sys.modules}))

asyncio.run(main())
"""


def run(*command: str, cwd: Path | None = None) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheels")
    for dist in DISTRIBUTIONS:
        run(sys.executable, "-m", "build", "--wheel", "--installer", "uv", "--outdir", str(out),
            str(ROOT / "packages" / dist))
    return out


def fresh_venv(path: Path) -> Path:
    run(sys.executable, "-m", "uv", "venv", "--quiet", "--python", sys.executable, str(path))
    return path / "bin" / "python"


def test_every_distribution_builds_a_typed_wheel_with_the_shared_version(wheelhouse: Path) -> None:
    for dist, package in DISTRIBUTIONS.items():
        wheels = list(wheelhouse.glob(f"{dist.replace('-', '_')}-{VERSION}-*.whl"))
        assert len(wheels) == 1, f"no wheel for {dist}: {sorted(p.name for p in wheelhouse.iterdir())}"
        names = zipfile.ZipFile(wheels[0]).namelist()
        assert f"{package}/py.typed" in names
        assert f"{package}/__init__.py" in names


def test_nexios_core_alone_serves_an_app_and_imports_no_sibling(wheelhouse: Path, tmp_path: Path) -> None:
    python = fresh_venv(tmp_path / "core-only")
    core_wheel = next(wheelhouse.glob("nexios_core-*.whl"))
    run(sys.executable, "-m", "uv", "pip", "install", "--quiet", "--python", str(python), str(core_wheel))
    installed = run(sys.executable, "-m", "uv", "pip", "list", "--python", str(python))
    assert "nexios-routing" not in installed and "nexios-di" not in installed
    outcome = json.loads(run(str(python), "-c", CORE_ONLY_APP))
    assert outcome == {"status": 200, "body": '{"path":"/hello","q":"1"}', "siblings": [],
                       "redis": "The Redis channel layer needs the redis package: pip install 'nexios-core[redis]'"}


def test_session_and_auth_work_with_nexios_core_only(wheelhouse: Path, tmp_path: Path) -> None:
    python = fresh_venv(tmp_path / "session-auth")
    wheels = [str(next(wheelhouse.glob(f"{name}-*.whl"))) for name in
              ("nexios_core", "nexios_session", "nexios_auth")]
    run(sys.executable, "-m", "uv", "pip", "install", "--quiet", "--python", str(python), *wheels)
    installed = run(sys.executable, "-m", "uv", "pip", "list", "--python", str(python))
    assert "nexios-routing" not in installed and "\nnexios " not in installed
    outcome = json.loads(run(str(python), "-c", SESSION_AND_AUTH_APP))
    assert outcome == {"anonymous": {"user": None}, "known": {"user": "ada"}, "facade_loaded": False}


def test_nexios_all_installs_from_the_built_wheels(wheelhouse: Path, tmp_path: Path) -> None:
    python = fresh_venv(tmp_path / "everything")
    # --prerelease: 4.0.0.dev1 must win over the older `nexios` releases on the package index.
    run(sys.executable, "-m", "uv", "pip", "install", "--quiet", "--python", str(python),
        "--prerelease", "allow", "--find-links", str(wheelhouse), f"nexios[all]=={VERSION}")
    report = run(str(python), "-c", (
        "import importlib.metadata as m, json, nexios, nexios_session.redis, nexios_auth, jwt, redis, orjson,"
        " nexios_core.redis_channels, nexios_core.ratelimit.redis_store;"
        f"print(json.dumps({{d: m.version(d) for d in {list(DISTRIBUTIONS)!r}}}))"
    ))
    assert json.loads(report) == {dist: VERSION for dist in DISTRIBUTIONS}


def test_openapi_wheel_bundles_the_docs_files_and_serves_them_without_the_facade(wheelhouse: Path,
                                                                               tmp_path: Path) -> None:
    wheel = next(wheelhouse.glob("nexios_openapi-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for bundled in ("swagger-ui/swagger-ui-bundle.js", "swagger-ui/swagger-ui.css", "swagger-ui/LICENSE",
                    "redoc/redoc.standalone.js", "redoc/LICENSE", "scalar/standalone.js", "VERSIONS.json"):
        assert f"nexios_openapi/vendor/{bundled}" in names, bundled
    assert "nexios_openapi/static/swagger-init.js" in names
    python = fresh_venv(tmp_path / "core-openapi")
    wheels = [str(next(wheelhouse.glob(f"{name}-*.whl"))) for name in
              ("nexios_core", "nexios_routing", "nexios_di", "nexios_openapi")]
    run(sys.executable, "-m", "uv", "pip", "install", "--quiet", "--python", str(python), *wheels)
    installed = run(sys.executable, "-m", "uv", "pip", "list", "--python", str(python))
    assert "nexios-auth" not in installed and "\nnexios " not in installed
    outcome = json.loads(run(str(python), "-c", CORE_APP_WITH_DOCS))
    assert outcome == {"paths": ["/items/{item_id}"], "docs": 200, "page_links_bundle": True,
                       "bundle": [200, True], "redoc": [200, True], "facade_loaded": False}
