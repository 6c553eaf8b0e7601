"""MakeConfig and the process-wide config."""

from __future__ import annotations

import pytest

from nexios import MakeConfig, get_application
from nexios_core.app import App
from nexios_core.config import get_config, set_config


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


def test_app_sets_the_process_wide_config_and_debug() -> None:
    app = get_application(config={"debug": False, "name": "one"})
    assert get_config() is app.config
    assert get_config().name == "one"
    assert app.debug is False
    app.debug = True
    assert app.config.debug is True
    other = App(MakeConfig(name="two"), debug=True)
    assert get_config().name == "two"
    assert other.debug is True
    assert app.config.name == "one"  # each app keeps its own config object


def test_set_config_accepts_a_mapping() -> None:
    config = set_config({"x": {"y": 1}})
    assert get_config() is config
    assert get_config().x.y == 1
    App()  # an app without config installs an empty one
    assert get_config().x is None
