"""The JWT backend: strict verification (allowlist, no ``none``, ``exp`` required and checked,
issuer/audience/leeway) and invalid tokens leaving the request anonymous, never erroring."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from nexios_auth import AuthenticationMiddleware, JWTAuthBackend, SimpleUser, auth, create_jwt, decode_jwt
from nexios_core.app import App
from nexios_core.dispatch import HandlerDispatcher
from nexios_core.exceptions import ImproperlyConfigured
from nexios_core.request import Request
from nexios_core.responses import Response

pytestmark = pytest.mark.anyio

Client = Callable[..., httpx.AsyncClient]
SECRET = "jwt-tests-secret-key-long-enough-even-for-hs512-signatures-64-by"


@auth()
async def whoami(request: Request, response: Response) -> dict[str, Any]:
    return {"sub": request.user.display_name, "scopes": sorted(request.auth.scopes)}


def app_for(backend: JWTAuthBackend, config: dict[str, Any] | None = None) -> App:
    return App(config, dispatcher=HandlerDispatcher(whoami),
               middlewares=[AuthenticationMiddleware(backend=backend)])


async def call(client_for: Client, backend: JWTAuthBackend, token: str) -> httpx.Response:
    async with client_for(app_for(backend)) as client:
        # Sent as UTF-8 bytes so that hostile non-ASCII tokens reach the app too.
        return await client.get("/", headers={"authorization": f"Bearer {token}".encode()})


def hs256() -> JWTAuthBackend:
    return JWTAuthBackend(SECRET, algorithms=["HS256"])


def future() -> int:
    return int(time.time()) + 600


async def test_valid_token_authenticates_with_its_scopes(client_for: Client) -> None:
    token = create_jwt({"sub": "ada", "scope": "read write"}, SECRET)
    response = await call(client_for, hs256(), token)
    assert response.status_code == 200
    assert response.json() == {"sub": "ada", "scopes": ["read", "write"]}


async def test_scopes_may_be_a_list_claim(client_for: Client) -> None:
    backend = JWTAuthBackend(SECRET, algorithms=["HS256"], scopes_claim="scopes")
    token = create_jwt({"sub": "ada", "scopes": ["admin", 3]}, SECRET)
    assert (await call(client_for, backend, token)).json()["scopes"] == ["admin"]


def _unsigned(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


async def test_alg_none_token_is_refused(client_for: Client) -> None:
    claims = {"sub": "mallory", "exp": future()}
    for token in (jwt.encode(claims, None, algorithm="none"), _unsigned(claims)):
        response = await call(client_for, hs256(), token)
        assert response.status_code == 401


async def test_token_signed_with_an_algorithm_outside_the_allowlist_is_refused(client_for: Client) -> None:
    token = jwt.encode({"sub": "mallory", "exp": future()}, SECRET, algorithm="HS512")
    assert (await call(client_for, hs256(), token)).status_code == 401


async def test_hmac_token_made_with_the_public_key_is_refused_by_an_rsa_backend(client_for: Client) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    backend = JWTAuthBackend(public_pem, algorithms=["RS256"])
    genuine = jwt.encode({"sub": "ada", "exp": future()}, private, algorithm="RS256")
    assert (await call(client_for, backend, genuine)).json()["sub"] == "ada"
    # The classic confusion attack: sign HS256 with the (public) RSA key as the HMAC secret.
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")
    payload = base64.urlsafe_b64encode(
        json.dumps({"sub": "mallory", "exp": future()}).encode()
    ).rstrip(b"=")
    import hashlib
    import hmac

    signature = base64.urlsafe_b64encode(
        hmac.new(public_pem, header + b"." + payload, hashlib.sha256).digest()
    ).rstrip(b"=")
    forged = b".".join([header, payload, signature]).decode()
    assert (await call(client_for, backend, forged)).status_code == 401


async def test_expired_token_is_refused_and_leeway_tolerates_clock_skew(client_for: Client) -> None:
    token = jwt.encode({"sub": "ada", "exp": int(time.time()) - 10}, SECRET, algorithm="HS256")
    assert (await call(client_for, hs256(), token)).status_code == 401
    lenient = JWTAuthBackend(SECRET, algorithms=["HS256"], leeway=60)
    assert (await call(client_for, lenient, token)).status_code == 200


async def test_token_without_exp_is_refused(client_for: Client) -> None:
    token = jwt.encode({"sub": "ada"}, SECRET, algorithm="HS256")
    assert (await call(client_for, hs256(), token)).status_code == 401


async def test_wrong_signature_or_garbage_is_anonymous_not_an_error(client_for: Client) -> None:
    other = create_jwt({"sub": "ada"}, "another-secret-key-that-is-32-bytes-long!")
    for token in (other, "not-a-jwt", "a.b.c", "ü.ü.ü", create_jwt({"sub": "ada"}, SECRET)[:-3]):
        response = await call(client_for, hs256(), token)
        assert response.status_code == 401, token


async def test_issuer_and_audience_are_checked_when_configured(client_for: Client) -> None:
    backend = JWTAuthBackend(SECRET, algorithms=["HS256"], issuer="https://id.example", audience="api")
    good = create_jwt({"sub": "ada", "iss": "https://id.example", "aud": "api"}, SECRET)
    wrong_iss = create_jwt({"sub": "ada", "iss": "https://evil.example", "aud": "api"}, SECRET)
    wrong_aud = create_jwt({"sub": "ada", "iss": "https://id.example", "aud": "other"}, SECRET)
    no_claims = create_jwt({"sub": "ada"}, SECRET)
    assert (await call(client_for, backend, good)).status_code == 200
    for token in (wrong_iss, wrong_aud, no_claims):
        assert (await call(client_for, backend, token)).status_code == 401


async def test_token_with_an_audience_is_refused_by_a_backend_expecting_none(client_for: Client) -> None:
    token = create_jwt({"sub": "ada", "aud": "someone-else"}, SECRET)
    assert (await call(client_for, hs256(), token)).status_code == 401


async def test_token_without_sub_is_anonymous_unless_a_loader_says_otherwise(client_for: Client) -> None:
    token = create_jwt({"name": "ada"}, SECRET)
    assert (await call(client_for, hs256(), token)).status_code == 401


async def test_user_loader_maps_claims_to_users(client_for: Client) -> None:
    users = {"7": SimpleUser("grace", ["ops"], id=7)}

    async def load(claims: dict[str, Any]) -> SimpleUser | None:
        return users.get(claims["sub"])

    backend = JWTAuthBackend(SECRET, algorithms=["HS256"], user_loader=load)
    known = await call(client_for, backend, create_jwt({"sub": "7"}, SECRET))
    deleted = await call(client_for, backend, create_jwt({"sub": "8"}, SECRET))
    down_scoped = await call(client_for, backend, create_jwt({"sub": "7", "scope": "read"}, SECRET))
    assert known.json() == {"sub": "grace", "scopes": ["ops"]}  # no scope claim: the user's
    assert deleted.status_code == 401
    assert down_scoped.json()["scopes"] == ["read"]  # the token grants what it says


async def test_secret_key_falls_back_to_the_app_config(client_for: Client) -> None:
    backend = JWTAuthBackend(algorithms=["HS256"])
    app = app_for(backend, {"secret_key": SECRET})
    async with client_for(app) as client:
        response = await client.get(
            "/", headers={"authorization": "Bearer " + create_jwt({"sub": "ada"}, SECRET)}
        )
    assert response.status_code == 200



@pytest.mark.parametrize("configured", [["HS256"], ("HS256",), "HS256"], ids=["list", "tuple", "string"])
async def test_the_allowlist_falls_back_to_config_jwt_algorithms(client_for: Client, configured: Any) -> None:
    app = app_for(JWTAuthBackend(), {"secret_key": SECRET, "jwt_algorithms": configured})
    token = create_jwt({"sub": "ada"}, SECRET)
    async with client_for(app) as client:
        response = await client.get("/", headers={"authorization": "Bearer " + token})
    assert response.status_code == 200


def test_config_jwt_algorithms_is_checked_like_algorithms() -> None:
    with pytest.raises(ImproperlyConfigured, match="'none'"):
        app_for(JWTAuthBackend(), {"secret_key": SECRET, "jwt_algorithms": "none"}).build()
    with pytest.raises(ImproperlyConfigured, match=r"set config\.jwt_algorithms=\['HS256'\]"):
        app_for(JWTAuthBackend(), {"secret_key": SECRET}).build()

def test_app_without_any_key_refuses_to_start() -> None:
    app = app_for(JWTAuthBackend(algorithms=["HS256"]))
    with pytest.raises(ImproperlyConfigured, match="needs a key"):
        app.build()


@pytest.mark.parametrize(
    ("algorithms", "message"),
    [
        ([], "explicit algorithm allowlist"),
        (["none"], "'none'"),
        (["HS256", "NONE"], "'none'"),
        (["HS256", "RS256"], "Do not mix"),
        (["HS257"], "Unknown JWT algorithm"),
    ],
)
def test_unsafe_allowlists_are_refused_at_construction(algorithms: list[str], message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        JWTAuthBackend(SECRET, algorithms=algorithms)


def test_create_jwt_sets_expiry_and_refuses_none() -> None:
    token = create_jwt({"sub": "ada"}, SECRET, expires_in=120)
    claims = decode_jwt(token, SECRET, ["HS256"])
    assert claims["sub"] == "ada"
    assert 100 <= claims["exp"] - claims["iat"] <= 120
    with pytest.raises(ImproperlyConfigured):
        create_jwt({"sub": "ada"}, SECRET, algorithm="none")


def test_decode_jwt_raises_for_expired_tokens() -> None:
    token = create_jwt({"sub": "ada"}, SECRET, expires_in=-5)
    with pytest.raises(jwt.ExpiredSignatureError):
        decode_jwt(token, SECRET, ["HS256"])
