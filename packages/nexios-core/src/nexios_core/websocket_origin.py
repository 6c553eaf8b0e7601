"""The WebSocket handshake's origin policy (defence against cross-site WebSocket hijacking).

Separate from :mod:`.websocket` because it is a pure function of the scope and a setting: the router
applies it before any ``WebSocket`` exists, and it needs nothing from a connection.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from .types import Scope

_DEFAULT_PORTS = {"http": 80, "https": 443}
# The page scheme that is the same origin as a WebSocket connection of each scheme.
_HTTP_SCHEME_OF = {"ws": "http", "wss": "https", "http": "http", "https": "https"}


def origin_is_allowed(scope: Scope, allowed_origins: Sequence[str] | None) -> bool:
    """Whether a WebSocket handshake's ``Origin`` is acceptable (defence against cross-site
    WebSocket hijacking, which browsers do not prevent on their own).

    * No ``Origin`` header: allowed, whatever the setting. Browsers always send one, so its absence
      means a non-browser client, which cannot carry a victim's cookies anyway.
    * ``allowed_origins`` is ``None``: same-origin only; the origin's scheme must match the
      connection's (``https`` for ``wss``, ``http`` for ``ws``) and its host and port must equal
      the ``Host`` header's (a port left out means the default port of the scheme). Behind a
      TLS-terminating proxy the server must report ``wss`` (uvicorn's ``--proxy-headers`` with
      ``--forwarded-allow-ips``), or list the public origin in ``allowed_origins``.
    * ``["*"]`` (``"*"`` anywhere in the list): any origin.
    * Otherwise: the origin string must equal one of the entries exactly (``"https://a.example"``).

    Several ``Origin`` headers are refused as ambiguous.
    """
    origins = [value for name, value in scope.get("headers", ()) if name == b"origin"]
    if not origins:
        return True
    if len(origins) > 1:
        return False
    origin = origins[0].decode("latin-1")
    if allowed_origins is None:
        host = next((value for name, value in scope.get("headers", ()) if name == b"host"), None)
        scheme = _HTTP_SCHEME_OF.get(scope.get("scheme") or "ws")
        return host is not None and scheme is not None and _same_origin(origin, host.decode("latin-1"), scheme)
    return "*" in allowed_origins or origin in allowed_origins


def _same_origin(origin: str, host_header: str, connection_scheme: str) -> bool:
    origin_host_port = _origin_host_port(origin)
    if origin_host_port is None:
        return False
    hostname, port, scheme = origin_host_port
    if scheme != connection_scheme:
        # A page served over https may not open ws:// to its host, nor a page on http:// open
        # wss://: different schemes are different origins.
        return False
    try:
        host_parts = urlsplit(f"//{host_header}")
        host_port = host_parts.port
    except ValueError:
        return False
    if host_parts.hostname is None or host_parts.username is not None or host_parts.path:
        return False
    return host_parts.hostname == hostname and (host_port or _DEFAULT_PORTS[scheme]) == port


def _origin_host_port(origin: str) -> tuple[str, int, str] | None:
    """``(hostname, port, scheme)`` of a serialised origin, or ``None`` if it is not one."""
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    if parts.path or parts.query or parts.fragment or parts.username is not None:
        return None
    return parts.hostname, port or _DEFAULT_PORTS[parts.scheme], parts.scheme


__all__ = ["origin_is_allowed"]
