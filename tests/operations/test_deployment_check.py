"""``nexios check``: every rule reported when its setting is unsafe and silent when it is not,
each finding with a fix, and a non-zero exit status on errors so it can gate CI."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from starlette.middleware import Middleware as StarletteMiddleware
from starlette.middleware.cors import CORSMiddleware as StarletteCORS

from nexios import get_application
from nexios_auth import AuthenticationMiddleware, CSRFMiddleware
from nexios_auth.backends.jwt import JWTAuthBackend
from nexios_cli.main import main
from nexios_core import CORSMiddleware, Limits, StaticFiles, TrustedHostMiddleware
from nexios_core.checks import MIN_SECRET_BITS, audit_app, is_placeholder_secret, secret_bits
from nexios_session import SessionMiddleware

STRONG = secrets.token_urlsafe(32)


def clean_app(**options: Any) -> Any:
    """An app with nothing to report: the baseline every test changes one thing of."""
    config = {"secret_key": STRONG, **options.pop("config", {})}
    app = get_application(config=config, openapi=options.pop("openapi", False), **options)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=["api.example.com"])

    @app.get("/")
    async def home(request: Any, response: Any) -> Any:
        return "ok"

    return app


def rules(app: Any, https: bool | None = None) -> set[tuple[str, str]]:
    audit = audit_app(app, https=https)
    assert all(finding.fix and finding.message for finding in audit.findings)
    return {(finding.rule, finding.severity) for finding in audit.findings}


def test_a_clean_app_has_no_findings() -> None:
    assert rules(clean_app(), https=True) == set()


def test_debug() -> None:
    assert ("debug", "error") in rules(clean_app(debug=True))
    assert ("debug", "error") not in rules(clean_app(debug=False))


@pytest.mark.parametrize("secret", ["change-me", "your-secret-key", "SECRET", "supersecretkey123",
                                    "short-but-random-8Fq2", "ab" * 30, "a" * 64,
                                    "0123456789abcdef" * 2, "abcdefghijklmnopqrstuvwxyz012345",
                                    "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210", secrets.token_hex(8) * 4])
def test_weak_secret_keys(secret: str) -> None:
    assert rules(clean_app(config={"secret_key": secret})) == {("weak-secret-key", "error")}


def test_strong_secret_keys_pass_and_a_missing_one_is_noted() -> None:
    for secret in (STRONG, secrets.token_hex(32), secrets.token_urlsafe(64)):
        assert not is_placeholder_secret(secret) and secret_bits(secret) >= 128
    # The shortest common random keys (32 hex digits: 128 bits) must never be called weak.
    for secret in [secrets.token_hex(16) for _ in range(500)]:
        assert not is_placeholder_secret(secret) and secret_bits(secret) >= MIN_SECRET_BITS
        assert rules(clean_app(config={"secret_key": secret})) == set()
    assert rules(clean_app(config={"secret_key": None})) == {("secret-key-missing", "info")}


def test_cors_reflecting_any_origin_with_credentials() -> None:
    reflecting = clean_app()
    reflecting.add_middleware(CORSMiddleware, allow_origin_regex=r"https?://.*", allow_credentials=True)
    assert ("cors-credentials", "error") in rules(reflecting)
    exact = clean_app()
    exact.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"], allow_credentials=True)
    assert rules(exact) == set()
    public = clean_app()
    public.add_middleware(CORSMiddleware, allow_origins=["*"])
    assert rules(public) == {("cors-any-origin", "info")}


def test_cors_trusting_the_null_origin_with_credentials() -> None:
    # Sandboxed iframes and data: documents send `Origin: null`: any site can make one.
    trusting_null = clean_app()
    trusting_null.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com", "null"],
                                 allow_credentials=True)
    assert rules(trusting_null) == {("cors-credentials", "error")}
    without_credentials = clean_app()
    without_credentials.add_middleware(CORSMiddleware, allow_origins=["null"])
    assert rules(without_credentials) == {("cors-any-origin", "info")}


def test_cors_star_with_credentials_is_refused_at_start_up() -> None:
    app = clean_app()
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
    assert rules(app) == {("startup-fails", "error")}


def test_another_frameworks_cors_with_star_and_credentials() -> None:
    starlette = clean_app()
    starlette.add_middleware(StarletteMiddleware(StarletteCORS, allow_origins=["*"], allow_credentials=True))
    assert ("cors-credentials", "error") in rules(starlette)
    listed = clean_app()
    listed.add_middleware(StarletteMiddleware(StarletteCORS, allow_origins=["https://a.example"],
                                              allow_credentials=True))
    assert rules(listed) == set()


@pytest.mark.parametrize(("options", "expected"), [
    ({"exempt_paths": ["/*"]}, ("csrf-exempt", "error")),
    ({"exempt_paths": ["/api*"]}, ("csrf-exempt", "warning")),
    ({"safe_methods": ["GET", "HEAD", "POST"]}, ("csrf-exempt", "error")),
    ({"protected_paths": ["/forms/*"]}, ("csrf-exempt", "warning")),
])
def test_csrf_exemptions_broader_than_a_prefix(options: dict[str, Any], expected: tuple[str, str]) -> None:
    app = clean_app()
    app.add_middleware(CSRFMiddleware(**options))
    assert rules(app) == {expected}


def test_csrf_tokens_issued_to_every_request_are_named_with_what_they_cost() -> None:
    # Each token is bound to a nonce kept in the session: issued to every cookie-less request,
    # it makes a server-side session record per request, which anyone can send.
    eager = clean_app()
    eager.add_middleware(CSRFMiddleware(issue_eagerly=True))
    assert rules(eager) == {("csrf-eager", "warning")}
    lazy = clean_app()
    lazy.add_middleware(CSRFMiddleware(issue_eagerly=False))
    assert rules(lazy) == set()


def test_csrf_exempting_exact_paths_and_prefixes_is_fine() -> None:
    app = clean_app()
    app.add_middleware(CSRFMiddleware(exempt_paths=["/webhooks/*", "/health"]))
    assert rules(app) == set()


def test_session_cookie_without_secure_over_https() -> None:
    def with_session(secure: bool | None) -> Any:
        app = clean_app()
        app.add_middleware(SessionMiddleware(secure=secure))
        return app

    assert rules(with_session(False), https=True) == {("session-cookie-secure", "error")}
    assert rules(with_session(False)) == {("session-cookie-secure", "warning")}  # https not said
    assert rules(with_session(False), https=False) == set()
    assert rules(with_session(None), https=True) == {("session-cookie-secure", "warning")}
    assert rules(with_session(True), https=True) == set()
    weak_own_key = clean_app()
    weak_own_key.add_middleware(SessionMiddleware(secret_key="changeme", secure=True))
    assert rules(weak_own_key) == {("weak-secret-key", "error")}


@pytest.mark.parametrize(("limits", "expected"), [
    (Limits(max_body_size=50 * 1024 * 1024), ("limits-raised", "warning")),
    (Limits(max_cookie_header_size=1024 * 1024), ("limits-raised", "warning")),
    (Limits(max_json_depth=10**12), ("limits-disabled", "error")),
    (Limits(max_body_size=1 << 40), ("limits-disabled", "error")),
    (Limits(require_json_content_type=False), ("limits-disabled", "warning")),
])
def test_raised_or_disabled_limits(limits: Limits, expected: tuple[str, str]) -> None:
    assert rules(clean_app(limits=limits)) == {expected}


def test_lowered_limits_are_fine_and_route_limits_are_checked_where_they_are() -> None:
    assert rules(clean_app(limits=Limits(max_body_size=64 * 1024, max_cookie_header_size=4096))) == set()
    app = clean_app()

    @app.post("/upload", limits=Limits(max_body_size=1 << 40))
    async def upload(request: Any, response: Any) -> Any:
        return "ok"

    findings = audit_app(app).findings
    assert [(f.rule, f.severity) for f in findings] == [("limits-disabled", "error")]
    assert "route /upload" in findings[0].message


def test_docs_pages_enabled() -> None:
    assert rules(clean_app(openapi=True)) == {("docs-enabled", "warning")}
    assert rules(clean_app(openapi=False)) == set()


def test_jwt_without_audience_or_issuer() -> None:
    def with_jwt(**options: Any) -> Any:
        app = clean_app()
        app.add_middleware(AuthenticationMiddleware(backend=JWTAuthBackend(algorithms=["HS256"], **options)))
        return app

    assert rules(with_jwt()) == {("jwt-audience", "warning"), ("jwt-issuer", "warning")}
    assert rules(with_jwt(audience="my-api")) == {("jwt-issuer", "warning")}
    assert rules(with_jwt(audience="my-api", issuer="https://auth.example.com")) == set()
    assert rules(with_jwt(audience="a", issuer="b", secret_key="too-short-key")) == {("weak-secret-key", "error")}


def test_trusted_hosts_unset_or_any() -> None:
    unset = get_application(config={"secret_key": STRONG}, openapi=False)
    assert rules(unset) == {("trusted-hosts", "warning")}
    anything = get_application(config={"secret_key": STRONG}, openapi=False)
    anything.add_middleware(TrustedHostMiddleware, allowed_hosts=["*"])
    assert rules(anything) == {("trusted-hosts", "warning")}


def test_static_roots_with_dotfiles_served_with_allow_hidden(tmp_path: Path) -> None:
    secrets_root, clean_root = tmp_path / "with-env", tmp_path / "clean"
    (secrets_root / "css").mkdir(parents=True)
    (secrets_root / "css" / "site.css").write_text("body{}")
    (secrets_root / ".env").write_text("DATABASE_PASSWORD=hunter2")
    clean_root.mkdir()
    (clean_root / "app.js").write_text("1")

    def serving(root: Path, allow_hidden: bool) -> Any:
        app = clean_app()
        app.register(StaticFiles(directory=root, allow_hidden=allow_hidden), prefix="/static")
        return app

    findings = audit_app(serving(secrets_root, True)).findings
    assert [(f.rule, f.severity, f.where) for f in findings] == [("static-dotfiles", "error", "app")]
    assert ".env" in findings[0].message
    assert rules(serving(secrets_root, False)) == set()  # refused when served anyway
    assert rules(serving(clean_root, True)) == set()


def test_a_mounted_nexios_app_is_audited_under_its_prefix() -> None:
    app = clean_app()
    app.register(get_application(debug=True, openapi=False), prefix="/admin")
    findings = audit_app(app).findings
    assert ("debug", "error", "mounted at /admin") in {(f.rule, f.severity, f.where) for f in findings}


def test_a_mounted_app_is_judged_as_served_behind_its_parent() -> None:
    # Behind the parent's TrustedHostMiddleware: no trusted-hosts warning of its own. Its docs
    # pages are served (/admin/docs) although it is built only when first used: reported.
    def mounted(openapi: bool) -> Any:
        app = clean_app()
        app.register(get_application(config={"secret_key": STRONG}, openapi=openapi), prefix="/admin")
        return {(f.rule, f.severity, f.where) for f in audit_app(app).findings}

    assert mounted(False) == set()
    assert mounted(True) == {("docs-enabled", "warning", "mounted at /admin")}
    unguarded = get_application(config={"secret_key": STRONG}, openapi=False)
    unguarded.register(get_application(config={"secret_key": STRONG}, openapi=False), prefix="/admin")
    assert {(f.rule, f.where) for f in audit_app(unguarded).findings} == {
        ("trusted-hosts", "app"), ("trusted-hosts", "mounted at /admin")}
    broken = clean_app()
    sub = get_application(config={"secret_key": None}, openapi=False)
    sub.add_middleware(SessionMiddleware())
    broken.register(sub, prefix="/admin")
    assert ("startup-fails", "error", "mounted at /admin") in {
        (f.rule, f.severity, f.where) for f in audit_app(broken).findings}


def test_an_app_that_cannot_start_is_an_error() -> None:
    app = clean_app(config={"secret_key": None})
    app.add_middleware(SessionMiddleware())
    assert ("startup-fails", "error") in rules(app)


# ---------------------------------------------------------------------------------------- the command
@pytest.fixture
def check_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEXIOS_APP", raising=False)

    def run(source: str, *args: str) -> Any:
        module = f"checked_{abs(hash(source))}"
        (tmp_path / f"{module}.py").write_text(source, encoding="utf-8")
        return CliRunner().invoke(main, ["check", f"{module}:app", *args])

    return run


HEADER = (
    "from nexios import get_application\n"
    "from nexios_core import TrustedHostMiddleware\n"
    f"app = get_application(config={{'secret_key': {STRONG!r}}}, openapi=False, debug={{debug}})\n"
    "app.add_middleware(TrustedHostMiddleware, allowed_hosts=['api.example.com'])\n"
)


def test_the_command_fails_on_errors_and_prints_each_fix(check_command: Callable[..., Any]) -> None:
    result = check_command(HEADER.replace("{debug}", "True"))
    assert result.exit_code == 1, result.output
    assert "ERROR   debug: debug=True" in result.output and "fix: turn debug off" in result.output
    assert "1 error, 0 warnings, 0 infos" in result.output


def test_the_command_passes_a_clean_app_and_strict_fails_on_warnings(check_command: Callable[..., Any]) -> None:
    clean = check_command(HEADER.replace("{debug}", "False"))
    assert (clean.exit_code, clean.output.splitlines()[-1]) == (0, "No findings."), clean.output
    with_docs = HEADER.replace("{debug}", "False").replace("openapi=False", "openapi=True")
    assert check_command(with_docs).exit_code == 0
    assert check_command(with_docs, "--strict").exit_code == 1


def test_the_command_prints_json_and_takes_https(check_command: Callable[..., Any]) -> None:
    source = HEADER.replace("{debug}", "False") + (
        "from nexios_session import SessionMiddleware\napp.add_middleware(SessionMiddleware(secure=False))\n")
    result = check_command(source, "--json", "--https")
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert [(f["rule"], f["severity"]) for f in document["findings"]] == [("session-cookie-secure", "error")]
    assert check_command(source, "--http").exit_code == 0
