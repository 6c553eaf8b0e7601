"""CSRF protection: a signed token in a cookie, echoed in a header or form field.

Every unsafe method (anything but GET, HEAD, OPTIONS and TRACE) is checked unless its path is
exempted. The check: the cookie holds a token signed with the app's secret, the request repeats
the same token in the ``X-CSRF-Token`` header or the ``csrf_token`` form field, and the two are
equal (compared in constant time). When ``trusted_origins`` is set, an ``Origin`` header must also
be one of them. Nothing here reads the ``Host`` header: exemptions match the routed path, and
"our own origin" is only ever what you configure.

What that guarantees:

- A cross-site page cannot submit a valid token: it can make the browser send the cookie, but it
  cannot read it to repeat it in the header or form (the same-origin policy).
- A made-up or altered token fails the signature, so a cookie planted from a sibling subdomain
  must be one this app issued.
- With a session (``SessionMiddleware`` added *before* this middleware), each token is also bound
  to a random nonce kept in that session: a token fetched by an attacker with their own client is
  worthless in a victim's browser, whose session holds another nonce. Logging in or out
  (:func:`nexios_auth.login`/``logout``, or :func:`rotate_csrf_token`) draws a new nonce, so tokens
  issued before are void. Without a session, tokens are not bound to a client: an attacker able
  to plant cookies for your domain could plant a token of their own; add sessions to close that.

Pages get the token with :func:`csrf_token` (or a hidden field with :func:`csrf_input`), or read
``request.state.csrf_token``; the middleware then sets the cookie on the response.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from nexios_core import (
    BaseMiddleware,
    CallNext,
    Forbidden,
    ImproperlyConfigured,
    Request,
    Response,
    Scope,
    routed_path,
)

from ._csrf_tokens import CSRFTokenSigner, new_binding, tokens_match

if TYPE_CHECKING:
    from nexios_core.checks import Audit

CSRF_SESSION_KEY = "_csrf_nonce"
"""The session key holding the nonce this session's CSRF tokens are bound to."""
CSRF_SCOPE_KEY = "nexios.csrf"
"""Where the middleware keeps the request's token state (read by the helpers)."""
CSRF_FAILURE_DETAIL = "CSRF token missing or invalid"
CSRF_ORIGIN_DETAIL = "CSRF check failed: untrusted Origin"
DEFAULT_SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
DEFAULT_COOKIE_MAX_AGE = 365 * 24 * 60 * 60
"""One year: the token only needs to outlive the pages that embed it."""
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

SameSite = Literal["lax", "strict", "none"]


class CSRFState:
    """The CSRF token of one request: the valid one from its cookie, or one issued for it.

    ``session`` is the request's session when there is one: tokens are then bound to the nonce
    it keeps under :data:`CSRF_SESSION_KEY`.
    """

    __slots__ = ("signer", "token", "issued", "form_field", "session")

    def __init__(self, signer: CSRFTokenSigner, cookie: str | None, form_field: str,
                 session: Any = None) -> None:
        self.signer = signer
        self.session = session
        self.token = cookie if cookie is not None and signer.is_valid(cookie, self.binding()) else None
        self.issued = False
        self.form_field = form_field

    def binding(self) -> str:
        """The nonce tokens are bound to ("" without a session; a session that has none yet
        gets one when a token is issued, so no token can be valid for it before)."""
        if self.session is None:
            return ""
        nonce = self.session.get(CSRF_SESSION_KEY)
        return nonce if isinstance(nonce, str) and nonce else "\x00unbound"

    def issue(self, *, rotate: bool = False) -> str:
        """Replace the token with a fresh one that the middleware will set as the cookie.
        ``rotate`` also draws a new session nonce, voiding every token issued before."""
        if self.session is not None and (rotate or self.binding() == "\x00unbound"):
            self.session[CSRF_SESSION_KEY] = new_binding()
        self.token = self.signer.new_token(self.binding())
        self.issued = True
        return self.token


def _state_of(request: Request) -> CSRFState:
    state = request.scope.get(CSRF_SCOPE_KEY)
    if not isinstance(state, CSRFState):
        raise ImproperlyConfigured(
            "csrf_token() needs CSRFMiddleware: app.add_middleware(CSRFMiddleware())"
        )
    return state


