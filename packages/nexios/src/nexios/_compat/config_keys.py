"""Upstream Nexios's settings keys, translated into ours at start-up (``NexiosApp.build``).

The implementation packages read one name per setting (``config.session.cookie_name``,
``config.csrf_exempt_paths``...). Apps written for upstream Nexios use other names; this module
rewrites them once, before the middleware reads the config, so nothing is looked up per request.

Where upstream's setting means something unsafe, there is no silent translation: a safe reading
is used when one exists (and logged), otherwise the app refuses to start with a message naming
the setting and the fix.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from nexios_auth import CSRFMiddleware
from nexios_core import ImproperlyConfigured, MakeConfig
from nexios_session import FileSessionManager

from .session import SessionManagerBackend, is_upstream_session_class

logger = logging.getLogger("nexios.compat")

SESSION_KEYS = {
    "session_cookie_name": "cookie_name",
    "session_cookie_path": "path",
    "session_cookie_domain": "domain",
    "session_cookie_secure": "secure",
    "session_cookie_httponly": "httponly",
    "session_cookie_samesite": "samesite",
    "session_cookie_partitioned": "partitioned",
    "session_expiration_time": "max_age",
    "session_refresh_each_request": "refresh_each_request",
    "expiry": "max_age",
    "cookie_path": "path",
    "cookie_domain": "domain",
    "cookie_secure": "secure",
    "cookie_httponly": "httponly",
    "cookie_samesite": "samesite",
}
"""Upstream's session keys (its code's ``session_*`` and its guide's ``cookie_*``) and ours."""

SESSION_DIRECTORY_KEYS = ("session_file_storage_path", "session_file_name", "directory")
"""Upstream's keys for the file backend's directory (``backend_options["directory"]``)."""

SESSION_IGNORED_KEYS = {
    "session_permanent": "sessions always expire after max_age (a session that never expires "
                         "outlives every logout and stolen cookie)",
    "prefix": "session files are named by their id alone",
}

CSRF_KEYS = {"csrf_exempt_urls": "csrf_exempt_paths"}
"""Upstream's CSRF keys with another name here (the other ``csrf_*`` keys are the same)."""

_PLAIN_PATH = re.compile(r"/[A-Za-z0-9_~!$&'()+,;=:@%/.-]*")


def translate_upstream_config(config: MakeConfig, middleware: Sequence[Any] = (), *, warn: bool = True) -> None:
    """Rewrite upstream Nexios's keys in ``config`` into ours (see the module docstring), in
    place. ``middleware`` is the app's function middleware (CSRF settings are checked only when
    a ``CSRFMiddleware`` is among it). Idempotent; ``warn=False`` skips the CSRF warnings (an app
    builds more than once at start-up, and says them once)."""
    section = config.get("session")
    if isinstance(section, Mapping):
        translated = translate_session_section(section)
        if translated is not None:
            _write(config, "session", translated)
    for upstream, ours in CSRF_KEYS.items():
        value = config.get(upstream)
        if value is not None and config.get(ours) is None:
            _write(config, ours, [csrf_path_pattern(upstream, item) for item in value])
    if any(isinstance(item, CSRFMiddleware) for item in middleware):
        _check_csrf_settings(config, warn)


def translate_session_section(section: Mapping[str, Any]) -> dict[str, Any] | None:
    """Our session section for an upstream one; ``None`` when it has nothing to translate."""
    if not any(key in section for key in (*SESSION_KEYS, *SESSION_DIRECTORY_KEYS, *SESSION_IGNORED_KEYS,
                                          "manager")):
        return None
    ours: dict[str, Any] = {}
    options: dict[str, Any] = dict(section.get("backend_options") or {})
    for key, value in section.items():
        if key in SESSION_IGNORED_KEYS:
            if value not in (None, False):
                logger.warning("Session setting %r is ignored: %s.", key, SESSION_IGNORED_KEYS[key])
        elif key in SESSION_DIRECTORY_KEYS:
            if value is not None:
                options.setdefault("directory", value)
        elif key == "manager":
            ours["backend"] = SessionManagerBackend(value) if is_upstream_session_class(value) else value
        elif key != "backend_options":
            name = SESSION_KEYS.get(key, key)
            if value is not None or name not in ours:
                ours[name] = value
    backend = ours.get("backend", "signed_cookie")
    if options and (backend is FileSessionManager or backend == "file"):
        ours["backend_options"] = options
    elif options and "backend_options" in section:
        ours["backend_options"] = options
    elif options:
        logger.warning("Session directory settings are ignored: the session backend %r does not store "
                       "files.", backend)
    return ours


