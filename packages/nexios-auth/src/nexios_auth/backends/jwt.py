"""JWT bearer-token authentication (needs PyJWT: ``pip install 'nexios-auth[jwt]'``).

Tokens come from ``Authorization: Bearer <token>``. Verification is strict by construction: the
backend takes an explicit algorithm allowlist (``none`` is refused, and symmetric and asymmetric
algorithms may not be mixed, which closes the "public key used as HMAC secret" confusion),
``exp`` is required and checked, and issuer/audience are checked when configured. A token that
fails any check leaves the request anonymous; the ``auth`` decorator then answers 401.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

try:
    import jwt
    from jwt.algorithms import get_default_algorithms
except ImportError as exc:  # pragma: no cover - exercised only without the extra installed
    raise ImportError(
        "JWT authentication needs PyJWT: install it with pip install 'nexios-auth[jwt]'"
    ) from exc

from nexios_core import ImproperlyConfigured, Request

from .._calls import call_hook
from ..users import SimpleUser, is_authenticated, user_scopes
from .base import AuthResult

if TYPE_CHECKING:
    from nexios_core.checks import Audit

logger = logging.getLogger("nexios.auth")

Key = str | bytes
"""An HMAC secret, or a PEM-encoded public key for asymmetric algorithms."""

DEFAULT_EXPIRES_IN = timedelta(hours=1)
"""Lifetime :func:`create_jwt` gives a token unless told otherwise."""


def check_algorithms(algorithms: str | Sequence[str]) -> tuple[str, ...]:
    """Validate an algorithm allowlist, or raise ``ImproperlyConfigured`` saying what is wrong."""
    if isinstance(algorithms, str):
        algorithms = [algorithms]
    allowed = tuple(algorithms)
    if not allowed:
        raise ImproperlyConfigured(
            "JWT verification needs an explicit algorithm allowlist, e.g. algorithms=['HS256']"
        )
    known = get_default_algorithms()
    for algorithm in allowed:
        if algorithm.lower() == "none":
            raise ImproperlyConfigured(
                "The JWT algorithm 'none' means unsigned tokens and is refused"
            )
        if algorithm not in known:
            raise ImproperlyConfigured(
                f"Unknown JWT algorithm {algorithm!r}; PyJWT supports "
                f"{sorted(name for name in known if name != 'none')}"
            )
    symmetric = {algorithm.startswith("HS") for algorithm in allowed}
    if len(symmetric) > 1:
        raise ImproperlyConfigured(
            "Do not mix HMAC (HS*) and public-key JWT algorithms in one allowlist: a public key "
            "could then be used as an HMAC secret to forge tokens"
        )
    return allowed


def _lifetime(expires_in: float | timedelta) -> timedelta:
    return expires_in if isinstance(expires_in, timedelta) else timedelta(seconds=expires_in)


def create_jwt(
    payload: Mapping[str, Any],
    secret_key: Key,
    algorithm: str = "HS256",
    expires_in: float | timedelta = DEFAULT_EXPIRES_IN,
    *,
    headers: Mapping[str, Any] | None = None,
) -> str:
    """Sign ``payload`` as a JWT. ``iat`` is set to now and ``exp`` to now + ``expires_in``
    (seconds or a ``timedelta``; one hour by default) unless the payload sets them."""
    (algorithm,) = check_algorithms([algorithm])
    now = datetime.now(timezone.utc)
    claims: dict[str, Any] = {"iat": now, "exp": now + _lifetime(expires_in)}
    claims.update(payload)
    return jwt.encode(claims, secret_key, algorithm=algorithm, headers=dict(headers) if headers else None)


def decode_jwt(
    token: str,
    secret_key: Key,
    algorithms: str | Sequence[str],
    *,
    issuer: str | Sequence[str] | None = None,
    audience: str | Iterable[str] | None = None,
    leeway: float | timedelta = 0,
    required_claims: Iterable[str] = (),
) -> dict[str, Any]:
    """Verify ``token`` and return its claims. Raises ``jwt.PyJWTError`` (``jwt.InvalidTokenError``
    and subclasses) for a bad signature, an algorithm outside the allowlist, a missing or past
    ``exp``, or a wrong issuer or audience."""
    allowed = check_algorithms(algorithms)
    required = ["exp", *required_claims]
    if issuer is not None:
        required.append("iss")
    if audience is not None:
        required.append("aud")
    return jwt.decode(
        token,
        secret_key,
        algorithms=list(allowed),
        options={"require": required},
        issuer=issuer,
        audience=audience,
        leeway=leeway,
    )


def token_scopes(claims: Mapping[str, Any], claim: str) -> frozenset[str] | None:
    """Scopes granted by a token: a space-separated string (OAuth's ``scope``) or a list of
    strings. ``None`` when the token has no such claim."""
    value = claims.get(claim)
    if value is None:
        return None
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, (list, tuple)):
        return frozenset(item for item in value if isinstance(item, str))
    return frozenset()


_NO_KEY = "JWTAuthBackend needs a key: pass secret_key=... or set config.secret_key"
_NO_ALGORITHMS = (
    "JWTAuthBackend needs the list of algorithms tokens may be signed with (a token must not "
    "choose its own): pass algorithms=['HS256'] or set config.jwt_algorithms=['HS256']"
)


class JWTUser(SimpleUser):
    """The user a token describes when no ``user_loader`` is given: ``username`` is the ``sub``
    claim and ``claims`` holds every verified claim."""

    def __init__(self, username: str, scopes: Iterable[str], claims: Mapping[str, Any]) -> None:
        super().__init__(username, scopes)
        self.claims = dict(claims)


class JWTAuthBackend:
    """Authenticates ``Authorization: Bearer <jwt>`` requests.

    ``algorithms`` is the allowlist of signing algorithms (see :func:`check_algorithms`); when
    omitted, the app's ``config.jwt_algorithms`` is used, and without either the app refuses to
    start. ``secret_key`` is the HMAC secret or the public key; when omitted, the app's
    ``config.secret_key`` is used (both read at start-up).
    ``issuer``, ``audience`` and ``leeway`` (clock skew, in seconds) tighten verification.
    ``user_loader(claims)`` (sync or async) maps verified claims to a user, ``None`` meaning
    "no such user"; without one the user is a :class:`JWTUser` named by ``sub``. Scopes come from
    the ``scopes_claim`` claim (``"scope"``: a space-separated string, or a list), else from the
    user's ``scopes``.
    """

    challenge: str | None = "Bearer"

    def __init__(
        self,
        secret_key: Key | None = None,
        *,
        algorithms: str | Sequence[str] | None = None,
        issuer: str | Sequence[str] | None = None,
        audience: str | Iterable[str] | None = None,
        leeway: float | timedelta = 0,
        user_loader: Callable[[dict[str, Any]], Any] | None = None,
        scopes_claim: str = "scope",
        required_claims: Iterable[str] = (),
        name: str = "jwt",
    ) -> None:
        self.algorithms: tuple[str, ...] | None = (
            check_algorithms(algorithms) if algorithms is not None else None
        )
        self.secret_key = secret_key
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.user_loader = user_loader
        self.scopes_claim = scopes_claim
        self.required_claims = tuple(required_claims)
        self.name = name

    def check_deployment(self, audit: Audit) -> None:
        """``nexios check``: tokens accepted without an audience or issuer check, and the HMAC
        secret's strength."""
        if self.audience is None:
            audit.warning("jwt-audience", f"JWT backend {self.name!r} checks no audience: a token this key "
                          "signed for another service is accepted here", fix="JWTAuthBackend(audience='my-api')")
        if self.issuer is None:
            audit.warning("jwt-issuer", f"JWT backend {self.name!r} checks no issuer: tokens from any issuer "
                          "sharing the key are accepted", fix="JWTAuthBackend(issuer='https://auth.example.com')")
        if isinstance(self.secret_key, (str, bytes)) and any(a.startswith("HS") for a in self.algorithms or ()):
            if self.secret_key is not audit.config.get("secret_key"):
                audit.check_secret(self.secret_key, f"the JWT backend {self.name!r} secret_key")

    def setup(self, app: Any) -> None:
        """Fall back to the app's ``config.secret_key`` and ``config.jwt_algorithms``; refuse to
        start without a key or an algorithm allowlist."""
        config = getattr(app, "config", None)
        if self.secret_key is None:
            self.secret_key = config.get("secret_key") if config is not None else None
        if not self.secret_key:
            raise ImproperlyConfigured(_NO_KEY)
        if self.algorithms is None:
            configured = config.get("jwt_algorithms") if config is not None else None
            if not configured:
                raise ImproperlyConfigured(_NO_ALGORITHMS)
            # A string names one algorithm (config.jwt_algorithms = 'HS256'), as it does for algorithms=.
            self.algorithms = check_algorithms(configured if isinstance(configured, str) else list(configured))

    def decode(self, token: str) -> dict[str, Any] | None:
        """The verified claims of ``token``, or ``None`` if it fails verification."""
        key = self.secret_key
        if not key:
            raise ImproperlyConfigured(_NO_KEY)
        if self.algorithms is None:
            raise ImproperlyConfigured(_NO_ALGORITHMS)
        try:
            return decode_jwt(
                token,
                key,
                self.algorithms,
                issuer=self.issuer,
                audience=self.audience,
                leeway=self.leeway,
                required_claims=self.required_claims,
            )
        except jwt.PyJWTError as exc:
            logger.debug("Rejected JWT: %s", exc)
            return None

    def openapi_scheme(self) -> dict[str, Any]:
        """An ``Authorization: Bearer`` JWT, as an OpenAPI Security Scheme Object."""
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}

    async def authenticate(self, request: Request) -> AuthResult:
        """The user and scopes of a valid bearer token; ``None`` for no token or an invalid one.
        Works on a WebSocket handshake too (its headers only: a WebSocket has no body)."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        claims = self.decode(token)
        if claims is None:
            return None
        scopes = token_scopes(claims, self.scopes_claim)
        if self.user_loader is not None:
            user = await call_hook(self.user_loader, claims)
            if not is_authenticated(user):
                return None
        else:
            subject = claims.get("sub")
            if not isinstance(subject, str) or not subject:
                return None
            user = JWTUser(subject, scopes or (), claims)
        return user, scopes if scopes is not None else user_scopes(user)


__all__ = [
    "DEFAULT_EXPIRES_IN",
    "JWTAuthBackend",
    "JWTUser",
    "check_algorithms",
    "create_jwt",
    "decode_jwt",
    "token_scopes",
]
