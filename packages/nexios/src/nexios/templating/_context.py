"""The variables every template rendered for a request sees."""

from __future__ import annotations

from typing import Any

from nexios_auth.csrf import csrf_input, csrf_token


def base_context(request: Any) -> dict[str, Any]:
    """``request``, ``url_for(name, **params)`` (the app's route paths), ``csrf_token()`` and
    ``csrf_input()`` (a hidden form field; both need ``CSRFMiddleware``)."""
    return {
        "request": request,
        "url_for": lambda name, **params: _url_for(request, name, params),
        "csrf_token": lambda: csrf_token(request),
        "csrf_input": lambda: csrf_input(request),
    }


def _url_for(request: Any, name: str, params: dict[str, Any]) -> str:
    app = request.app
    url_for = getattr(app, "url_for", None)
    if url_for is None:
        url_for = getattr(getattr(app, "dispatcher", None), "url_for", None)
    if url_for is None:
        raise RuntimeError("url_for() in a template needs an app with routes (NexiosApp or a Router)")
    path: str = url_for(name, **params)
    root = (request.scope.get("root_path") or "").rstrip("/")
    return root + path if root and not path.startswith(root + "/") else path


__all__ = ["base_context"]
