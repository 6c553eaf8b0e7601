"""Header and cookie shortcuts every response has: several headers or cookies at once, a
long-lived cookie, a Content-Security-Policy, and "never cache this" (upstream Nexios's helpers).

Kept apart from :mod:`.responses` so that module stays about building and sending a response.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from .datastructures import MutableHeaders

_R = TypeVar("_R", bound="ResponseHeaderHelpers")

PERMANENT_COOKIE_MAX_AGE = 10 * 365 * 24 * 60 * 60
"""Ten years: what :meth:`ResponseHeaderHelpers.set_permanent_cookie` gives a cookie."""


class ResponseHeaderHelpers:
    """Mixed into every response class."""

    __slots__ = ()

    if TYPE_CHECKING:

        @property
        def headers(self) -> MutableHeaders: ...

    def set_headers(self: _R, headers: Mapping[str, str], overide_all: bool = False) -> _R:
        """Set each header of ``headers`` (replacing earlier values of the same names).
        ``overide_all=True`` first removes every header already set."""
        view = self.headers
        if overide_all:
            for name in list(view.keys()):
                del view[name]
        for key, value in headers.items():
            view[key] = value
        return self

    def set_cookies(self: _R, cookies: Iterable[Mapping[str, Any]]) -> _R:
        """Set several cookies: each item holds ``set_cookie``'s arguments
        (``{"key": "theme", "value": "dark", "max_age": 3600}``)."""
        for cookie in cookies:
            options = dict(cookie)
            try:
                key = options.pop("key")
            except KeyError:
                raise TypeError(f"set_cookies: {cookie!r} has no 'key'") from None
            cast(Any, self).set_cookie(key, **options)
        return self

    def set_permanent_cookie(self: _R, key: str, value: str, **options: Any) -> _R:
        """A cookie that lasts ten years (``max_age`` of 315,360,000 seconds); the other options
        are ``set_cookie``'s."""
        options.setdefault("max_age", PERMANENT_COOKIE_MAX_AGE)
        cast(Any, self).set_cookie(key, value, **options)
        return self

    def add_csp_header(self: _R, policy: str) -> _R:
        """Set ``Content-Security-Policy`` to ``policy`` (``"default-src 'self'"``)."""
        self.headers["content-security-policy"] = policy
        return self

    def no_cache(self: _R) -> _R:
        """Tell browsers and proxies never to reuse this response (``Cache-Control: no-cache,
        no-store, must-revalidate``, with ``Pragma`` and ``Expires`` for HTTP/1.0 caches)."""
        view = self.headers
        view["cache-control"] = "no-cache, no-store, must-revalidate"
        view["pragma"] = "no-cache"
        view["expires"] = "0"
        return self


__all__ = ["PERMANENT_COOKIE_MAX_AGE", "ResponseHeaderHelpers"]
