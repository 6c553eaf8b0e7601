"""Templates (``nexios.templating``): one engine per app, ``response.render``, autoescaping of
hostile context values, ``url_for`` and CSRF fields, template errors as 500s that name the
template in the log (and on the debug page only), missing templates naming the search path, and
upstream's ``TemplateEngine``/``render``/``template_context`` API."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

import nexios.templating
from nexios import MakeConfig, get_application
from nexios.middleware.csrf import CSRFMiddleware
from nexios.session.middleware import SessionMiddleware
from nexios.templating import TemplateConfig, TemplateEngine, TemplateRenderError, render
from nexios.templating.middleware import template_context
from nexios.testclient import TestClient
from nexios_core import ImproperlyConfigured

TEMPLATES = Path(__file__).parent / "templates_fixture"
HOSTILE = '<script>alert("x")</script>" onmouseover="steal()'


def build(**engine_options: Any) -> Any:
    app = get_application(config=MakeConfig({"secret_key": "s" * 32}))
    engine = TemplateEngine(directory=TEMPLATES, custom_filters={"shout": str.upper},
                            custom_globals={"site": "Books"}, **engine_options)

    @engine.context_processor
    async def greet(request: Any) -> dict[str, str]:
        return {"greeting": f"hello from {request.url.path}"}

    app.install(engine)

    @app.get("/profile/{user_id:int}", name="profile")
    async def profile(request: Any, response: Any, user_id: int) -> Any:
        name = request.query_params.get("name", "Ada")
        return await response.render("profile.html", {"name": name, "bio": name, "user_id": user_id})

    @app.get("/page/{name}")
    async def page(request: Any, response: Any, name: str) -> Any:
        return await response.render(f"{name}", {"name": HOSTILE, "rows": range(3)})

    return app


def test_render_with_inheritance_filters_globals_processors_and_url_for() -> None:
    with TestClient(build()) as client:
        answer = client.get("/profile/7")
    assert answer.status_code == 200 and answer.headers["content-type"] == "text/html; charset=utf-8"
    text = answer.text
    assert "<title>Books</title>" in text and "<h1>Ada</h1>" in text and "<p>ADA hello from /profile/7</p>" in text
    assert '<a href="/profile/7">Ada</a>' in text


@pytest.mark.parametrize("enable_async", [True, False])
def test_every_context_value_is_escaped_in_html_templates(enable_async: bool) -> None:
    with TestClient(build(enable_async=enable_async)) as client:
        text = client.get("/profile/1", params={"name": HOSTILE}).text
    assert "<script>" not in text and 'onmouseover="steal()"' not in text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&#34; onmouseover=&#34;steal()" in text
    assert 'alt="&lt;script&gt;' in text  # in an attribute too


def test_a_text_template_is_not_html_escaped() -> None:
    with TestClient(build()) as client:
        assert client.get("/page/notes.txt").text.strip() == HOSTILE


def test_csrf_input_puts_a_working_token_in_a_form() -> None:
    app = build()
    app.add_middleware(SessionMiddleware())
    app.add_middleware(CSRFMiddleware())

    @app.post("/form")
    async def submit(request: Any, response: Any) -> Any:
        return {"title": (await request.form)["title"]}

    with TestClient(app) as client:
        page = client.get("/page/form.html").text
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        assert client.post("/form", data={"title": "x"}).status_code == 403
        assert client.post("/form", data={"title": "x", "csrf_token": token}).json() == {"title": "x"}


@pytest.mark.parametrize(("template", "line", "source"), [
    ("broken.html", 2, "{{ missing.attribute }}"), ("syntax.html", 2, "{% if %}"),
])
def test_a_template_error_is_a_500_that_names_the_template_in_the_log_only(
    caplog: pytest.LogCaptureFixture, template: str, line: int, source: str
) -> None:
    with caplog.at_level(logging.ERROR), TestClient(build(), raise_server_exceptions=False) as client:
        answer = client.get(f"/page/{template}", headers={"accept": "text/html"})
    assert answer.status_code == 500 and answer.json()["detail"] == "Internal Server Error"
    assert template not in answer.text and source not in answer.text
    assert f"Error in template '{template}', line {line}" in caplog.text and source in caplog.text


def test_debug_mode_shows_the_template_name_line_and_source() -> None:
    app = build()
    app.debug = True
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/page/broken.html", headers={"accept": "text/html"})
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "Error in template &#x27;broken.html&#x27;, line 2" in page.text
    assert "{{ missing.attribute }}" in page.text


def test_a_missing_template_names_the_directories_searched(caplog: pytest.LogCaptureFixture) -> None:
    app = build()
    app.debug = True
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/page/nowhere.html", headers={"accept": "application/json"})
    assert answer.status_code == 500
    assert f"Template 'nowhere.html' not found in {TEMPLATES.resolve()}" in answer.json()["error"]


def test_a_missing_directory_fails_at_install_and_rendering_needs_an_engine(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with pytest.raises(ImproperlyConfigured, match="does not exist"):
        get_application().install(TemplateEngine(directory=TEMPLATES / "nope"))
    app = get_application()

    @app.get("/")
    async def index(request: Any, response: Any) -> Any:
        return await response.render("profile.html")

    with caplog.at_level(logging.ERROR), TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/").status_code == 500
    assert "response.render() needs a template engine for this app: app.install(TemplateEngine(" in caplog.text


def test_each_app_renders_with_its_own_engine(tmp_path: Path) -> None:
    (tmp_path / "profile.html").write_text("other app: {{ name }}")
    first, second = build(), get_application()
    second.install(TemplateEngine(directory=tmp_path))

    @second.get("/")
    async def index(request: Any, response: Any) -> Any:
        return await response.render("profile.html", {"name": "Grace"})

    with TestClient(first) as one, TestClient(second) as two:
        assert "<h1>Ada</h1>" in one.get("/profile/1").text
        assert two.get("/").text == "other app: Grace"


@pytest.mark.anyio
async def test_upstream_engine_render_and_template_context(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = TemplateEngine()
    engine.setup_environment(TemplateConfig(template_dir=str(TEMPLATES), custom_globals={"site": "Up"},
                                            custom_filters={"shout": str.upper}))
    assert await engine.render("notes.txt", {"name": "plain"}) == "plain"
    app = get_application()  # no engine installed: render() falls back on the one set up last
    app.add_middleware(template_context({"site": "Shared", "bio": "from defaults"},
                                        context_processor=lambda request: {"greeting": "hi"}))

    @app.get("/")
    async def index(request: Any, response: Any) -> Any:
        return await render("profile.html", {"name": "Ada", "bio": "mine", "user_id": 1}, request=request,
                            headers={"x-upstream": "1"})

    app.add_route("/p/{user_id:int}", index, name="profile")
    with TestClient(app) as client:
        answer = client.get("/")
    assert answer.headers.get("x-upstream") == "1", answer.text
    # upstream lets request.state.template_context win over the handler's context
    assert "<title>Shared</title>" in answer.text and "from defaults" in answer.text and "hi" in answer.text
    monkeypatch.setattr(nexios.templating, "_last_engine", None)
    with pytest.raises(NotImplementedError, match="No template engine"):
        await render("profile.html")
    with pytest.raises(TemplateRenderError, match="broken.html"):
        await engine.render("broken.html")


def test_an_engine_without_settings_reads_the_apps_templating_config() -> None:
    app = get_application(config=MakeConfig({"templating": {"template_dir": str(TEMPLATES),
                                                              "custom_globals": {"site": "From config"}}}))
    app.install(TemplateEngine())

    @app.get("/")
    async def index(request: Any, response: Any) -> Any:
        return await response.render("base.html")

    with TestClient(app) as client:
        assert "<title>From config</title>" in client.get("/").text
    with pytest.raises(ImproperlyConfigured, match="templating section"):
        get_application(config=MakeConfig({"templating": {"directory": "x"}})).install(TemplateEngine())


@pytest.mark.parametrize("name", ["../test_templating.py", "/etc/passwd", "..\\..\\x.html", "base.html/../../x"])
def test_a_template_name_cannot_climb_out_of_the_directories(name: str) -> None:
    import jinja2

    engine = TemplateEngine(directory=TEMPLATES)
    with pytest.raises(jinja2.TemplateNotFound, match="not found in"):
        engine.get_template(name)


@pytest.mark.anyio
async def test_a_missing_include_names_the_including_template_its_line_and_the_search_path(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text("<p>top</p>\n{% include 'ghost.html' %}\n")
    engine = TemplateEngine(directory=tmp_path)
    with pytest.raises(TemplateRenderError) as failed:
        await engine.render("page.html")
    message = str(failed.value)
    assert "Error in template 'page.html', line 2: TemplateNotFound" in message
    assert "ghost.html" in message and str(tmp_path) in message


@pytest.mark.parametrize("section", [TemplateConfig(template_dir=str(TEMPLATES)), {"template_dir": str(TEMPLATES)}],
                         ids=["TemplateConfig", "mapping"])
@pytest.mark.parametrize("setup", ["install", "setup_environment"])
def test_upstream_setups_read_the_templating_section_of_the_config(section: Any, setup: str) -> None:
    # Upstream: MakeConfig({"templating": TemplateConfig(...)}) then TemplateEngine().setup_environment().
    app = get_application(config=MakeConfig({"templating": section}))
    engine = TemplateEngine()
    if setup == "install":
        app.install(engine)
    else:
        engine.setup_environment()
    assert engine.search_path() == [TEMPLATES.resolve()]

    @app.get("/")
    async def index(request: Any, response: Any) -> Any:
        return await render("notes.txt", {"name": "from the config's directory"}, request=request)

    with TestClient(app) as client:
        assert client.get("/").text.strip() == "from the config's directory"
    with pytest.raises(ImproperlyConfigured, match="templating section is a str"):
        get_application(config=MakeConfig({"templating": "templates"})).install(TemplateEngine())
