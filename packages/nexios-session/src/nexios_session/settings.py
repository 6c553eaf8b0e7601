"""Session settings: read from ``app.config.session`` and ``SessionMiddleware(...)`` options,
checked once at start-up, and turned into a backend.

Keys of the ``session`` config section (every one optional):

============================ =================== ==================================================
key                          default             meaning
============================ =================== ==================================================
``cookie_name``              ``"session_id"``    name of the session cookie
``path``                     ``"/"``             cookie ``Path``
``domain``                   ``None``            cookie ``Domain`` (host-only when ``None``)
``secure``                   ``None``            ``Secure``; ``None`` sets it on https requests
``httponly``                 ``True``            cookie ``HttpOnly``
``samesite``                 ``"lax"``           ``"lax"``, ``"strict"``, ``"none"`` or ``None``
``partitioned``              ``False``           cookie ``Partitioned`` (CHIPS)
``max_age``                  ``1209600`` (14 d)  seconds a session lives after its last save
``refresh_each_request``     ``False``           save (and extend) the session on every use
``backend``                  ``"signed_cookie"`` ``"signed_cookie"``, ``"file"``, ``"redis"``, a
                                                 backend class, or a backend instance
``backend_options``          ``{}``              keyword arguments for a backend given by name or
                                                 class (``{"url": "redis://..."}``,
                                                 ``{"directory": "/var/lib/app/sessions"}``)
============================ =================== ==================================================

An unknown key is refused at start-up, so a typo cannot silently leave a default in force. (The
``nexios`` facade translates upstream Nexios's key names into these before the check.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from nexios_core import ImproperlyConfigured, format_set_cookie

from .file import FileSessionManager
from .interface import DEFAULT_MAX_AGE, CookieSessionBackend, SessionBackend
from .signed_cookies import SecretKey, SignedSessionManager

Backend = SessionBackend | CookieSessionBackend

_SIGNED_COOKIE_NAMES = frozenset({"signed_cookie", "signed_cookies", "cookie"})


@dataclass(frozen=True)
class SessionSettings:
    """Validated session settings (see the module documentation for each field)."""

    cookie_name: str = "session_id"
    path: str = "/"
    domain: str | None = None
    secure: bool | None = None
    httponly: bool = True
    samesite: str | None = "lax"
    partitioned: bool = False
    max_age: int = DEFAULT_MAX_AGE
    refresh_each_request: bool = False
    backend: Any = "signed_cookie"
    backend_options: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_config(cls, section: Mapping[str, Any] | None, overrides: Mapping[str, Any]) -> SessionSettings:
        """Settings from a config section, then ``overrides`` (constructor options) on top."""
        values: dict[str, Any] = {}
        known = set(cls.__dataclass_fields__)
        for key, value in (section or {}).items():
            if value is None:
                continue
            name = key
            if name not in known:
                raise ImproperlyConfigured(
                    f"Unknown session setting {key!r}; known settings: {', '.join(sorted(known))}"
                )
            if name == "backend_options":
                values.setdefault("backend_options", {}).update(dict(value))
            else:
                values[name] = value
        for name, value in overrides.items():
            if name == "backend_options":
                values.setdefault("backend_options", {}).update(dict(value))
            else:
                values[name] = value
        return replace(cls(), **values).validated()

    def validated(self) -> SessionSettings:
        """These settings, or :class:`ImproperlyConfigured` saying what is wrong."""
        if not isinstance(self.max_age, int) or isinstance(self.max_age, bool) or self.max_age <= 0:
            raise ImproperlyConfigured(f"Session max_age must be a positive number of seconds, not {self.max_age!r}")
        samesite = self.samesite.lower() if isinstance(self.samesite, str) else self.samesite
        if samesite not in ("lax", "strict", "none", None):
            raise ImproperlyConfigured(
                f"Session samesite must be 'lax', 'strict', 'none' or None, not {self.samesite!r}"
            )
        if not isinstance(self.path, str) or not self.path.startswith("/"):
            raise ImproperlyConfigured(f"Session cookie path must start with '/', not {self.path!r}")
        try:
            format_set_cookie(self.cookie_name, "x", path=self.path, domain=self.domain)
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(f"Session cookie name {self.cookie_name!r} is not a valid cookie name") from exc
        if not isinstance(self.backend_options, Mapping):
            raise ImproperlyConfigured("Session backend_options must be a mapping of keyword arguments")
        return replace(self, samesite=samesite, backend_options=dict(self.backend_options))

    def build_backend(self, secret_key: SecretKey) -> Backend:
        """The backend these settings name, given the app's secret key."""
        spec, options = self.backend, dict(self.backend_options)
        if isinstance(spec, str):
            name = spec.lower()
            if name in _SIGNED_COOKIE_NAMES:
                spec = SignedSessionManager
            elif name == "file":
                spec = FileSessionManager
            elif name == "redis":
                from .redis import RedisSessionManager  # needs the optional redis package

                spec = RedisSessionManager
            else:
                raise ImproperlyConfigured(
                    f"Unknown session backend {spec!r}: use 'signed_cookie', 'file', 'redis', "
                    "a backend class or a backend instance"
                )
        if isinstance(spec, type):
            try:
                backend: Any = spec(**options)
            except TypeError as exc:
                raise ImproperlyConfigured(f"Session backend_options do not fit {spec.__name__}: {exc}") from exc
        elif options:
            raise ImproperlyConfigured("Session backend_options apply only to a backend given by name or class")
        else:
            backend = spec
        ensure_secret_key = getattr(backend, "ensure_secret_key", None)
        if callable(ensure_secret_key):
            ensure_secret_key(secret_key)
        if not isinstance(backend, (CookieSessionBackend, SessionBackend)):
            raise ImproperlyConfigured(
                f"{backend!r} is not a session backend: implement load/save/delete "
                "(nexios_session.SessionBackend) or encode/decode (nexios_session.CookieSessionBackend)"
            )
        return backend


__all__ = ["Backend", "SessionSettings"]
