"""The facade application: ``get_application()`` defaults, ``MakeConfig``, and the bundled
middleware added the documented ways."""

from __future__ import annotations

from typing import Any

import pytest

from nexios import MakeConfig, NexiosApp, Router, get_application
from nexios.config import get_config, set_config
from nexios.middleware import CORSMiddleware

pytestmark = pytest.mark.anyio

ORIGIN = "https://app.example.com"


# ------------------------------------------------------------------ get_application
def test_get_application_defaults() -> None:
    app = get_application()
    assert isinstance(app, NexiosApp)
    assert app.debug is False
    assert isinstance(app.router, Router)
    assert isinstance(app.config, MakeConfig)
    assert app.title == "Nexios API"
    assert app.version == "1.0.0"
    assert app.routes == []


def test_get_application_passes_options_through() -> None:
    app = get_application(title="Shop", version="2.1", description="Sells things", debug=True)
    assert (app.title, app.version, app.description, app.debug) == ("Shop", "2.1", "Sells things", True)


def test_debug_can_come_from_the_config() -> None:
    app = get_application(config=MakeConfig({"debug": True}))
    assert app.debug is True
    assert get_application(config={"debug": False}).debug is False


async def test_default_app_hides_error_details(client_for: Any) -> None:
    app = get_application()

    @app.get("/boom")
    async def boom(request: Any, response: Any) -> Any:
        raise RuntimeError("secret database password in message")

    async with client_for(app) as client:
        answer = await client.get("/boom", headers={"accept": "text/html"})
    assert answer.status_code == 500
    assert "secret" not in answer.text
    assert "Traceback" not in answer.text


async def test_app_state_and_config_are_reachable_from_handlers(client_for: Any) -> None:
    app = get_application(config=MakeConfig({"feature": {"enabled": True}}))
    app.state.greeting = "hello"

    @app.get("/state")
    async def state(request: Any, response: Any) -> Any:
        return {"greeting": request.app.state.greeting, "enabled": request.app.config.feature.enabled}

    async with client_for(app) as client:
        answer = await client.get("/state")
    assert answer.json() == {"greeting": "hello", "enabled": True}


def test_test_client_drives_the_app_and_its_lifespan() -> None:
    from nexios.testclient import TestClient

    events: list[str] = []
    app = get_application()

    @app.on_startup
    async def started() -> None:
        events.append("startup")

    @app.on_shutdown
    async def stopped() -> None:
        events.append("shutdown")

    @app.get("/items/{item_id:int}")
    async def item(request: Any, response: Any, item_id: int) -> Any:
        return {"item_id": item_id}

    with TestClient(app) as client:
        assert events == ["startup"]
        assert client.get("/items/5").json() == {"item_id": 5}
        assert client.get("/items/x").status_code == 404
    assert events == ["startup", "shutdown"]


# ------------------------------------------------------------------ MakeConfig
def test_make_config_attribute_and_item_access() -> None:
    config = MakeConfig({"debug": True, "secret_key": "k"}, port=8000)
    assert config.debug is True
    assert config["secret_key"] == "k"
    assert config.port == 8000
    assert config.missing is None  # optional sections can be tested without try/except
    with pytest.raises(KeyError):
        config["missing"]
    assert config.get("missing", "fallback") == "fallback"


def test_make_config_nests_mappings() -> None:
    config = MakeConfig({"cors": {"allow_origins": [ORIGIN], "extra": {"deep": 1}}})
    assert isinstance(config.cors, MakeConfig)
    assert config.cors.allow_origins == [ORIGIN]
    assert config["cors"]["extra"]["deep"] == 1
    assert config.cors.extra.deep == 1
    assert config.to_dict() == {"cors": {"allow_origins": [ORIGIN], "extra": {"deep": 1}}}


def test_make_config_assignment_wraps_new_mappings() -> None:
    config = MakeConfig()
    config.session = {"cookie_name": "sid"}
    config["limits"] = {"body": 10}
    assert config.session.cookie_name == "sid"
    assert config.limits.body == 10
    assert set(config) == {"session", "limits"}
    assert len(config) == 2


def test_app_config_becomes_the_process_config() -> None:
    config = MakeConfig({"secret_key": "abc"})
    app = NexiosApp(config=config)
    assert app.config is config
    assert get_config() is config
    replaced = set_config({"secret_key": "other"})
    assert get_config() is replaced
    assert get_config().secret_key == "other"


# ------------------------------------------------------------------ CORS the documented ways
def _cors_app(app: NexiosApp) -> NexiosApp:
    @app.get("/data")
    async def data(request: Any, response: Any) -> Any:
        return {"ok": True}

    return app


async def _assert_cors_allowed(client_for: Any, app: NexiosApp) -> None:
    async with client_for(app) as client:
        allowed = await client.get("/data", headers={"origin": ORIGIN})
        refused = await client.get("/data", headers={"origin": "https://evil.example"})
        preflight = await client.options(
            "/data", headers={"origin": ORIGIN, "access-control-request-method": "GET"}
        )
    assert allowed.json() == {"ok": True}
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert refused.json() == {"ok": True}
    assert "access-control-allow-origin" not in refused.headers
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ORIGIN


async def test_cors_middleware_instance_reads_config_cors(client_for: Any) -> None:
    app = _cors_app(NexiosApp(config=MakeConfig({"cors": {"allow_origins": [ORIGIN]}})))
    app.add_middleware(CORSMiddleware())
    await _assert_cors_allowed(client_for, app)


async def test_cors_middleware_class_with_options(client_for: Any) -> None:
    app = _cors_app(NexiosApp())
    app.add_middleware(CORSMiddleware, allow_origins=[ORIGIN])
    await _assert_cors_allowed(client_for, app)


async def test_cors_middleware_instance_with_options(client_for: Any) -> None:
    app = _cors_app(NexiosApp())
    app.add_middleware(CORSMiddleware(allow_origins=[ORIGIN]))
    await _assert_cors_allowed(client_for, app)


async def test_cors_without_config_or_options_adds_nothing(client_for: Any) -> None:
    app = _cors_app(NexiosApp())
    app.add_middleware(CORSMiddleware())
    async with client_for(app) as client:
        answer = await client.get("/data", headers={"origin": ORIGIN})
    assert answer.json() == {"ok": True}
    assert "access-control-allow-origin" not in answer.headers


async def test_cors_reads_its_own_apps_config_when_another_app_was_created_later(
    client_for: Any,
) -> None:
    app = _cors_app(NexiosApp(config=MakeConfig({"cors": {"allow_origins": [ORIGIN]}})))
    app.add_middleware(CORSMiddleware())
    NexiosApp()  # e.g. a second app in the same process, or a sub-app to mount
    await _assert_cors_allowed(client_for, app)