def csrf_token(request: Request) -> str:
    """The request's CSRF token, issuing one (and its cookie) if the request has none.
    Put it in forms (``csrf_token`` field) or send it back in the ``X-CSRF-Token`` header."""
    state = _state_of(request)
    return state.token if state.token is not None else state.issue()


class SafeHTML(str):
    """A string that template engines (Jinja2, MarkupSafe) insert without escaping it again."""

    __slots__ = ()

    def __html__(self) -> str:
        return str(self)


def csrf_input(request: Request) -> SafeHTML:
    """A hidden ``<input>`` carrying the CSRF token, ready to put inside a ``<form>``."""
    state = _state_of(request)
    token = csrf_token(request)
    return SafeHTML(
        f'<input type="hidden" name="{html.escape(state.form_field)}" value="{html.escape(token)}">'
    )


def rotate_csrf_token(request: Request) -> None:
    """Give the request a new CSRF token (login and logout do this). No-op without the
    middleware."""
    state = request.scope.get(CSRF_SCOPE_KEY)
    if isinstance(state, CSRFState):
        state.issue(rotate=True)


def compile_exempt_paths(patterns: Iterable[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Split patterns into exact paths and prefixes. ``"/webhooks/*"`` exempts everything below
    ``/webhooks/``; ``"/health"`` exempts exactly that path."""
    exact: set[str] = set()
    prefixes: list[str] = []
    for pattern in patterns:
        if not isinstance(pattern, str) or not pattern.startswith("/"):
            raise ImproperlyConfigured(f"CSRF exempt path {pattern!r} must start with '/'")
        if pattern.endswith("*"):
            prefix = pattern[:-1]
            if "*" in prefix:
                raise ImproperlyConfigured(
                    f"CSRF exempt path {pattern!r}: '*' is only allowed at the end"
                )
            prefixes.append(prefix)
        elif "*" in pattern:
            raise ImproperlyConfigured(f"CSRF exempt path {pattern!r}: '*' is only allowed at the end")
        else:
            exact.add(pattern)
    return frozenset(exact), tuple(prefixes)


def _normalise_origin(origin: str) -> str:
    return origin.strip().lower().rstrip("/")


_OPTION_DEFAULTS: dict[str, Any] = {
    "cookie_name": "csrftoken",
    "header_name": "X-CSRF-Token",
    "form_field": "csrf_token",
    "exempt_paths": (),
    "protected_paths": None,
    "safe_methods": DEFAULT_SAFE_METHODS,
    "trusted_origins": (),
    "cookie_path": "/",
    "cookie_domain": None,
    "cookie_secure": None,
    "cookie_httponly": False,
    "cookie_samesite": "lax",
    "cookie_max_age": DEFAULT_COOKIE_MAX_AGE,
    "issue_eagerly": False,
}


class CSRFMiddleware(BaseMiddleware):
    """Protects unsafe requests against cross-site request forgery.

    ``secret_key`` defaults to the app's ``config.secret_key`` (read at start-up; the app refuses
    to start without one). Options left unset are read from ``csrf_<option>`` config keys, then
    fall back to the defaults: ``cookie_name="csrftoken"``, ``header_name="X-CSRF-Token"``,
    ``form_field="csrf_token"``, no ``exempt_paths`` (exact paths, or prefixes ending in ``*``),
    ``protected_paths`` ``None`` (every path; a list of patterns like ``exempt_paths`` checks only
    those paths: an allowlist, which leaves every route you forget unprotected, so prefer
    ``exempt_paths``),
    ``safe_methods`` GET/HEAD/OPTIONS/TRACE, no ``trusted_origins`` (exact origins such as
    ``"https://example.com"``; when set, an ``Origin`` header must be one of them). The cookie is
    ``SameSite=Lax``, ``Secure`` on https (or as ``cookie_secure`` says), readable by scripts
    unless ``cookie_httponly`` (so JavaScript can copy it into the header), and lasts
    ``cookie_max_age`` seconds (a year). The token (and its cookie) is issued when a page reads it;
    ``issue_eagerly=True`` issues one to every request that arrives without a valid one (for
    clients that read the cookie without loading a page that asks for the token). Failures answer
    403
    ``{"detail": "CSRF token missing or invalid"}``.
    """

    def __init__(
        self,
        secret_key: str | bytes | None = None,
        *,
        cookie_name: str | None = None,
        header_name: str | None = None,
        form_field: str | None = None,
        exempt_paths: Iterable[str] | None = None,
        protected_paths: Iterable[str] | None = None,
        safe_methods: Iterable[str] | None = None,
        trusted_origins: Iterable[str] | None = None,
        cookie_path: str | None = None,
        cookie_domain: str | None = None,
        cookie_secure: bool | None = None,
        cookie_httponly: bool | None = None,
        cookie_samesite: SameSite | None = None,
        cookie_max_age: int | None = None,
        issue_eagerly: bool | None = None,
    ) -> None:
        given = {
            "cookie_name": cookie_name, "header_name": header_name, "form_field": form_field,
            "exempt_paths": exempt_paths, "protected_paths": protected_paths,
            "safe_methods": safe_methods,
            "trusted_origins": trusted_origins, "cookie_path": cookie_path,
            "cookie_domain": cookie_domain, "cookie_secure": cookie_secure,
            "cookie_httponly": cookie_httponly, "cookie_samesite": cookie_samesite,
            "cookie_max_age": cookie_max_age, "issue_eagerly": issue_eagerly,
        }
        self._given = {name: value for name, value in given.items() if value is not None}
        self._signer: CSRFTokenSigner | None = None
        if secret_key:
            self._signer = CSRFTokenSigner(secret_key)
        self._configure({})

    # ---------------------------------------------------------------- configuration
    def _configure(self, config: Mapping[str, Any]) -> None:
        options = dict(_OPTION_DEFAULTS)
        for name in options:
            value = config.get(f"csrf_{name}")
            if value is not None:
                options[name] = value
        options.update(self._given)
        self.cookie_name: str = options["cookie_name"]
        self.header_name: str = options["header_name"]
        self.form_field: str = options["form_field"]
        self.exempt_paths: tuple[str, ...] = tuple(options["exempt_paths"])
        self._exact_exempt, self._prefix_exempt = compile_exempt_paths(self.exempt_paths)
        protected = options["protected_paths"]
        self.protected_paths: tuple[str, ...] | None = None if protected is None else tuple(protected)
        self._protected = None if protected is None else compile_exempt_paths(self.protected_paths or ())
        self.safe_methods = frozenset(method.upper() for method in options["safe_methods"])
        self.trusted_origins = frozenset(_normalise_origin(o) for o in options["trusted_origins"])
        self.cookie_path: str = options["cookie_path"]
        self.cookie_domain: str | None = options["cookie_domain"]
        self.cookie_secure: bool | None = options["cookie_secure"]
        self.cookie_httponly: bool = bool(options["cookie_httponly"])
        samesite = str(options["cookie_samesite"]).lower()
        if samesite not in ("lax", "strict", "none"):
            raise ImproperlyConfigured("cookie_samesite must be 'lax', 'strict' or 'none'")
        self.cookie_samesite: SameSite = samesite  # type: ignore[assignment]
        self.cookie_max_age: int = int(options["cookie_max_age"])
        self.issue_eagerly = bool(options["issue_eagerly"])

    def check_deployment(self, audit: Audit) -> None:
        """``nexios check``: exemptions wider than a path prefix, unsafe methods treated as safe,
        an allowlist of protected paths, and tokens issued to every request."""
        if self.issue_eagerly:
            audit.warning("csrf-eager", "CSRF issues a token to every request that has none (404s too): "
                          "with server-side sessions (file, Redis) each request without cookies then "
                          "stores a session record for its token, so an anonymous client can fill the "
                          "store", fix="issue_eagerly=False (config csrf_issue_eagerly: False): a token "
                          "is issued when a page reads it; or keep sessions in signed cookies")
        for pattern in self.exempt_paths:
            if pattern in ("/*", "*"):
                audit.error("csrf-exempt", f"CSRF exempt path {pattern!r} exempts every path: nothing is "
                            "protected", fix="exempt only the paths that cannot carry a token "
                            "(webhooks: '/webhooks/*')")
            elif pattern.endswith("*") and not pattern.endswith("/*"):
                audit.warning("csrf-exempt", f"CSRF exempt path {pattern!r} is not a path prefix: it also "
                              f"exempts {pattern[:-1]}-admin, {pattern[:-1]}x/...",
                              fix=f"end it at a segment: {pattern[:-1].rstrip('/')}/*")
        unsafe = sorted(self.safe_methods - set(DEFAULT_SAFE_METHODS))
        if unsafe:
            audit.error("csrf-exempt", f"CSRF treats {', '.join(unsafe)} as safe: every such request skips "
                        "the check", fix="keep safe_methods to GET, HEAD, OPTIONS and TRACE")
        if self.protected_paths is not None:
            audit.warning("csrf-exempt", "CSRF protects only protected_paths: every other route, including "
                          "the ones added later, is unprotected", fix="protect everything and list "
                          "exceptions in exempt_paths instead")

    def setup(self, app: Any) -> None:
        """Read ``csrf_*`` options and the secret key from the app's config; refuse to start
        without a secret."""
        config = getattr(app, "config", None) or {}
        self._configure(config)
        if self._signer is None:
            secret = config.get("secret_key")
            if not secret:
                raise ImproperlyConfigured(
                    "CSRFMiddleware needs a secret: pass secret_key=... or set config.secret_key"
                )
            self._signer = CSRFTokenSigner(secret)

    # ---------------------------------------------------------------- checks
    def is_exempt(self, scope: Scope) -> bool:
        """Whether the routed path of ``scope`` is exempt from the token check."""
        path = routed_path(scope)
        if path in self._exact_exempt or path.startswith(self._prefix_exempt):
            return True
        protected = self._protected
        return protected is not None and not (path in protected[0] or path.startswith(protected[1]))

    def _check_origin(self, request: Request) -> None:
        if not self.trusted_origins:
            return  # without a configured list there is nothing trustworthy to compare with
        origin = request.headers.get("origin")
        if origin is not None and _normalise_origin(origin) not in self.trusted_origins:
            raise Forbidden(detail=CSRF_ORIGIN_DETAIL)

    async def _submitted_token(self, request: Request) -> str | None:
        submitted = request.headers.get(self.header_name)
        if submitted:
            return submitted  # type: ignore[no-any-return]
        if request.content_type.startswith(_FORM_TYPES):
            value = (await request.form).get(self.form_field)
            if isinstance(value, str) and value:
                return value
        return None

    async def _check_token(self, request: Request, state: CSRFState) -> None:
        cookie_token = state.token
        submitted = await self._submitted_token(request)
        if (
            cookie_token is None
            or submitted is None
            or not state.signer.is_valid(submitted, state.binding())
            or not tokens_match(cookie_token, submitted)
        ):
            raise Forbidden(detail=CSRF_FAILURE_DETAIL)

    # ---------------------------------------------------------------- the middleware
    async def __call__(self, request: Request, response: Response, call_next: CallNext) -> Any:
        signer = self._signer
        if signer is None:
            raise ImproperlyConfigured(
                "CSRFMiddleware has no secret: pass secret_key=... or set config.secret_key"
            )
        state = CSRFState(signer, request.cookies.get(self.cookie_name), self.form_field,
                          request.scope.get("session"))
        request.scope[CSRF_SCOPE_KEY] = state
        if request.method not in self.safe_methods and not self.is_exempt(request.scope):
            self._check_origin(request)
            await self._check_token(request, state)
        if self.issue_eagerly and state.token is None:
            state.issue()
        # Otherwise issued only if something reads it: a page without a form sets no cookie.
        request.state.set_lazy("csrf_token", partial(csrf_token, request))
        outgoing = await call_next()
        if state.issued and state.token is not None:
            secure = self.cookie_secure if self.cookie_secure is not None else request.scheme == "https"
            outgoing.set_cookie(
                self.cookie_name, state.token, max_age=self.cookie_max_age, path=self.cookie_path,
                domain=self.cookie_domain, secure=secure, httponly=self.cookie_httponly,
                samesite=self.cookie_samesite,
            )
        return outgoing


__all__ = [
    "CSRFMiddleware",
    "CSRFState",
    "CSRF_FAILURE_DETAIL",
    "CSRF_SCOPE_KEY",
    "CSRF_SESSION_KEY",
    "DEFAULT_COOKIE_MAX_AGE",
    "DEFAULT_SAFE_METHODS",
    "SafeHTML",
    "compile_exempt_paths",
    "csrf_input",
    "csrf_token",
    "rotate_csrf_token",
    "routed_path",
]
