"""Who a request counts against: key functions.

A key function takes the request and returns a string (or an awaitable of one); requests with the
same key share a limit. Returning ``None`` exempts the request. The built-in ones:

- :func:`by_client_ip` — the client address under the core's forwarded-header rules
  (:meth:`~nexios_core.request.Request.get_client_ip`): the peer address unless you say the app
  sits behind ``trusted_proxies`` proxies of your own. ``X-Forwarded-For`` is never trusted by
  default: any client can write it.
- :func:`by_user` — the authenticated user (``request.user``, set by authentication
  middleware), falling back to another key function for anonymous requests.
- :func:`by_api_key` — an API key header, stored only as a digest, falling back for requests
  without one. A client can invent keys, so pair it with a per-address rule.

Whatever a key function returns is bounded before it reaches a store: a key longer than
:data:`MAX_KEY_LENGTH` is replaced by its digest, so a hostile 100 KB header costs one hash, not
100 KB of memory per request.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from ..exceptions import ImproperlyConfigured
from ..request import Request

KeyFunction = Callable[[Request], "str | None | Awaitable[str | None]"]
"""``key(request)`` → the key the request counts against (``None``: not limited)."""

MAX_KEY_LENGTH = 128


def digest(value: str) -> str:
    """A short, fixed-size stand-in for ``value`` (BLAKE2b, 128 bits, hex)."""
    return hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def bounded(key: str) -> str:
    """``key`` itself when short, else ``"h:" + digest(key)``."""
    return key if len(key) <= MAX_KEY_LENGTH else "h:" + digest(key)


def by_client_ip(trusted_proxies: int = 0) -> KeyFunction:
    """Key by the client address. Behind ``trusted_proxies`` reverse proxies that you run (each
    appending to ``X-Forwarded-For``), the address that many entries from the right."""
    if trusted_proxies < 0:
        raise ValueError("trusted_proxies counts proxies: 0 or more")

    def client_ip(request: Request) -> str:
        # A WebSocket handshake has the same headers and peer but not the method: the rule
        # is the request's, applied to either connection.
        return "ip:" + (Request.get_client_ip(request, trusted_proxies=trusted_proxies) or "unknown")

    return client_ip


def by_user(fallback: KeyFunction | None = None) -> KeyFunction:
    """Key by the authenticated user's ``identity`` (``request.user``, as set by
    ``AuthenticationMiddleware``, which must run before the limit). Anonymous requests use
    ``fallback`` (default: :func:`by_client_ip`)."""
    other = fallback if fallback is not None else by_client_ip()

    def user(request: Request) -> Any:
        current = request.scope.get("user")
        if current is not None and _is_authenticated(current):
            identity = getattr(current, "identity", None)
            if identity is None:
                identity = getattr(current, "display_name", None) or repr(current)
            return "user:" + str(identity)
        return other(request)

    return user


def _is_authenticated(user: Any) -> bool:
    # The rule authentication middleware follows: ``is_authenticated`` may be a property or a
    # plain method (called, never true for merely existing); without it, any user object counts.
    value = getattr(user, "is_authenticated", True)
    if callable(value):
        value = value()
        if inspect.isawaitable(value):
            if inspect.iscoroutine(value):
                value.close()
            raise ImproperlyConfigured(
                f"{type(user).__name__}.is_authenticated must be a property or a plain method, not a coroutine"
            )
    return bool(value)


def by_api_key(header: str = "x-api-key", fallback: KeyFunction | None = None) -> KeyFunction:
    """Key by the value of ``header`` (stored as a digest: keys are secrets). Requests without
    it use ``fallback`` (default: :func:`by_client_ip`)."""
    name = header.lower()
    other = fallback if fallback is not None else by_client_ip()

    def api_key(request: Request) -> Any:
        value = request.headers.get(name)
        if value:
            return "key:" + digest(value)
        return other(request)

    return api_key


__all__ = ["MAX_KEY_LENGTH", "KeyFunction", "bounded", "by_api_key", "by_client_ip", "by_user", "digest"]
