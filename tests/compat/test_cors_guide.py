"""Upstream's CORS guide (``apps/cors_guide.py``) runs on the facade, every setting it documents
honoured, and ``*`` with credentials still refused at start-up."""

from __future__ import annotations

import pytest

from nexios import MakeConfig, NexiosApp
from nexios.middlewares.cors import CORSMiddleware
from nexios.testclient import TestClient
from nexios_core import ImproperlyConfigured
from tests.compat.apps import cors_guide


def preflight(client: TestClient, origin: str, method: str = "POST", headers: str | None = None) -> object:
    request_headers = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        request_headers["Access-Control-Request-Headers"] = headers
    return client.options("/data", headers=request_headers)


def test_the_basic_configuration() -> None:
    with TestClient(cors_guide.app) as client:
        allowed = client.get("/data", headers={"Origin": "https://example.com"})
        assert allowed.headers["access-control-allow-origin"] == "https://example.com"
        assert allowed.headers["access-control-allow-credentials"] == "true"
        answer = preflight(client, "https://example.com", "POST", "Authorization")
        assert answer.status_code == 200 and answer.headers["access-control-max-age"] == "600"
        assert preflight(client, "https://example.com", "DELETE").status_code == 400
        assert "access-control-allow-origin" not in client.get("/data", headers={"Origin": "https://evil.example"}).headers


def test_blacklists_regex_validator_exposed_headers_and_custom_errors() -> None:
    with TestClient(cors_guide.detailed) as client:
        for origin in ("https://another-site.com", "https://api.trusted-site.com", "https://shop.partner.example"):
            response = client.get("/data", headers={"Origin": origin})
            assert response.headers["access-control-allow-origin"] == origin, origin
        assert client.get("/data", headers={"Origin": "https://example.com"}).headers[
            "access-control-expose-headers"] == "X-Response-Time"
        refused = preflight(client, "https://bad-actor.com")
        assert (refused.status_code, refused.json()) == (403, {"detail": "This origin is not allowed."})
        assert preflight(client, "https://example.com", "PUT", "x-custom-header").status_code == 200
        header_refused = preflight(client, "https://example.com", "PUT", "x-disallowed-header")
        expected = (403, {"detail": "CORS request headers not allowed"})
        assert (header_refused.status_code, header_refused.json()) == expected


def test_strict_origin_checking_refuses_requests_without_origin() -> None:
    with TestClient(cors_guide.strict) as client:
        assert client.get("/data").status_code == 400
        assert client.get("/data", headers={"Origin": "https://example.com"}).json() == {"data": 1}


def test_any_origin_with_credentials_refuses_to_start() -> None:
    # Upstream reflected every origin with credentials: any site could act as the user.
    app = NexiosApp(config=MakeConfig({"cors": {"allow_origins": ["*"], "allow_credentials": True}}))
    app.add_middleware(CORSMiddleware())
    with pytest.raises(ImproperlyConfigured, match=r"allow_origins=\['\*'\] cannot be combined with allow_credentials"):
        app.build()
