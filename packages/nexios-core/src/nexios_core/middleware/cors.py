"""Cross-Origin Resource Sharing (CORS) as a pure ASGI middleware.

The policy is secure by default (see ``shared/SECURITY.md``): nothing is shared unless origins
are configured, credentials are off, ``*`` together with credentials is refused at start-up,
origins match exactly (a regex must match the whole origin), every response whose CORS headers
depend on ``Origin`` carries ``Vary: Origin``, and a preflight asking for a method or header that
is not allowed is refused with 400.

Usage::

    app = CORSMiddleware(app, allow_origins=["https://example.com"], allow_methods=["GET", "POST"])
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..exceptions import ImproperlyConfigured
from ..types import ASGIApp, Message, Receive, Scope, Send

RawHeaders = list[tuple[bytes, bytes]]

# A browser may always send these request headers; it lists them in a preflight only when their
# values are not "simple" (e.g. ``Content-Type: application/json``). The origin allow list is the
# trust boundary, so refusing them would only break ordinary JSON calls from trusted origins.
SAFELISTED_HEADERS = frozenset({"accept", "accept-language", "content-language", "content-type"})

MAX_ORIGIN_LENGTH = 2048
"""Longer ``Origin`` values are never allowed by ``allow_origin_regex`` (real ones are short)."""
# RFC 9110 token: what a method or a header name may be made of.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# A serialized origin: scheme "://" host [":" port], nothing after it (no path, no slash).
_ORIGIN = re.compile(r"[a-z][a-z0-9+.\-]*://(?:\[[0-9a-f:.]+\]|[^/?#:@\s\[\]]+)(?::[0-9]{1,5})?")

_KNOWN_CONFIG_KEYS = (
    "allow_origins",
    "allow_origin_regex",
    "allow_methods",
    "allow_headers",
    "allow_credentials",
    "expose_headers",
    "max_age",
    "blacklist_origins",
    "blacklist_headers",
    "dynamic_origin_validator",
    "strict_origin_checking",
    "debug",
    "custom_error_status",
    "custom_error_messages",
)
logger = logging.getLogger("nexios.cors")


def _json_error(detail: str) -> bytes:
    return json.dumps({"detail": detail}, separators=(",", ":")).encode("utf-8")


_DEFAULT_MESSAGES = {
    "disallowed_origin": "CORS origin not allowed",
    "disallowed_method": "CORS method not allowed",
    "disallowed_header": "CORS request headers not allowed",
    "missing_origin": "CORS request without an Origin header",
}


class CORSMiddleware:
    """Answer CORS preflights and add CORS headers to responses for allowed origins.

    ``allow_origins`` lists exact origins (``"https://example.com"``) or ``"*"`` for any origin;
    ``allow_origin_regex`` must match a whole origin. With neither, the middleware adds nothing.
    ``allow_methods`` and ``allow_headers`` accept ``"*"`` to allow any method or request header.
    ``allow_credentials`` lets browsers send cookies and read the response; it cannot be combined
    with ``allow_origins=["*"]``. ``expose_headers`` lists response headers scripts may read.
    ``max_age`` is how many seconds a browser may cache a preflight answer.

    ``blacklist_origins`` are never allowed, whatever else says so; ``blacklist_headers`` are
    refused in a preflight even under ``allow_headers=["*"]``. ``dynamic_origin_validator(origin)``
    decides for an origin that neither the list nor the regex allows (it runs per request: keep it
    fast). ``strict_origin_checking=True`` refuses every request without an ``Origin`` header
    (same-origin page loads included). Refusals answer ``custom_error_status`` (400) with
    ``{"detail": ...}``, the text taken from ``custom_error_messages`` (keys
    ``disallowed_origin``, ``disallowed_method``, ``disallowed_header``, ``missing_origin``);
    ``debug=True`` logs each refusal and why.

    Preflights (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) are answered
    here and never reach the wrapped app: 200 when allowed, the error status and no
    ``Access-Control-Allow-*`` headers otherwise. Other requests always reach the app; responses
    get CORS headers only when their origin is allowed. Non-HTTP scopes pass through untouched.

    Raises :class:`~nexios_core.exceptions.ImproperlyConfigured` for settings that cannot be
    right (``"*"`` with credentials, an origin with a path, an invalid regex).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        allow_origins: Iterable[str] = (),
        allow_origin_regex: str | None = None,
        allow_methods: Iterable[str] = ("GET",),
        allow_headers: Iterable[str] = (),
        allow_credentials: bool = False,
        expose_headers: Iterable[str] = (),
        max_age: int = 600,
        blacklist_origins: Iterable[str] = (),
        blacklist_headers: Iterable[str] = (),
        dynamic_origin_validator: Callable[[str], bool] | None = None,
        strict_origin_checking: bool = False,
        debug: bool = False,
        custom_error_status: int = 400,
        custom_error_messages: Mapping[str, str] | None = None,
    ) -> None:
        self.app = app
        origins = _as_tuple(allow_origins, "allow_origins")
        methods = _as_tuple(allow_methods, "allow_methods")
        headers = _as_tuple(allow_headers, "allow_headers")
        exposed = _as_tuple(expose_headers, "expose_headers")

        self.allow_any_origin = "*" in origins
        if self.allow_any_origin and allow_credentials:
            raise ImproperlyConfigured(
                "CORS: allow_origins=['*'] cannot be combined with allow_credentials=True; "
                "browsers refuse it and reflecting every origin would let any site act as the "
                "user. List the trusted origins explicitly, e.g. "
                "allow_origins=['https://app.example.com']."
            )
        if isinstance(max_age, bool) or not isinstance(max_age, int) or max_age < 0:
            raise ImproperlyConfigured(f"CORS: max_age must be a non-negative int, got {max_age!r}")

        self.allow_origins = frozenset(_check_origin(origin) for origin in origins if origin != "*")
        self.origin_regex: re.Pattern[str] | None = None
        if allow_origin_regex is not None:
            try:
                self.origin_regex = re.compile(allow_origin_regex)
            except re.error as exc:
                raise ImproperlyConfigured(
                    f"CORS: allow_origin_regex {allow_origin_regex!r} is not a valid regular "
                    f"expression: {exc}"
                ) from exc
        self.blacklist_origins = frozenset(
            _check_origin(origin) for origin in _as_tuple(blacklist_origins, "blacklist_origins")
        )
        if dynamic_origin_validator is not None and not callable(dynamic_origin_validator):
            raise ImproperlyConfigured("CORS: dynamic_origin_validator must be a function (origin) -> bool")
        self.origin_validator = dynamic_origin_validator
        self.strict_origin_checking = bool(strict_origin_checking)
        self.debug = bool(debug)
        if isinstance(custom_error_status, bool) or not isinstance(custom_error_status, int) or not (
            400 <= custom_error_status <= 599
        ):
            raise ImproperlyConfigured(
                f"CORS: custom_error_status must be an error status (400-599), got {custom_error_status!r}"
            )
        self.error_status = custom_error_status
        messages = {**_DEFAULT_MESSAGES, **dict(custom_error_messages or {})}
        unknown_messages = sorted(set(messages) - set(_DEFAULT_MESSAGES))
        if unknown_messages:
            raise ImproperlyConfigured(
                f"CORS: unknown custom_error_messages key(s) {unknown_messages}; the keys are "
                f"{sorted(_DEFAULT_MESSAGES)}"
            )
        self._errors = {kind: _json_error(str(text)) for kind, text in messages.items()}
        self.enabled = bool(
            self.allow_any_origin or self.allow_origins or self.origin_regex or self.origin_validator
            or self.strict_origin_checking
        )
        # "*" answers without looking at Origin, unless some origin must still be told apart.
        self._origin_blind = self.allow_any_origin and not self.blacklist_origins

        self.allow_any_method = "*" in methods
        self.allow_methods = frozenset(_check_token(m, "allow_methods").upper() for m in methods)
        self.allow_any_header = "*" in headers
        self.allow_headers = SAFELISTED_HEADERS | frozenset(
            _check_token(h, "allow_headers").lower() for h in headers if h != "*"
        )
        self.blacklist_headers = frozenset(
            _check_token(h, "blacklist_headers").lower() for h in _as_tuple(blacklist_headers, "blacklist_headers")
        )
        self.allow_credentials = allow_credentials
        self.max_age = max_age

        # Everything a response needs is encoded once here, not per request.
        self._methods_value = ", ".join(sorted(self.allow_methods - {"*"})).encode("latin-1")
        self._headers_value = ", ".join(sorted(self.allow_headers)).encode("latin-1")
        expose_value = ", ".join(_check_token(h, "expose_headers") for h in exposed)
        self._response_extra: RawHeaders = []
        if allow_credentials:
            self._response_extra.append((b"access-control-allow-credentials", b"true"))
        if expose_value:
            self._response_extra.append(
                (b"access-control-expose-headers", expose_value.encode("latin-1"))
            )
        self._preflight_extra: RawHeaders = [(b"access-control-max-age", str(max_age).encode())]
        if allow_credentials:
            self._preflight_extra.append((b"access-control-allow-credentials", b"true"))

    @classmethod
    def from_config(cls, app: ASGIApp, mapping: Mapping[str, Any] | None) -> CORSMiddleware:
        """Build the middleware from a mapping such as the app's ``config.cors``.

        The keys are the keyword arguments of the constructor. ``None`` or an empty mapping leaves
        CORS off. An unknown key raises, because a misspelt one (``allow_origin``) would otherwise
        silently disable the policy the user meant to set.
        """
        options = dict(mapping or {})
        unknown = sorted(set(options) - set(_KNOWN_CONFIG_KEYS))
        if unknown:
            raise ImproperlyConfigured(
                f"CORS config has unknown key(s) {unknown}; the known keys are "
                f"{list(_KNOWN_CONFIG_KEYS)}."
            )
        return cls(app, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.enabled:
            await self.app(scope, receive, send)
            return

        origin: bytes | None = None
        request_method: bytes | None = None
        request_headers: bytes | None = None
        origin_count = 0
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value
                origin_count += 1
            elif name == b"access-control-request-method":
                request_method = value
            elif name == b"access-control-request-headers":
                request_headers = (
                    value if request_headers is None else request_headers + b"," + value
                )

        if origin is None and self.strict_origin_checking:
            await self._refuse(send, [], "missing_origin", "no Origin header")
            return
        # Several Origin headers are never sent by a browser; treat the request as untrusted.
        allowed = origin is not None and origin_count == 1 and self._origin_allowed(origin)

        if scope["method"] == "OPTIONS" and origin is not None and request_method is not None:
            await self._answer_preflight(send, origin, allowed, request_method, request_headers)
            return

        if self._origin_blind:
            # The answer does not depend on Origin, so no Vary and no need to read it.
            await self.app(scope, receive, self._wrap_send(send, b"*", vary=False))
        elif allowed:
            assert origin is not None
            await self.app(scope, receive, self._wrap_send(send, origin, vary=True))
        else:
            # Not shared, but a cache must still know the answer would differ for another origin.
            await self.app(scope, receive, self._wrap_send(send, None, vary=True))

    def _origin_allowed(self, origin: bytes) -> bool:
        if self._origin_blind:
            return True
        text = origin.decode("latin-1")
        if self.blacklist_origins and text.strip().lower() in self.blacklist_origins:
            return False
        if self.allow_any_origin or text in self.allow_origins:
            return True
        # The app's regex may backtrack; no real origin is this long, so it never sees one that is.
        if (
            self.origin_regex is not None
            and len(text) <= MAX_ORIGIN_LENGTH
            and self.origin_regex.fullmatch(text) is not None
        ):
            return True
        validator = self.origin_validator
        if validator is None or len(text) > MAX_ORIGIN_LENGTH:
            return False
        try:
            return validator(text) is True
        except Exception:  # a broken validator must fail closed, not answer 500
            logger.exception("CORS dynamic_origin_validator failed for %r; origin refused", text)
            return False

    async def _refuse(self, send: Send, headers: RawHeaders, kind: str, why: str) -> None:
        if self.debug:
            logger.warning("CORS request refused: %s", why)
        body = self._errors[kind]
        headers.append((b"content-type", b"application/json"))
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": self.error_status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _answer_preflight(
        self,
        send: Send,
        origin: bytes,
        allowed: bool,
        request_method: bytes,
        request_headers: bytes | None,
    ) -> None:
        headers: RawHeaders = []
        if not self._origin_blind:
            headers.append((b"vary", b"Origin"))
        if not allowed:
            await self._refuse(send, headers, "disallowed_origin", f"origin {origin!r} is not allowed")
            return

        method = request_method.decode("latin-1").strip()
        if not _TOKEN.fullmatch(method) or not (
            self.allow_any_method or method in self.allow_methods
        ):
            await self._refuse(send, headers, "disallowed_method", f"method {method!r} is not allowed")
            return

        requested = _parse_header_list(request_headers)
        if requested is None or not (
            self.allow_any_header or all(h in self.allow_headers for h in requested)
        ) or any(h in self.blacklist_headers for h in requested):
            await self._refuse(send, headers, "disallowed_header", f"request headers {request_headers!r} not allowed")
            return

        headers.append((b"access-control-allow-origin", b"*" if self._origin_blind else origin))
        # Echoing the requested method/headers (rather than "*") keeps "allow any" working with
        # credentials, where browsers read "*" literally.
        headers.append(
            (
                b"access-control-allow-methods",
                method.encode("latin-1") if self.allow_any_method else self._methods_value,
            )
        )
        if self.allow_any_header:
            if requested:
                headers.append((b"access-control-allow-headers", ", ".join(requested).encode()))
        elif self._headers_value:
            headers.append((b"access-control-allow-headers", self._headers_value))
        headers.extend(self._preflight_extra)
        headers.append((b"content-length", b"0"))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    def _wrap_send(self, send: Send, allow_origin: bytes | None, *, vary: bool) -> Send:
        extra = self._response_extra

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: RawHeaders = [
                    (name, value)
                    for name, value in message.get("headers", ())
                    if not (allow_origin is not None and name.lower() in _OWNED_RESPONSE_HEADERS)
                ]
                if allow_origin is not None:
                    headers.append((b"access-control-allow-origin", allow_origin))
                    headers.extend(extra)
                if vary:
                    _add_vary(headers, b"Origin")
                message["headers"] = headers
            await send(message)

        return send_with_cors


