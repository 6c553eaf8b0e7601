"""The docs pages: served by default, configurable and off with one option, every file from the
installed package, a strict Content-Security-Policy with no inline script, links that work under
a mount prefix, and clear failures for a path clash or missing files."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from nexios import get_application
from nexios.openapi import OpenAPI
from nexios.openapi.config import OpenAPIConfig
from nexios.testclient import TestClient
from nexios_core.app import App
from nexios_core.exceptions import ImproperlyConfigured
from nexios_openapi import _pages

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S)


def page_scripts(html: str) -> list[tuple[str, str]]:
    return SCRIPT_TAG.findall(html)


def linked(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_docs_are_on_by_default_with_every_file_local() -> None:
    http = TestClient(get_application(title="Demo"))
    for page in ("/docs", "/redoc"):
        answer = http.get(page)
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "text/html; charset=utf-8"
        assert "<title>Demo</title>" in answer.text
        for url in linked(answer.text):
            if url.startswith("data:"):
                continue
            assert not url.startswith(("http:", "https:", "//")), url
            asset = http.get(f"/{url}")
            assert asset.status_code == 200, url
            assert asset.headers["x-content-type-options"] == "nosniff"
    assert http.get("/docs-assets/swagger-ui/swagger-ui-bundle.js").headers["content-type"] == (
        "text/javascript; charset=utf-8")
    assert http.get("/docs-assets/swagger-ui/swagger-ui.css").headers["content-type"] == "text/css; charset=utf-8"
    assert http.get("/scalar").status_code == 404  # Scalar is opt-in


def test_pages_have_a_strict_policy_and_no_inline_script() -> None:
    http = TestClient(get_application(openapi=OpenAPI(scalar_url="/scalar")))
    for page in ("/docs", "/redoc", "/scalar", "/docs/oauth2-redirect"):
        answer = http.get(page)
        policy = dict(part.strip().split(" ", 1) for part in answer.headers["content-security-policy"].split(";"))
        assert policy["default-src"] == "'none'"
        assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval', no host
        assert policy["connect-src"] == "'self'" and policy["base-uri"] == "'none'"
        assert policy["frame-ancestors"] == "'self'"
        assert answer.headers["x-content-type-options"] == "nosniff"
        for attributes, body in page_scripts(answer.text):
            # Every script is a file of the app, or a JSON data block browsers never execute.
            assert ('src="' in attributes and not body.strip()) or 'type="application/json"' in attributes
    assert "style-src 'self';" in http.get("/docs").headers["content-security-policy"]
    assert "worker-src 'self' blob:" in http.get("/redoc").headers["content-security-policy"]


def test_the_settings_block_cannot_be_closed_by_a_value() -> None:
    hostile = "</script><script>alert(1)</script>"
    app = get_application(title=hostile, openapi=OpenAPI(swagger_ui_parameters={"docExpansion": hostile}))
    html = TestClient(app).get("/docs").text
    assert "<script>alert(1)" not in html
    [(_, data)] = [(a, b) for a, b in page_scripts(html) if "application/json" in a]
    assert json.loads(data)["parameters"] == {"docExpansion": hostile}


def test_servers_of_the_document_may_be_reached_from_try_it_out() -> None:
    app = get_application(config={"openapi": {"servers": [{"url": "https://api.example.com/v1"}]}})
    assert "connect-src 'self' https://api.example.com;" in TestClient(app).get("/docs").headers[
        "content-security-policy"]


def test_a_server_url_cannot_widen_the_policy(caplog: pytest.LogCaptureFixture) -> None:
    # A server URL reaches the Content-Security-Policy as an origin: one that is not a plain
    # host (a ";" would start a directive of its own, as script-src-elem, which browsers check
    # before script-src) is left out, with a warning; plain ones are kept, in lower case.
    servers = [{"url": "https://api.example.com;script-src-elem * 'unsafe-inline'"},
               {"url": "https://{region}.example.com"}, {"url": "http://a b.example.com"},
               {"url": "https://h.example.com:99999"}, {"url": "javascript:alert(1)"},
               {"url": "https://user:secret@Ok.Example.com:8443/v1"}, {"url": "http://[::1]:8000"},
               {"url": "/relative"}]
    app = get_application(openapi=OpenAPI(OpenAPIConfig(servers=servers), scalar_url="/scalar"))
    http = TestClient(app)
    for page in ("/docs", "/redoc", "/scalar"):
        policy = http.get(page).headers["content-security-policy"]
        directives = [part.strip().split(" ", 1)[0] for part in policy.split(";")]
        assert len(directives) == len(set(directives)) and "script-src-elem" not in directives, policy
        assert "connect-src 'self' http://[::1]:8000 https://ok.example.com:8443;" in policy
        assert "secret" not in policy and "unsafe-inline' " not in policy.split("script-src", 1)[1].split(";")[0]
    for url in ("script-src-elem", "{region}", "a b.example.com", ":99999", "javascript:"):
        assert url in caplog.text, url
    assert "/relative" not in caplog.text


def test_urls_are_configurable_and_links_are_relative_to_the_page() -> None:
    app = get_application(openapi=OpenAPI(openapi_url="/api/schema.json", docs_url="/api/v1/docs", redoc_url=None,
                                          scalar_url="/reference", assets_url="/static/docs"))
    http = TestClient(app)
    assert http.get("/docs").status_code == 404 and http.get("/redoc").status_code == 404
    page = http.get("/api/v1/docs").text
    assert 'src="../../static/docs/swagger-ui/swagger-ui-bundle.js"' in page
    [(_, data)] = [(a, b) for a, b in page_scripts(page) if "application/json" in a]
    assert json.loads(data)["openapiUrl"] == "../schema.json"
    assert http.get("/api/schema.json").json()["openapi"] == "3.1.0"
    assert http.get("/static/docs/scalar/standalone.js").status_code == 200
    # The same relative links work when the whole app is mounted under a prefix.
    mounted = TestClient(app, root_path="/gateway")
    assert mounted.get("/api/v1/docs").text == page


def test_one_option_turns_everything_off() -> None:
    app = get_application(openapi=False)
    http = TestClient(app)
    for path in ("/openapi.json", "/docs", "/redoc", "/docs-assets/swagger-init.js"):
        assert http.get(path).status_code == 404
    assert app.openapi()["openapi"] == "3.1.0"  # the document can still be built (nexios openapi)
    no_document = get_application(openapi=OpenAPI(openapi_url=None))
    assert TestClient(no_document).get("/docs").status_code == 404


def test_upstream_config_section_names_the_urls() -> None:
    app = get_application(config={"openapi": {"title": "From config", "version": "9", "swagger_url": "/swagger",
                                              "redoc_url": None, "openapi_url": "/spec.json"}})
    http = TestClient(app)
    assert http.get("/swagger").status_code == 200 and http.get("/redoc").status_code == 404
    assert http.get("/spec.json").json()["info"] == {"title": "From config", "version": "9"}


def test_a_url_the_user_chose_must_be_free() -> None:
    app = get_application(openapi=OpenAPI(redoc_url="/reference"))

    @app.get("/reference/")
    async def mine(request: Any, response: Any) -> str:
        return "mine"

    with pytest.raises(ImproperlyConfigured, match=r"GET /reference.*redoc_url="):
        app.build()


def test_default_urls_give_way_to_the_apps_own_routes(caplog: pytest.LogCaptureFixture) -> None:
    app = get_application()

    @app.get("/docs")
    async def my_docs(request: Any, response: Any) -> str:
        return "my own docs"

    @app.get("/redoc/")
    async def my_redoc(request: Any, response: Any) -> str:
        return "my own redoc"

    http = TestClient(app)
    assert http.get("/docs").text == "my own docs"
    assert http.get("/redoc", follow_redirects=True).text == "my own redoc"
    assert http.get("/openapi.json").status_code == 200  # the rest is served
    assert "GET /docs is a route of the app" in caplog.text and "docs_url=" in caplog.text


def test_bad_urls_are_refused_when_configured() -> None:
    with pytest.raises(ImproperlyConfigured, match="docs_url='docs'"):
        OpenAPI(docs_url="docs")
    with pytest.raises(ImproperlyConfigured, match="plain path"):
        OpenAPI(openapi_url="/{x}.json")


def test_unknown_and_traversing_asset_paths_are_404() -> None:
    http = TestClient(get_application())
    for path in ("/docs-assets/nope.js", "/docs-assets/%2e%2e/%2e%2e/etc/passwd", "/docs-assets/..%2fplugin.py",
                 "/docs-assets/swagger-ui/LICENSE", "/docs-assets/"):
        assert http.get(path).status_code in (404, 307), path


def test_assets_revalidate_with_their_etag() -> None:
    http = TestClient(get_application())
    first = http.get("/docs-assets/redoc/redoc.standalone.js")
    assert first.headers["cache-control"] == "no-cache"
    again = http.get("/docs-assets/redoc/redoc.standalone.js", headers={"if-none-match": first.headers["etag"]})
    assert (again.status_code, again.content) == (304, b"")


def test_missing_browser_files_give_a_page_that_says_how_to_fix_it(monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    gone = tuple(_pages.Asset(asset.url_path, tmp_path / "missing.js") for asset in _pages.SWAGGER_ASSETS)
    monkeypatch.setattr("nexios_openapi.plugin.SWAGGER_ASSETS", gone)
    answer = TestClient(get_application()).get("/docs")
    assert answer.status_code == 200
    assert "reinstall it" in answer.text and "<script src" not in answer.text
    assert "missing.js" in caplog.text


def test_a_core_app_with_a_router_serves_the_docs() -> None:
    from nexios_routing import Router

    router = Router()

    @router.get("/items/{item_id:int}")
    async def item(request: Any, response: Any, item_id: int) -> dict[str, int]:
        return {"item_id": item_id}

    app = App(dispatcher=router)
    docs = OpenAPI(title="Core", version="1")
    docs.setup(app)
    docs.setup(app)  # idempotent
    http = TestClient(app)
    assert http.get("/openapi.json").json()["paths"]["/items/{item_id}"]["get"]["operationId"] == "item"
    assert http.get("/docs").status_code == 200
    with pytest.raises(ImproperlyConfigured, match="one per app"):
        docs.setup(App(dispatcher=Router()))


def test_the_object_models_are_imported_only_when_the_document_is_built() -> None:
    # Defining them builds some forty pydantic models (about 2.4 MiB of RSS and a third of a
    # second at start-up, measured with bench/nexios_app.py): an app whose docs nobody fetches
    # never needs them.
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from nexios import NexiosApp\n"
        "from nexios.testclient import TestClient\n"
        "app = NexiosApp()\n"
        "@app.get('/x')\n"
        "async def x(request, response):\n"
        "    return 'x'\n"
        "with TestClient(app) as client:\n"
        "    assert client.get('/x').text == 'x'\n"
        "    assert client.get('/docs').status_code == 200\n"
        "    print('nexios_openapi.models' in sys.modules)\n"
        "    assert '/x' in client.get('/openapi.json').json()['paths']\n"
        "    print('nexios_openapi.models' in sys.modules)\n"
        "from nexios_openapi import Contact\n"
        "print(Contact(name='a').name)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True", "a"]
