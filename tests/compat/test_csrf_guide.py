"""Upstream's CSRF guide (``apps/csrf_guide.py``) runs on the facade. Its ``csrf_required_urls``
is met by protecting every unsafe route (logged at start-up), unless the app opts out; settings
that would switch protection off without saying so refuse to start."""

from __future__ import annotations

import logging

import pytest

from nexios import get_application
from nexios.middleware.csrf import CSRFMiddleware
from nexios.testclient import TestClient
from nexios_core import ImproperlyConfigured
from tests.compat.apps import csrf_guide

HTTPS = "https://testserver"


def test_the_token_cookie_comes_with_any_page_and_the_upstream_header_passes_the_check() -> None:
    with TestClient(csrf_guide.app, base_url=HTTPS) as client:
        assert client.post("/api/submit", data={"data": "x"}).status_code == 403
        page = client.get("/api/csrf-token")
        cookie = page.headers["set-cookie"]
        assert cookie.startswith("csrftoken=") and "Secure" in cookie and "SameSite=Lax" in cookie
        token = client.cookies["csrftoken"]
        accepted = client.post("/api/submit", data={"data": "x"}, headers={"X-CSRFToken": token})
        assert accepted.json() == {"success": True, "received_data": "x"}
        assert client.post("/api/submit", data={"data": "x"}, headers={"X-CSRFToken": "forged"}).status_code == 403


def test_request_state_csrf_token_is_the_cookie_token() -> None:
    with TestClient(csrf_guide.app, base_url=HTTPS) as client:
        page = client.get("/form").text
        assert client.cookies["csrftoken"] in page
        token = client.cookies["csrftoken"]
        assert client.post("/api/submit", data={"data": "y", "csrf_token": token}).status_code == 200


def test_required_urls_protect_every_unsafe_route_and_say_so(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="nexios.compat"):
        with TestClient(csrf_guide.app, base_url=HTTPS) as client:
            assert client.post("/public/feedback").status_code == 403  # upstream checked /api/ only
    assert "csrf_required_urls is satisfied by protecting every unsafe route" in caplog.text
    assert "csrf_protect_only_required_urls=True" in caplog.text


def _app(**config: object) -> object:
    app = get_application(config={"secret_key": "k" * 32, **config})
    app.add_middleware(CSRFMiddleware())

    @app.post("/api/items")
    async def items(request: object, response: object) -> dict[str, bool]:
        return {"ok": True}

    @app.post("/other")
    async def other(request: object, response: object) -> dict[str, bool]:
        return {"ok": True}

    return app


def test_the_explicit_opt_out_checks_only_the_required_urls() -> None:
    app = _app(csrf_enabled=True, csrf_required_urls=[r"/api/.*"], csrf_protect_only_required_urls=True)
    with TestClient(app) as client:
        assert client.post("/api/items").status_code == 403
        assert client.post("/other").json() == {"ok": True}


@pytest.mark.parametrize(("config", "message"), [
    ({"csrf_enabled": False}, "remove the CSRFMiddleware to go without it"),
    ({"csrf_sensitive_cookies": ["session"]}, "csrf_sensitive_cookies is not supported"),
    ({"csrf_exempt_urls": [r"/(public|open)/.+"]}, "csrf_exempt_urls: .* is a regular expression"),
    ({"csrf_required_urls": [r"/api/v[0-9]+/.*"]}, "csrf_required_urls: .* is a regular expression"),
])
def test_settings_that_would_drop_protection_silently_refuse_to_start(config: dict[str, object], message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        _app(**config).build()


def test_exempt_urls_in_upstream_regex_form_still_exempt() -> None:
    app = _app(csrf_exempt_urls=[r"/other", r"/api/.*"])
    with TestClient(app) as client:
        assert client.post("/other").status_code == 200 and client.post("/api/items").status_code == 200
