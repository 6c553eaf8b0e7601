"""CSRF protection: unsafe methods need the signed cookie token echoed in a header or form field;
exemptions and origin checks never trust the ``Host`` header."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from nexios import get_application
from nexios.http import Request, Response
from nexios.middleware.csrf import CSRFMiddleware, csrf_input, csrf_token
from nexios_auth.csrf import compile_exempt_paths
from nexios_core.exceptions import ImproperlyConfigured

pytestmark = pytest.mark.anyio

Client = Callable[..., httpx.AsyncClient]
SECRET = "csrf-tests-secret"
FAILURE = {"detail": "CSRF token missing or invalid"}


def build_app(middleware: CSRFMiddleware | None = None, config: dict[str, Any] | None = None) -> Any:
    app = get_application(config=config if config is not None else {"secret_key": SECRET})
    app.add_middleware(middleware if middleware is not None else CSRFMiddleware(
        exempt_paths=["/webhooks/*", "/health"]
    ))

    @app.get("/form")
    async def form(request: Request, response: Response) -> Response:
        return response.html(f"<form method='post'>{csrf_input(request)}</form>")

    @app.get("/token")
    async def token(request: Request, response: Response) -> dict[str, str]:
        return {"token": csrf_token(request)}

    @app.get("/plain")
    async def plain(request: Request, response: Response) -> str:
        return "no token used"

    @app.route("/submit", methods=["POST", "PUT", "PATCH", "DELETE"])
    async def submit(request: Request, response: Response) -> dict[str, Any]:
        if request.content_type.startswith(("application/x-www-form", "multipart/")):
            return {"ok": True, "form": {k: v for k, v in (await request.form).items() if isinstance(v, str)}}
        return {"ok": True}

    for path in ("/webhooks/stripe", "/webhooks", "/webhooksx", "/health", "/health/deep"):
        app.add_route(path, submit, methods=["POST"])
    return app


async def fetch_token(client: httpx.AsyncClient) -> str:
    response = await client.get("/token")
    assert response.status_code == 200
    token = response.json()["token"]
    assert client.cookies["csrftoken"] == token
    return token  # type: ignore[no-any-return]


async def test_form_page_sets_the_cookie_and_renders_the_same_token(client_for: Client) -> None:
    async with client_for(build_app()) as client:
        response = await client.get("/form")
    cookie = response.headers["set-cookie"]
    token = client.cookies["csrftoken"]
    assert f'<input type="hidden" name="csrf_token" value="{token}">' in response.text
    assert "SameSite=Lax" in cookie and "Path=/" in cookie and "Max-Age=31536000" in cookie
    assert "Secure" not in cookie  # plain http


async def test_pages_that_do_not_use_the_token_set_no_cookie(client_for: Client) -> None:
    async with client_for(build_app()) as client:
        response = await client.get("/plain")
    assert "set-cookie" not in response.headers


async def test_cookie_is_secure_on_https(client_for: Client) -> None:
    async with client_for(build_app(), base_url="https://testserver") as client:
        response = await client.get("/token")
    assert "Secure" in response.headers["set-cookie"]


async def test_post_without_any_token_is_403(client_for: Client) -> None:
    async with client_for(build_app()) as client:
        response = await client.post("/submit", json={"a": 1})
    assert response.status_code == 403
    assert response.json() == FAILURE


async def test_post_with_cookie_but_no_submitted_token_is_403(client_for: Client) -> None:
    async with client_for(build_app()) as client:
        await fetch_token(client)
        response = await client.post("/submit", json={"a": 1})
    assert response.status_code == 403
    assert response.json() == FAILURE


async def test_post_with_a_wrong_token_is_403(client_for: Client) -> None:
    app = build_app()
    async with client_for(app) as other:
        someone_elses = await fetch_token(other)  # validly signed, but not this client's
    async with client_for(app) as client:
        token = await fetch_token(client)
        for wrong in (someone_elses, token[:-1] + ("A" if token[-1] != "A" else "B"), "garbage",
                      token + "x", "é" * 10):
            response = await client.post("/submit", headers={"x-csrf-token": wrong.encode()})
            assert response.status_code == 403, wrong
            assert response.json() == FAILURE


async def test_forged_cookie_and_header_pair_without_our_signature_is_403(client_for: Client) -> None:
    from nexios_auth._csrf_tokens import CSRFTokenSigner

    forged = CSRFTokenSigner("attacker-secret").new_token()
    async with client_for(build_app()) as client:
        client.cookies.set("csrftoken", forged)
        response = await client.post("/submit", headers={"x-csrf-token": forged})
    assert response.status_code == 403


async def test_post_with_the_right_token_in_the_header_passes(client_for: Client) -> None:
    async with client_for(build_app()) as client:
        token = await fetch_token(client)
        response = await client.post("/submit", json={"a": 1}, headers={"x-csrf-token": token})
        again = await client.post("/submit", headers={"x-csrf-token": token})
    assert response.json() == {"ok": True}
    assert again.status_code == 200  # the token stays valid across requests
    assert "set-cookie" not in response.headers


async def test_post_with_the_right_token_in_a_form_field_passes(client_for: Client) -> None:
    async with client_for(build_app()) as client:
        page = await client.get("/form")
        token = re.search(r'value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        urlencoded = await client.post("/submit", data={"csrf_token": token, "name": "ada"})
        multipart = await client.post("/submit", data={"csrf_token": token, "name": "ada"},
                                      files={"f": ("a.txt", b"hi")})
        wrong = await client.post("/submit", data={"csrf_token": "nope", "name": "ada"})
    # The handler still reads the form the middleware parsed.
    assert urlencoded.json() == {"ok": True, "form": {"csrf_token": token, "name": "ada"}}
    assert multipart.json()["form"]["name"] == "ada"
    assert wrong.status_code == 403


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
async def test_every_unsafe_method_is_protected(client_for: Client, method: str) -> None:
    async with client_for(build_app()) as client:
        refused = await client.request(method, "/submit")
        token = await fetch_token(client)
        allowed = await client.request(method, "/submit", headers={"x-csrf-token": token})
    assert refused.status_code == 403
    assert allowed.status_code == 200


async def test_safe_methods_are_not_checked(client_for: Client) -> None:
    async with client_for(build_app()) as client:
        assert (await client.get("/plain")).status_code == 200
        assert (await client.head("/plain")).status_code == 200


async def test_exempt_paths_match_exactly_or_by_prefix(client_for: Client) -> None:
    async with client_for(build_app()) as client:
        statuses = {path: (await client.post(path)).status_code
                    for path in ("/webhooks/stripe", "/health", "/webhooks", "/webhooksx", "/health/deep")}
    assert statuses == {"/webhooks/stripe": 200, "/health": 200, "/webhooks": 403, "/webhooksx": 403,
                        "/health/deep": 403}


async def test_exemption_uses_the_routed_path_below_root_path(client_for: Client) -> None:
    app = build_app()
    transport = httpx.ASGITransport(app=app, root_path="/mounted")
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        exempt = await client.post("/mounted/webhooks/stripe")
        protected = await client.post("/mounted/submit")
    assert exempt.status_code == 200
    assert protected.status_code == 403


async def test_poisoned_host_header_cannot_make_a_path_exempt(client_for: Client) -> None:
    async with client_for(build_app()) as client:
        for host in ("testserver/webhooks/stripe", "evil.example/health", "evil.example"):
            response = await client.post("/submit", headers={"host": host})
            assert response.status_code == 403, host
            assert response.json() == FAILURE


async def test_poisoned_host_matching_the_origin_does_not_pass_the_origin_check(client_for: Client) -> None:
    app = build_app(CSRFMiddleware(trusted_origins=["https://app.example"]))
    async with client_for(app, base_url="https://app.example") as client:
        token = await fetch_token(client)
        trusted = await client.post("/submit", headers={"x-csrf-token": token, "origin": "https://app.example"})
        no_origin = await client.post("/submit", headers={"x-csrf-token": token})
        # The attacker's Origin and a Host header agreeing with it: "same origin" if one trusted Host.
        poisoned = await client.post(
            "/submit",
            headers={"x-csrf-token": token, "origin": "https://evil.example", "host": "evil.example"},
        )
        null_origin = await client.post("/submit", headers={"x-csrf-token": token, "origin": "null"})
    assert trusted.status_code == 200
    assert no_origin.status_code == 200
    assert poisoned.status_code == 403
    assert poisoned.json() == {"detail": "CSRF check failed: untrusted Origin"}
    assert null_origin.status_code == 403


async def test_origin_check_does_not_replace_the_token_check(client_for: Client) -> None:
    app = build_app(CSRFMiddleware(trusted_origins=["https://app.example"]))
    async with client_for(app) as client:
        response = await client.post("/submit", headers={"origin": "https://app.example"})
    assert response.status_code == 403
    assert response.json() == FAILURE


async def test_tampered_cookie_is_replaced_when_a_page_asks_for_a_token(client_for: Client) -> None:
    async with client_for(build_app()) as client:
        client.cookies.set("csrftoken", "tampered.value")
        response = await client.get("/token")
    assert response.json()["token"] != "tampered.value"
    assert response.json()["token"] in response.headers["set-cookie"]


async def test_oversized_form_is_413_not_a_crash(client_for: Client) -> None:
    async with client_for(build_app()) as client:
        response = await client.post("/submit", content=b"a=" + b"x" * (2 * 1024 * 1024),
                                     headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


def test_app_without_a_secret_refuses_to_start() -> None:
    app = build_app(CSRFMiddleware(), config={})
    with pytest.raises(ImproperlyConfigured, match="secret"):
        app.build()


async def test_explicit_secret_and_options_need_no_config(client_for: Client) -> None:
    middleware = CSRFMiddleware("explicit-secret", cookie_name="xsrf", header_name="X-XSRF",
                                form_field="_token")
    async with client_for(build_app(middleware, config={})) as client:
        page = await client.get("/form")
        token = client.cookies["xsrf"]
        assert 'name="_token"' in page.text
        assert (await client.post("/submit", headers={"x-xsrf": token})).status_code == 200
        assert (await client.post("/submit", headers={"x-csrf-token": token})).status_code == 403


async def test_options_are_read_from_csrf_config_keys(client_for: Client) -> None:
    config = {"secret_key": SECRET, "csrf_cookie_name": "xsrf", "csrf_header_name": "X-XSRF",
              "csrf_exempt_urls": ["/webhooks/.*"]}
    async with client_for(build_app(CSRFMiddleware(), config=config)) as client:
        assert (await client.post("/webhooks/stripe")).status_code == 200
        assert (await client.post("/submit")).status_code == 403
        await client.get("/form")
        token = client.cookies["xsrf"]
        assert (await client.post("/submit", headers={"x-xsrf": token})).status_code == 200


async def test_csrf_input_is_escaped_and_marked_safe_for_templates(client_for: Client) -> None:
    jinja2 = pytest.importorskip("jinja2")
    environment = jinja2.Environment(autoescape=True)
    environment.globals["csrf_input"] = csrf_input
    template = environment.from_string("<form>{{ csrf_input(request) }}</form>")
    app = build_app(CSRFMiddleware(form_field='a"b'))

    @app.get("/jinja")
    async def page(request: Request, response: Response) -> Response:
        return response.html(template.render(request=request))

    async with client_for(app) as client:
        response = await client.get("/jinja")
    token = client.cookies["csrftoken"]
    assert response.text == f'<form><input type="hidden" name="a&quot;b" value="{token}"></form>'


async def test_helpers_without_the_middleware_name_the_fix() -> None:
    from nexios_core.request import Request as CoreRequest

    request = CoreRequest({"type": "http", "method": "GET", "path": "/", "headers": []})
    with pytest.raises(ImproperlyConfigured, match="CSRFMiddleware"):
        csrf_token(request)


@pytest.mark.parametrize("pattern", ["webhooks/*", "/a*b", "/*/x"])
def test_malformed_exempt_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        compile_exempt_paths([pattern])


async def test_login_rotates_the_csrf_token(client_for: Client, session_middleware: Any) -> None:
    from nexios.auth import AuthenticationMiddleware, SimpleUser, login
    from nexios.auth.backends.session import SessionAuthBackend

    user = SimpleUser("ada", id=1)
    app = build_app()
    app.add_middleware(session_middleware)
    app.add_middleware(AuthenticationMiddleware(backend=SessionAuthBackend({1: user}.get)))

    @app.post("/login")
    async def do_login(request: Request, response: Response) -> dict[str, str]:
        await login(request, user)
        return {"token": csrf_token(request)}

    async with client_for(app) as client:
        before = await fetch_token(client)
        response = await client.post("/login", headers={"x-csrf-token": before})
        after = response.json()["token"]
        assert after != before
        assert client.cookies["csrftoken"] == after
        assert (await client.post("/submit", headers={"x-csrf-token": before})).status_code == 403
        assert (await client.post("/submit", headers={"x-csrf-token": after})).status_code == 200
