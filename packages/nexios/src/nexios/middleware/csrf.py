"""``nexios.middleware.csrf``: CSRF protection and the template helpers."""

from __future__ import annotations

from nexios_auth.csrf import CSRFMiddleware, csrf_input, csrf_token

__all__ = ["CSRFMiddleware", "csrf_input", "csrf_token"]
