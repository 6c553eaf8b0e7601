"""SessionMiddleware: configuration, start-up checks, cookie attributes, and the promise that a
request which does not change its session gets no ``Set-Cookie``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from nexios import MakeConfig, get_application
from nexios.session.middleware import SessionMiddleware
from nexios.session.signed_cookies import SignedSessionManager
from nexios_core.exceptions import ImproperlyConfigured

pytestmark = pytest.mark.anyio

Client = Callable[..., httpx.AsyncClient]
CookieOf = Callable[..., "str | None"]


def attributes(response: httpx.Response) -> list[str]:
    (header,) = response.headers.get_list("set-cookie")
    return [part.strip().lower() for part in header.split(";")[1:]]


# ---------------------------------------------------------------- start-up
async def test_app_refuses_to_start_without_a_secret_key() -> None:
    app = get_application()
    app.add_middleware(SessionMiddleware())
    with pytest.raises(ImproperlyConfigured) as raised:
        async with app.run_lifespan():
            pass
    message = str(raised.value)
    assert "secret key" in message and "secret_key" in message and "MakeConfig" in message


async def test_a_server_reports_the_missing_secret_key_at_start_up() -> None:
    app = get_application()
    app.add_middleware(SessionMiddleware())
    sent: list[dict[str, Any]] = []
    messages = iter([{"type": "lifespan.startup"}])

    async def receive() -> dict[str, Any]:
        return next(messages)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)
    assert sent[0]["type"] == "lifespan.startup.failed"
    assert "secret key" in sent[0]["message"]


async def test_secret_key_can_be_given_to_the_middleware(client_for: Client) -> None:
    app = get_application()
    app.add_middleware(SessionMiddleware(secret_key="from-constructor"))

    @app.post("/")
    async def write(request: Any, response: Any) -> Any:
        request.session["n"] = 1
        return {}

    async with client_for(app) as client:
        assert (await client.post("/")).status_code == 200


@pytest.mark.parametrize(
    ("session", "fragment"),
    [
        ({"colour": "blue"}, "Unknown session setting 'colour'"),
        ({"max_age": 0}, "max_age must be a positive"),
        ({"samesite": "sometimes"}, "samesite must be"),
        ({"cookie_name": "bad name;"}, "not a valid cookie name"),
        ({"path": "relative"}, "path must start with '/'"),
        ({"backend": "memcached"}, "Unknown session backend 'memcached'"),
        ({"backend": "file", "backend_options": {"folder": "x"}}, "do not fit FileSessionManager"),
        ({"backend": object()}, "is not a session backend"),
    ],
)
async def test_bad_settings_are_refused_at_start_up(session: dict[str, Any], fragment: str) -> None:
    app = get_application(config={"secret_key": "k", "session": session})
    app.add_middleware(SessionMiddleware())
    with pytest.raises(ImproperlyConfigured, match=fragment):
        app.build()


async def test_settings_come_from_config_and_constructor_options_override_them() -> None:
    config = MakeConfig({
        "secret_key": "k",
        "session": {"cookie_name": "sid", "expiry": 60, "path": "/app", "httponly": False},
    })
    app = get_application(config=config)
    middleware = SessionMiddleware(cookie_name="override", samesite="strict")
    app.add_middleware(middleware)
    app.build()
    settings = middleware.settings
    assert (settings.cookie_name, settings.max_age, settings.path) == ("override", 60, "/app")
    assert settings.httponly is False and settings.samesite == "strict"
    assert isinstance(middleware.backend, SignedSessionManager)


async def test_nexios_2_setting_names_are_understood() -> None:
    app = get_application(config={"secret_key": "k", "session": {
        "session_cookie_name": "legacy", "session_expiration_time": 120,
        "session_cookie_secure": True, "session_permanent": True, "manager": SignedSessionManager,
    }})
    middleware = SessionMiddleware()
    app.add_middleware(middleware)
    app.build()
    assert middleware.settings.cookie_name == "legacy"
    assert middleware.settings.max_age == 120 and middleware.settings.secure is True


# ---------------------------------------------------------------- the cookie
async def test_cookie_is_httponly_lax_with_path_and_max_age(session_app: Any, client_for: Client) -> None:
    async with client_for(session_app()) as client:
        response = await client.post("/session", json={"a": 1})
    attrs = attributes(response)
    assert "httponly" in attrs and "samesite=lax" in attrs and "path=/" in attrs
    assert "max-age=1209600" in attrs  # 14 days by default
    assert "secure" not in attrs  # plain http


async def test_cookie_is_secure_on_https(session_app: Any, client_for: Client) -> None:
    async with client_for(session_app(), "https://testserver") as client:
        response = await client.post("/session", json={"a": 1})
    assert "secure" in attributes(response)


async def test_configured_cookie_attributes_are_sent(session_app: Any, client_for: Client) -> None:
    app = session_app(config={"session": {
        "cookie_name": "sid", "domain": "example.com", "secure": True, "samesite": "strict",
        "max_age": 600, "path": "/",
    }})
    async with client_for(app) as client:
        response = await client.post("/session", json={"a": 1})
    header = response.headers["set-cookie"]
    assert header.startswith("sid=")
    attrs = attributes(response)
    assert {"domain=example.com", "secure", "samesite=strict", "max-age=600"} <= set(attrs)


async def test_unchanged_session_sends_no_cookie(
    session_app: Any, client_for: Client, cookie_of: CookieOf
) -> None:
    async with client_for(session_app()) as client:
        value = cookie_of(await client.post("/session", json={"a": 1}))
        read = await client.get("/session", headers={"cookie": f"session_id={value}"})
    assert read.json()["data"] == {"a": 1}
    assert read.headers.get_list("set-cookie") == []


async def test_accessed_session_varies_by_cookie(session_app: Any, client_for: Client) -> None:
    async with client_for(session_app()) as client:
        read = await client.get("/session")
        untouched = await client.get("/untouched")
    assert read.headers["vary"] == "Cookie"
    assert "vary" not in untouched.headers
    assert untouched.headers.get_list("set-cookie") == []


async def test_vary_cookie_joins_an_existing_vary(client_for: Client) -> None:
    app = get_application(config={"secret_key": "k"})
    app.add_middleware(SessionMiddleware())

    @app.get("/")
    async def page(request: Any, response: Any) -> Any:
        response.set_header("vary", "Accept-Encoding")
        return {"user": request.session.get("user")}

    async with client_for(app) as client:
        response = await client.get("/")
    assert response.headers["vary"] == "Accept-Encoding, Cookie"


async def test_emptying_a_session_deletes_the_cookie(
    session_app: Any, client_for: Client, cookie_of: CookieOf
) -> None:
    async with client_for(session_app()) as client:
        value = cookie_of(await client.post("/session", json={"a": 1}))
        emptied = await client.post("/delete/a", headers={"cookie": f"session_id={value}"})
    assert cookie_of(emptied) == ""
    assert "max-age=0" in attributes(emptied)


async def test_emptying_a_session_that_had_no_cookie_sends_nothing(
    session_app: Any, client_for: Client
) -> None:
    async with client_for(session_app()) as client:
        response = await client.post("/logout")
    assert response.headers.get_list("set-cookie") == []


async def test_refresh_each_request_resends_the_cookie_on_every_use(
    session_app: Any, client_for: Client, cookie_of: CookieOf
) -> None:
    app = session_app(config={"session": {"refresh_each_request": True}})
    async with client_for(app) as client:
        value = cookie_of(await client.post("/session", json={"a": 1}))
        read = await client.get("/session", headers={"cookie": f"session_id={value}"})
        untouched = await client.get("/untouched", headers={"cookie": f"session_id={value}"})
    assert cookie_of(read) is not None
    assert untouched.headers.get_list("set-cookie") == []


# ---------------------------------------------------------------- laziness
class CountingSignedSessionManager(SignedSessionManager):
    """The real signed-cookie backend, counting how often a cookie is decoded."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.decoded = 0

    def decode(self, cookie_value: str, max_age: int) -> Any:
        self.decoded += 1
        return super().decode(cookie_value, max_age)


async def test_cookie_is_verified_only_when_the_handler_uses_the_session(
    session_app: Any, client_for: Client, cookie_of: CookieOf
) -> None:
    backend = CountingSignedSessionManager()
    app = session_app(SessionMiddleware(backend=backend))
    async with client_for(app) as client:
        cookie = {"cookie": f"session_id={cookie_of(await client.post('/session', json={'a': 1}))}"}
        backend.decoded = 0
        await client.get("/untouched", headers=cookie)
        assert backend.decoded == 0
        await client.get("/session", headers=cookie)
        assert backend.decoded == 1


async def test_session_without_the_middleware_says_how_to_add_it(client_for: Client) -> None:
    app = get_application()

    @app.get("/")
    async def page(request: Any, response: Any) -> Any:
        try:
            _ = request.session
        except RuntimeError as exc:
            return {"error": str(exc)}
        return {}

    async with client_for(app) as client:
        assert "SessionMiddleware" in (await client.get("/")).json()["error"]