# When this middleware shares a response, its policy replaces whatever the app set for these.
_OWNED_RESPONSE_HEADERS = frozenset(
    {
        b"access-control-allow-origin",
        b"access-control-allow-credentials",
        b"access-control-expose-headers",
    }
)


def _add_vary(headers: RawHeaders, field: bytes) -> None:
    """Add ``field`` to the response's ``Vary`` unless it (or ``*``) is already listed."""
    wanted = field.lower()
    for index, (name, value) in enumerate(headers):
        if name.lower() == b"vary":
            listed = [part.strip().lower() for part in value.split(b",")]
            if wanted in listed or b"*" in listed:
                return
            headers[index] = (name, value + b", " + field if value.strip() else field)
            return
    headers.append((b"vary", field))


def _parse_header_list(value: bytes | None) -> list[str] | None:
    """Lower-cased names from ``Access-Control-Request-Headers``; ``None`` if malformed."""
    if value is None:
        return []
    names = []
    for part in value.decode("latin-1").split(","):
        name = part.strip().lower()
        if not name:
            continue
        if not _TOKEN.fullmatch(name):
            return None
        names.append(name)
    return names


def _as_tuple(value: Iterable[str], option: str) -> tuple[str, ...]:
    # A bare string is a common slip (allow_origins="https://a.com"); read it as one item
    # instead of iterating its characters.
    if isinstance(value, str):
        return (value,)
    items = tuple(value)
    for item in items:
        if not isinstance(item, str):
            raise ImproperlyConfigured(f"CORS: {option} must contain strings, got {item!r}")
    return items


def _check_origin(origin: str) -> str:
    normalized = origin.strip().lower()
    if normalized == "null":
        return normalized
    if not _ORIGIN.fullmatch(normalized):
        trimmed = normalized.rstrip("/")
        suggestion = (
            f"did you mean {trimmed!r}?"
            if _ORIGIN.fullmatch(trimmed)
            else "e.g. 'https://example.com'."
        )
        raise ImproperlyConfigured(
            f"CORS: {origin!r} is not an origin. An origin is scheme://host[:port] with no "
            f"path or trailing slash; {suggestion}"
        )
    return normalized


def _check_token(value: str, option: str) -> str:
    if value != "*" and not _TOKEN.fullmatch(value):
        raise ImproperlyConfigured(f"CORS: {value!r} in {option} is not a valid HTTP token")
    return value


__all__ = ["SAFELISTED_HEADERS", "CORSMiddleware"]
