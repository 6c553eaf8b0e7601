"""Security in the document: schemes from the authentication backends in use (JWT bearer, API key
in a header or the query, session cookie, or a third party's backend), requirements and 401/403
where ``@auth`` guards a handler, and the explicit ``security=[...]`` upstream apps write."""

from __future__ import annotations

from typing import Any

import pytest

from nexios import Router, get_application
from nexios.auth import AuthenticationMiddleware, SimpleUser, auth
from nexios.auth.backends.apikey import APIKeyAuthBackend
from nexios.auth.backends.jwt import JWTAuthBackend
from nexios.auth.backends.session import SessionAuthBackend
from nexios.openapi.models import APIKey, HTTPBearer, OAuth2, OAuthFlowPassword, OAuthFlows
from nexios_core.exceptions import ImproperlyConfigured
from nexios_core.guards import add_guard

from .conftest import operation

SECRET = "a-test-secret-that-is-long-enough-for-hs256"


def app_with_auth() -> Any:
    app = get_application()
    app.add_middleware(AuthenticationMiddleware(backends=[
        JWTAuthBackend(SECRET, algorithms=["HS256"]),
        APIKeyAuthBackend(keys={"k": SimpleUser("u")}, header_name="X-Key", query_param="key"),
        SessionAuthBackend(lambda uid: None, cookie_name="sid"),
    ]))
    return app


def test_schemes_come_from_the_backends_and_guards_set_requirements(document_of: Any) -> None:
    app = app_with_auth()

    @app.get("/open")
    async def open_(request: Any, response: Any) -> Any:
        return {}

    @app.get("/any")
    @auth()
    async def any_user(request: Any, response: Any) -> Any:
        return {}

    @app.get("/admin")
    @auth(["jwt", "apikey"], scopes=["admin", "audit"])
    async def admin(request: Any, response: Any) -> Any:
        return {}

    document = document_of(app)
    assert document["components"]["securitySchemes"] == {
        "apikey": {"type": "apiKey", "in": "header", "name": "X-Key",
                   "description": "Or in the 'key' query parameter."},
        "jwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        "session": {"type": "apiKey", "in": "cookie", "name": "sid"},
    }
    assert "security" not in operation(document, "GET", "/open")
    assert set(operation(document, "GET", "/open")["responses"]) == {"200"}
    assert operation(document, "GET", "/any")["security"] == [{"apikey": []}, {"jwt": []}, {"session": []}]
    assert set(operation(document, "GET", "/any")["responses"]) == {"200", "401"}
    assert operation(document, "GET", "/admin")["security"] == [{"apikey": ["admin", "audit"]},
                                                                {"jwt": ["admin", "audit"]}]
    assert set(operation(document, "GET", "/admin")["responses"]) == {"200", "401", "403"}


def test_route_level_auth_middleware_and_third_party_hooks_are_read(document_of: Any) -> None:
    class HeaderTokenBackend:
        """A third-party backend: the same two hooks, no nexios-auth import needed."""

        name = "partner"

        async def authenticate(self, request: Any) -> Any:
            return None

        def openapi_scheme(self) -> dict[str, Any]:
            return {"type": "apiKey", "in": "header", "name": "X-Partner"}

    def partner_guard(request: Any) -> None:
        return None

    partner_guard.auth_backends = ("partner",)  # type: ignore[attr-defined]
    partner_guard.auth_scopes = ()  # type: ignore[attr-defined]

    async def handler(request: Any, response: Any) -> Any:
        return {}

    add_guard(handler, partner_guard)
    router = Router(prefix="/partners", middleware=[AuthenticationMiddleware(backend=HeaderTokenBackend())])
    router.add_route("/feed", handler)
    app = get_application()
    app.mount_router(router)
    document = document_of(app)
    assert document["components"]["securitySchemes"] == {"partner": {"type": "apiKey", "in": "header",
                                                                     "name": "X-Partner"}}
    assert operation(document, "GET", "/partners/feed")["security"] == [{"partner": []}]


def test_explicit_security_and_declared_schemes_as_upstream_wrote_them(document_of: Any) -> None:
    app = get_application()
    app.openapi_config.add_security_scheme("apiKey", APIKey(name="X-API-Key", in_="header"))
    app.docs.add_security_scheme("oauth", OAuth2(flows=OAuthFlows(
        password=OAuthFlowPassword(tokenUrl="/token", scopes={"read": "Read things"}))))
    app.docs.config.add_security_scheme("jwtAuth", HTTPBearer(bearerFormat="JWT", description="A JWT"))

    @app.get("/legacy", security=[{"bearerAuth": []}])
    async def legacy(request: Any, response: Any) -> Any:
        return {}

    @app.get("/both", security=[{"apiKey": []}, {"oauth": ["read"]}])
    async def both(request: Any, response: Any) -> Any:
        return {}

    @app.get("/public", security=[])
    @auth()
    async def public(request: Any, response: Any) -> Any:
        return {}

    document = document_of(app)
    schemes = document["components"]["securitySchemes"]
    # Upstream always declared bearerAuth: it is declared here when a route names it.
    assert schemes["bearerAuth"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert schemes["apiKey"] == {"type": "apiKey", "name": "X-API-Key", "in": "header"}
    assert schemes["jwtAuth"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": "A JWT"}
    assert schemes["oauth"]["flows"]["password"] == {"tokenUrl": "/token", "scopes": {"read": "Read things"}}
    assert operation(document, "GET", "/legacy")["security"] == [{"bearerAuth": []}]
    assert operation(document, "GET", "/both")["security"] == [{"apiKey": []}, {"oauth": ["read"]}]
    assert operation(document, "GET", "/public")["security"] == []  # explicit wins over the guard


def test_an_undeclared_scheme_is_refused_with_the_fix(document_of: Any) -> None:
    app = get_application()

    @app.get("/x", security=[{"nope": []}])
    async def x(request: Any, response: Any) -> Any:
        return {}

    with pytest.raises(ImproperlyConfigured, match=r"GET /x requires security scheme 'nope'.*add_security_scheme"):
        app.openapi()


def test_a_scheme_must_be_a_scheme(document_of: Any) -> None:
    app = get_application()
    with pytest.raises(ImproperlyConfigured, match="must be a model"):
        app.docs.add_security_scheme("bad", {"name": "X"})