def csrf_path_pattern(setting: str, pattern: Any) -> str:
    """Our path pattern for one of upstream's CSRF URL regexes: ``"/webhooks/.*"`` is the
    prefix ``"/webhooks/*"``, a plain path is itself. Any other regex is refused: matching client
    paths with an arbitrary regex can backtrack, and a pattern read differently could leave a
    route unprotected."""
    if isinstance(pattern, str):
        if pattern.endswith(".*") and _PLAIN_PATH.fullmatch(pattern[:-2] or "/"):
            return pattern[:-2] + "*"
        if _PLAIN_PATH.fullmatch(pattern) and ".*" not in pattern:
            return pattern
    raise ImproperlyConfigured(
        f"{setting}: {pattern!r} is a regular expression Nexios does not match paths with. Use an "
        "exact path ('/webhooks/stripe') or a prefix ending in '.*' or '*' ('/webhooks/*') in "
        f"{CSRF_KEYS.get(setting, setting)}"
    )


UPSTREAM_CSRF_DEFAULTS = {"csrf_header_name": "X-CSRFToken", "csrf_issue_eagerly": True}
"""What upstream's CSRF middleware did without being told, applied to apps configured its way
(``csrf_enabled=True``): its header name, and a token cookie on every response."""


def _check_csrf_settings(config: MakeConfig, warn: bool = True) -> None:
    if config.get("csrf_enabled") is True:
        for key, value in UPSTREAM_CSRF_DEFAULTS.items():
            if config.get(key) is None:
                _write(config, key, value)
    if config.get("csrf_enabled") is False:
        raise ImproperlyConfigured(
            "config csrf_enabled=False, but a CSRFMiddleware is added: upstream Nexios then skipped "
            "every check. Nexios never turns CSRF protection off behind your back: remove the "
            "CSRFMiddleware to go without it, or drop csrf_enabled"
        )
    if config.get("csrf_sensitive_cookies") is not None:
        raise ImproperlyConfigured(
            "config csrf_sensitive_cookies is not supported: it made an exempt path checked again "
            "when certain cookies came along. Exempt only paths browsers never post to with your "
            "cookies (csrf_exempt_paths), and leave the rest protected"
        )
    required = config.get("csrf_required_urls")
    if required is None:
        return
    if config.get("csrf_protect_only_required_urls") is True:
        patterns = ["/*" if item == "*" else csrf_path_pattern("csrf_required_urls", item) for item in required]
        _write(config, "csrf_protected_paths", patterns)
        if warn:
            logger.warning(
                "CSRF checks only the csrf_required_urls (csrf_protect_only_required_urls=True): "
                "every other unsafe route is unprotected."
            )
        return
    for item in required:
        if item != "*":
            csrf_path_pattern("csrf_required_urls", item)  # refuse what could not be read
    if warn:
        logger.warning(
            "csrf_required_urls is satisfied by protecting every unsafe route (exempt paths aside): "
            "Nexios checks all of them by default. Set csrf_protect_only_required_urls=True to check "
            "only those URLs, as upstream Nexios did."
        )


def _write(config: MakeConfig, key: str, value: Any) -> None:
    try:
        config[key] = value
    except AttributeError:  # an immutable config
        raise ImproperlyConfigured(
            f"An immutable config uses upstream Nexios's setting names (translating {key!r}): write "
            "the settings with Nexios's names (see docs/migrating.md), or build the config mutable"
        ) from None


__all__ = ["CSRF_KEYS", "SESSION_KEYS", "UPSTREAM_CSRF_DEFAULTS", "csrf_path_pattern", "translate_session_section",
           "translate_upstream_config"]
