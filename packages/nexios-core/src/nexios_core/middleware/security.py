"""Security response headers as a pure ASGI middleware.

Adds a conservative set of browser protections to every HTTP response, without overriding a
header the app (or a route) already set, so a page that needs a looser policy can say so itself.

Usage::

    app = SecurityHeadersMiddleware(app, content_security_policy="default-src 'self'")
"""

from __future__ import annotations

from ..exceptions import ImproperlyConfigured
from ..types import ASGIApp, Message, Receive, Scope, Send

RawHeaders = list[tuple[bytes, bytes]]

ONE_YEAR = 365 * 24 * 60 * 60


class SecurityHeadersMiddleware:
    """Add security headers to HTTP responses unless the response already has them.

    Every option is the header's value; ``None`` leaves the header out.

    - ``content_type_options``: ``X-Content-Type-Options``, default ``"nosniff"``.
    - ``frame_options``: ``X-Frame-Options``, default ``"DENY"`` (``"SAMEORIGIN"`` to allow
      framing by your own pages).
    - ``referrer_policy``: ``Referrer-Policy``, default ``"strict-origin-when-cross-origin"``.
    - ``cross_origin_opener_policy``: ``Cross-Origin-Opener-Policy``, default ``"same-origin"``
      (use ``"same-origin-allow-popups"`` for OAuth-style popups).
    - ``content_security_policy``: ``Content-Security-Policy``, default ``None`` because only the
      app knows which sources its pages load.
    - ``permissions_policy``: ``Permissions-Policy``, default ``None``.
    - ``hsts_max_age``: seconds for ``Strict-Transport-Security``, default one year; ``None``
      disables it. HSTS is sent only on ``https`` requests, since browsers ignore it over http
      and sending it there would advertise a policy the connection cannot back.
    - ``hsts_include_subdomains`` / ``hsts_preload``: the HSTS flags, both off by default
      (each commits every subdomain to https; preload also needs a year and subdomains).

    Non-HTTP scopes pass through untouched.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        content_type_options: str | None = "nosniff",
        frame_options: str | None = "DENY",
        referrer_policy: str | None = "strict-origin-when-cross-origin",
        cross_origin_opener_policy: str | None = "same-origin",
        content_security_policy: str | None = None,
        permissions_policy: str | None = None,
        hsts_max_age: int | None = ONE_YEAR,
        hsts_include_subdomains: bool = False,
        hsts_preload: bool = False,
    ) -> None:
        self.app = app
        candidates = (
            (b"x-content-type-options", content_type_options),
            (b"x-frame-options", frame_options),
            (b"referrer-policy", referrer_policy),
            (b"cross-origin-opener-policy", cross_origin_opener_policy),
            (b"content-security-policy", content_security_policy),
            (b"permissions-policy", permissions_policy),
        )
        # Encoded once; each response only checks which of these it already carries.
        self._plain: RawHeaders = [
            (name, _encode(name, value)) for name, value in candidates if value is not None
        ]
        self._secure: RawHeaders = list(self._plain)
        if hsts_max_age is not None:
            hsts = _hsts_value(hsts_max_age, hsts_include_subdomains, hsts_preload)
            self._secure.append((b"strict-transport-security", hsts.encode("latin-1")))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        defaults = self._secure if scope.get("scheme") == "https" else self._plain
        if not defaults:
            await self.app(scope, receive, send)
            return

        async def send_with_security_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: RawHeaders = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(item for item in defaults if item[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_security_headers)


def _encode(name: bytes, value: str) -> bytes:
    if "\r" in value or "\n" in value or not value.strip():
        raise ImproperlyConfigured(
            f"Security headers: the value for {name.decode()} must be a non-empty single line, "
            f"got {value!r}; pass None to leave the header out"
        )
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError as exc:
        raise ImproperlyConfigured(
            f"Security headers: the value for {name.decode()} must be latin-1 text, got {value!r}"
        ) from exc


def _hsts_value(max_age: int, include_subdomains: bool, preload: bool) -> str:
    if isinstance(max_age, bool) or not isinstance(max_age, int) or max_age < 0:
        raise ImproperlyConfigured(
            f"Security headers: hsts_max_age must be a non-negative int or None, got {max_age!r}"
        )
    if preload and (not include_subdomains or max_age < ONE_YEAR):
        # Browsers' preload lists reject anything less, so the flag would promise nothing.
        raise ImproperlyConfigured(
            "Security headers: hsts_preload=True needs hsts_include_subdomains=True and "
            f"hsts_max_age of at least {ONE_YEAR} (one year)"
        )
    value = f"max-age={max_age}"
    if include_subdomains:
        value += "; includeSubDomains"
    if preload:
        value += "; preload"
    return value


__all__ = ["ONE_YEAR", "SecurityHeadersMiddleware"]
