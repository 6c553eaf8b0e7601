"""Upstream's configuration guide (``apps/config_guide.py``), and ``MakeConfig``'s upstream
options (defaults, validation, immutability, dotted keys, ``update``, ``to_json``)."""

from __future__ import annotations

import json

import pytest

from nexios.config import DEFAULT_SERVER_CONFIG, MakeConfig, set_config
from nexios.config.base import SERVER_VALIDATION
from nexios.testclient import TestClient
from tests.compat.apps import config_guide


def test_the_guide_app_reads_its_config_everywhere() -> None:
    assert (config_guide.app.config.port, config_guide.app.config.debug) == (8000, True)
    with TestClient(config_guide.app) as client:
        assert client.get("/config").json() == {"port": 8000, "debug": True}
    assert config_guide.seen_at_startup[-1] == 8000


def test_set_config_after_the_app_is_what_code_outside_requests_sees() -> None:
    from nexios.config import get_config

    replaced = set_config(MakeConfig({"port": 9000}))
    assert get_config() is replaced and get_config().port == 9000


def test_defaults_values_and_keywords_merge_in_that_order() -> None:
    config = MakeConfig({"port": 1, "db": {"host": "h"}}, defaults={"port": 0, "workers": 2}, debug=True)
    assert (config.port, config.workers, config.debug) == (1, 2, True)
    assert config["db.host"] == "h" and config["db.missing"] is None and config["nope.deeper"] is None
    assert config.missing is None
    with pytest.raises(KeyError):
        _ = config["missing"]  # a plain missing key is a KeyError, as for any mapping


def test_validation_runs_at_construction_and_on_every_set() -> None:
    check = {"port": lambda port: 0 < port < 65536}
    with pytest.raises(ValueError, match="port"):
        MakeConfig({"port": 0}, validate=check)
    config = MakeConfig({"port": 80}, validate=check)
    with pytest.raises(ValueError, match="port"):
        config.port = 70000
    with pytest.raises(ValueError, match="port"):
        config["port"] = -1
    assert config.port == 80


def test_an_immutable_config_refuses_every_change_nested_too() -> None:
    config = MakeConfig({"db": {"host": "h"}}, immutable=True)
    for change in (lambda: setattr(config, "x", 1), lambda: config.__setitem__("x", 1),
                   lambda: setattr(config.db, "host", "other"), lambda: config.update({"y": 2})):
        with pytest.raises(AttributeError, match="immutable"):
            change()
    assert config.to_dict() == {"db": {"host": "h"}}


def test_update_merges_sections_and_to_json() -> None:
    config = MakeConfig({"db": {"host": "h", "port": 5432}})
    config.update({"db": {"port": 6543}, "debug": False})
    assert config.to_dict() == {"db": {"host": "h", "port": 6543}, "debug": False}
    config.update({"db": {"user": "u"}}, recursive=False)
    assert config.db.to_dict() == {"user": "u"}
    assert json.loads(config.to_json()) == {"db": {"user": "u"}, "debug": False}


def test_default_server_config_comes_from_the_environment_and_validates() -> None:
    assert {"host", "port", "workers", "log_level", "reload"} <= set(DEFAULT_SERVER_CONFIG)
    checked = MakeConfig(dict(DEFAULT_SERVER_CONFIG), validate=SERVER_VALIDATION)
    assert checked.port == DEFAULT_SERVER_CONFIG["port"]
    with pytest.raises(ValueError, match="port"):
        MakeConfig({"port": 0}, validate=SERVER_VALIDATION)
