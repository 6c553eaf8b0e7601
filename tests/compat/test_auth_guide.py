"""Upstream's authentication guide (``apps/auth_guide.py``) runs on the facade; its JWT backend
keeps Nexios's checks (an algorithm allowlist, ``exp`` required)."""

from __future__ import annotations

import time

import jwt
import pytest

from nexios import get_application
from nexios.auth.backends.jwt import JWTAuthBackend
from nexios.auth.middleware import AuthenticationMiddleware
from nexios.testclient import TestClient
from nexios_core import ImproperlyConfigured
from tests.compat.apps import auth_guide

SECRET = auth_guide.jwt_secret


def bearer(claims: dict[str, object], algorithm: str = "HS256", key: str = SECRET) -> dict[str, str]:
    return {"Authorization": f"Bearer {jwt.encode(claims, key, algorithm=algorithm)}"}


def test_session_login_logout_and_the_session_backend() -> None:
    with TestClient(auth_guide.app) as client:
        assert client.get("/dashboard").status_code == 401
        assert client.get("/profile", follow_redirects=False).headers["location"] == "/login"
        client.post("/login", data={"username": "ada", "password": "secret"}, follow_redirects=False)
        assert client.get("/dashboard").text == "Dashboard of ada"
        assert client.get("/profile").json() == {"id": 1, "username": "ada", "email": "ada@example.com"}
        client.post("/logout", follow_redirects=False)
        assert client.get("/dashboard").status_code == 401


def test_jwt_login_and_a_jwt_only_route() -> None:
    with TestClient(auth_guide.app) as client:
        token = client.post("/api/login", json={"username": "ada", "password": "secret"}).json()["access_token"]
        profile = client.get("/api/profile", headers={"Authorization": f"Bearer {token}"})
        assert profile.json() == {"id": 1, "username": "ada", "email": "ada@example.com"}
        assert client.get("/api/profile").status_code == 401
        assert client.get("/api/profile", headers={"X-API-Key": "key-123"}).status_code == 401  # not jwt
        assert client.get("/anyone-signed-in", headers={"X-API-Key": "key-123"}).json() == {"user": "ada"}


def test_jwt_verification_stays_strict() -> None:
    with TestClient(auth_guide.app) as client:
        no_expiry = bearer({"sub": "1"})
        expired = bearer({"sub": "1", "exp": int(time.time()) - 10})
        unsigned = {"Authorization": "Bearer " + jwt.encode({"sub": "1", "exp": int(time.time()) + 60}, None,
                                                           algorithm="none")}
        wrong_key = bearer({"sub": "1", "exp": int(time.time()) + 60}, key="another-key-that-is-long-enough!!")
        for headers in (no_expiry, expired, unsigned, wrong_key):
            assert client.get("/api/profile", headers=headers).status_code == 401


def test_a_custom_backend_written_upstreams_way_names_its_auth_type() -> None:
    with TestClient(auth_guide.app) as client:
        assert client.get("/custom").status_code == 401
        assert client.get("/custom", headers={"X-Custom-Auth": "wrong"}).status_code == 401
        allowed = client.get("/custom", headers={"X-Custom-Auth": "let-me-in"})
        assert allowed.json() == {"user": "example_user", "auth": "custom-auth"}


def test_2x_authenticate_func_gets_the_claims_and_simple_user_permissions() -> None:
    claims = {"sub": "ada", "username": "ada", "permissions": ["edit"], "exp": int(time.time()) + 60}
    with TestClient(auth_guide.legacy) as client:
        answer = client.get("/me", headers=bearer(claims)).json()
        assert answer == {"username": "ada", "can_edit": True, "permissions": ["edit"]}
        assert client.get("/me", headers=bearer(claims, algorithm="HS512")).status_code == 401  # not allowed


def test_a_jwt_backend_without_an_algorithm_allowlist_refuses_to_start() -> None:
    async def who(**claims: object) -> None:
        return None

    app = get_application(config={"secret_key": SECRET})
    app.add_middleware(AuthenticationMiddleware(backend=JWTAuthBackend(who)))
    with pytest.raises(ImproperlyConfigured, match=r"config\.jwt_algorithms=\['HS256'\]"):
        app.build()


def test_upstream_3_user_model_is_refused_with_the_fix() -> None:
    with pytest.raises(TypeError, match="user_model"):
        AuthenticationMiddleware(user_model=object, backend=JWTAuthBackend(algorithms=["HS256"]))


def test_upstream_backends_returning_odd_results_never_authenticate_by_accident() -> None:
    from types import SimpleNamespace

    from nexios.auth.decorator import auth

    class Odd:
        def __init__(self, result: object) -> None:
            self.result = result

        async def authenticate(self, request: object, response: object) -> object:
            return self.result

    for result, expected in [
        ("a truthy string", 401), ({"user": "x"}, 401), (SimpleNamespace(success=False, identity="x"), 401),
        (SimpleNamespace(success=True, identity="ada", scope="custom"), 200),
    ]:
        app = get_application()
        app.add_middleware(AuthenticationMiddleware(backend=Odd(result)))

        @app.get("/me")
        @auth()
        async def me(req: object, res: object) -> dict[str, str]:
            return {"user": req.user.display_name, "auth": req.auth.backend}  # type: ignore[attr-defined]

        with TestClient(app) as client:
            answer = client.get("/me")
        assert answer.status_code == expected, result
        if expected == 200:
            assert answer.json() == {"user": "ada", "auth": "custom"}
