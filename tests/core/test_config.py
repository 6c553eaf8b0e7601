"""MakeConfig, per-app configuration, and upstream's get_config()/set_config() accessors."""

from __future__ import annotations

from typing import Any

import pytest

from nexios import MakeConfig, get_application
from nexios_core.app import App


def test_attribute_and_item_access_with_nested_configs() -> None:
    config = MakeConfig({"debug": True, "cors": {"allow_origins": ["a"]}}, secret_key="s")
    assert config.debug is True
    assert config["secret_key"] == "s"
    assert isinstance(config.cors, MakeConfig)
    assert config.cors.allow_origins == ["a"]
    assert config.missing is None
    assert config.get("missing", 5) == 5
    with pytest.raises(KeyError):
        _ = config["missing"]
    config.session = {"cookie_name": "sid"}
    config["extra"] = 1
    assert config.session.cookie_name == "sid"
    assert config.to_dict() == {
        "debug": True, "cors": {"allow_origins": ["a"]}, "secret_key": "s",
        "session": {"cookie_name": "sid"}, "extra": 1,
    }
    assert len(config) == 5 and "debug" in config
    assert "MakeConfig(" in repr(config)
    with pytest.raises(AttributeError):
        _ = config.__wrapped__


def test_each_app_keeps_its_own_config_and_debug() -> None:
    app = get_application(config={"debug": False, "name": "one"})
    other = App(MakeConfig(name="two"), debug=True)
    assert app.config.name == "one" and app.debug is False
    assert other.config.name == "two" and other.debug is True
    app.debug = True
    assert app.config.debug is True


def test_the_core_has_no_process_wide_config() -> None:
    import nexios_core.config

    assert not hasattr(nexios_core.config, "get_config")
    assert not hasattr(nexios_core.config, "set_config")


@pytest.mark.anyio
async def test_two_apps_in_one_process_each_see_their_own_config_during_requests() -> None:
    """Regression (issue 11): the last app constructed used to win a process-wide config, so a
    handler, a session middleware or a mounted app could read another app's settings."""
    import httpx

    from nexios.config import get_config

    def build(name: str) -> Any:
        app = get_application(config={"secret_key": f"{name}-secret-key-long-enough!", "name": name})

        @app.get("/whoami")
        async def whoami(request: Any, response: Any) -> dict[str, Any]:
            return {"get_config": get_config().name, "app": request.app.config.name}

        return app

    first, second = build("first"), build("second")
    second.mount("/inner", first)
    for app, path, expected in ((first, "/whoami", "first"), (second, "/whoami", "second"),
                                (second, "/inner/whoami", "first")):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            answer = (await client.get(path)).json()
        assert answer == {"get_config": expected, "app": expected}, (path, answer)


def test_get_config_outside_a_request_is_the_latest_app_or_set_config() -> None:
    from nexios.config import get_config, set_config

    app = get_application(config={"name": "latest"})
    assert get_config() is app.config
    replaced = set_config({"x": {"y": 1}})
    assert get_config() is replaced and get_config().x.y == 1
    assert app.config.name == "latest"  # set_config never changes an app's own config
