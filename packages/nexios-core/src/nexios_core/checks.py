"""The deployment audit behind ``nexios check app:app``: settings that are fine while developing
and dangerous in production, each reported with its fix.

:func:`audit_app` assembles the app as start-up would, then walks what it is made of: the app's
own settings (``debug``, ``secret_key``, limits), its middleware, plugins, dispatcher and the apps
mounted in it. **The hook**: any of those objects that has a ``check_deployment(audit)`` method
is asked for its own findings (the session, CSRF and authentication middleware, the router,
static files and the docs pages do), so a plugin reports on its own settings the same way::

    class MyPlugin:
        def check_deployment(self, audit: Audit) -> None:
            if self.verify_tls is False:
                audit.error("my-plugin-tls", "TLS verification is off", fix="verify_tls=True")

Severities: ``error`` (unsafe: ``nexios check`` exits 1), ``warning`` (usually a mistake; fine
when deliberate), ``info``.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from .limits import DEFAULT_LIMITS, Limits
from .types import ASGIApp, Receive, Scope, Send

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")

MIN_SECRET_LENGTH = 32
"""Shorter secret keys are reported (``secrets.token_urlsafe(32)`` makes a 43-character one)."""
MIN_SECRET_BITS = 80
"""Secret keys whose estimated entropy (:func:`secret_bits`) is lower are reported. An estimate
from one sample runs below the true entropy: a random 32-digit hex key (128 bits) scores about
105, rarely under 95; a repeated, sequential or few-character key scores far lower."""
UNBOUNDED_LIMIT = 1 << 31
"""A size or count limit at least this large is treated as turned off."""

# Normalised (lower case, letters and digits only) values and fragments that mark a placeholder.
_PLACEHOLDER_WORDS = ("changeme", "changethis", "replaceme", "insecure", "notsecret", "yoursecret",
                      "mysecret", "secretkey", "supersecret", "placeholder", "example", "dummy",
                      "password", "fixme", "todo", "default", "test", "devkey", "development")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Finding:
    """One thing the audit found: ``rule`` (a stable id such as ``"debug"``), ``severity``, what
    is wrong (``message``), how to fix it (``fix``) and where (``where``: the app, a mount...)."""

    rule: str
    severity: Severity
    message: str
    fix: str
    where: str = "app"


@runtime_checkable
class DeploymentCheck(Protocol):
    """What a component implements to add its own findings (see the module documentation)."""

    def check_deployment(self, audit: Audit) -> None:
        """Report findings about this component with ``audit.error/warning/info``."""
        ...


@dataclass
class Audit:
    """The findings of one audit, and what the rules know about the deployment.

    ``https``: whether the app is served over https (``True``/``False``; ``None``: not said).
    ``config``: the configuration of the app being walked (a mounted app's, inside it).
    """

    https: bool | None = None
    findings: list[Finding] = field(default_factory=list)
    config: Mapping[str, Any] = field(default_factory=dict)
    where: str = "app"
    _seen: set[int] = field(default_factory=set)
    _hosts_checked_above: bool = False  # an app this one is mounted in has TrustedHostMiddleware

    # ------------------------------------------------------------------ reporting
    def report(self, rule: str, severity: Severity, message: str, fix: str) -> None:
        """Add a finding (once: the same rule, message and place are reported one time)."""
        finding = Finding(rule, severity, message, fix, self.where)
        if finding not in self.findings:
            self.findings.append(finding)

    def error(self, rule: str, message: str, *, fix: str) -> None:
        """Report an unsafe setting (``nexios check`` fails)."""
        self.report(rule, "error", message, fix)

    def warning(self, rule: str, message: str, *, fix: str) -> None:
        """Report a setting that is usually a mistake."""
        self.report(rule, "warning", message, fix)

    def info(self, rule: str, message: str, *, fix: str) -> None:
        """Report something worth knowing."""
        self.report(rule, "info", message, fix)

    @property
    def failed(self) -> bool:
        """Whether any finding is an error."""
        return any(finding.severity == "error" for finding in self.findings)

    # ------------------------------------------------------------------ walking
    def visit(self, component: Any) -> None:
        """Ask ``component`` for its findings, once (a component without
        ``check_deployment`` has none)."""
        if component is None or id(component) in self._seen:
            return
        self._seen.add(id(component))
        _check_core_component(self, component)
        check = getattr(component, "check_deployment", None)
        if callable(check) and not isinstance(component, type):
            check(self)

    def visit_app(self, app: Any, where: str | None = None) -> None:
        """Audit an app (a mounted one, from a router's ``check_deployment``) at ``where``."""
        if id(app) in self._seen:
            return
        saved = (self.where, self.config, self._hosts_checked_above)
        if where is not None:
            self.where = where
        try:
            _build_as_at_start_up(self, app)  # a mounted app builds when first used: now
            _audit_core_app(self, app)
        finally:
            self.where, self.config, self._hosts_checked_above = saved

    # ------------------------------------------------------------------ shared rules
    def check_secret(self, value: Any, setting: str) -> None:
        """Report ``value`` (a secret key called ``setting``) when it is short, guessable or a
        placeholder; a key given as a list (rotation) is checked item by item."""
        if isinstance(value, (list, tuple)):
            for item in value:
                self.check_secret(item, setting)
            return
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if not isinstance(value, str) or not value:
            return
        fix = (f"set {setting} from the environment to a new random value: "
               "python -c 'import secrets; print(secrets.token_urlsafe(32))'")
        if is_placeholder_secret(value):
            self.error("weak-secret-key", f"{setting} is a placeholder value anyone can guess", fix=fix)
        elif len(value) < MIN_SECRET_LENGTH:
            self.error("weak-secret-key",
                       f"{setting} is {len(value)} characters long (fewer than {MIN_SECRET_LENGTH})", fix=fix)
        elif secret_bits(value) < MIN_SECRET_BITS:
            self.error("weak-secret-key",
                       f"{setting} has too little entropy (about {secret_bits(value):.0f} bits, "
                       f"fewer than {MIN_SECRET_BITS}): it repeats itself, runs in sequence or uses few "
                       "characters", fix=fix)

    def check_limits(self, limits: Limits | None, place: str) -> None:
        """Report limits of ``place`` (``"the app"``, a route) raised above the defaults or off."""
        if limits is None:
            return
        for spec in dataclasses.fields(Limits):
            value, default = getattr(limits, spec.name), getattr(DEFAULT_LIMITS, spec.name)
            if value == default or spec.name == "spool_threshold":
                continue
            if isinstance(default, bool):
                if default and not value:
                    self.warning("limits-disabled", f"{spec.name} is off for {place}: JSON bodies sent as "
                                 "text/plain (what a cross-site form can send without a CORS preflight) "
                                 "are parsed", fix=f"keep {spec.name}=True; turn it off only on the route "
                                 "that needs it (limits=Limits(...) on that route)")
                continue
            if isinstance(value, (int, float)) and (value >= UNBOUNDED_LIMIT or math.isinf(value)):
                self.error("limits-disabled", f"{spec.name} is effectively unlimited ({value}) for {place}: "
                           "one client can exhaust memory or CPU",
                           fix=f"set a bound; raise it only on the routes that need it (default {default})")
            elif isinstance(value, (int, float)) and value > default:
                self.warning("limits-raised", f"{spec.name} is raised to {value} (default {default}) for {place}",
                             fix="raise limits only on the routes that need them (limits=Limits(...) on the "
                             "route), not app-wide")


def is_placeholder_secret(value: str) -> bool:
    """Whether ``value`` looks like a placeholder ("change-me", "secret", "your-secret-key"...)."""
    normalised = _NOT_ALNUM.sub("", value.lower())
    if normalised in ("", "secret", "key", "abc", "123456", "qwerty", "admin"):
        return True
    return any(word in normalised for word in _PLACEHOLDER_WORDS)


def secret_bits(value: str) -> float:
    """An estimate of ``value``'s entropy in bits: the Shannon entropy of its characters times
    its length, and no more than that of the steps between neighbouring characters (so a run
    like ``abcdef...`` scores low), counted over one period of a value that repeats itself.
    Random keys score close to their true entropy; repeated or patterned ones low."""
    unit = value[:_period(value)]
    steps = [ord(b) - ord(a) for a, b in zip(unit, unit[1:], strict=False)]
    return min(_shannon_bits(unit), _shannon_bits(steps) + (8 if unit else 0))


def _shannon_bits(items: Any) -> float:
    counts = Counter(items)
    total = sum(counts.values())
    return -sum(n * math.log2(n / total) for n in counts.values())


def _period(value: str) -> int:
    # The length of the shortest prefix that ``value`` repeats (its own length when none).
    length = len(value)
    for size in range(1, min(length // 2, 512) + 1):  # bounded: a key is never that long
        if value == (value[:size] * (length // size + 1))[:length]:
            return size
    return length


# ---------------------------------------------------------------------------------- the core app
def _audit_core_app(audit: Audit, app: Any) -> None:
    audit._seen.add(id(app))
    config = getattr(app, "config", None)
    audit.config = config if isinstance(config, Mapping) else {}
    if getattr(app, "debug", False):
        audit.error("debug", "debug=True: error pages show tracebacks, source lines and request headers "
                    "to anyone", fix="turn debug off in production (the default); read it from the environment")
    secret = audit.config.get("secret_key")
    if not secret:
        audit.info("secret-key-missing", "no secret_key is set: sessions, CSRF and signed values cannot be used",
                   fix="set config secret_key from the environment when you add them")
    else:
        audit.check_secret(secret, "secret_key")
    audit.check_limits(getattr(app, "limits", None), "the app")
    asgi_layers = list(_asgi_layers(app))
    trusted_hosts = [layer for layer, _ in asgi_layers if type(layer).__name__ == "TrustedHostMiddleware"]
    if trusted_hosts:
        audit._hosts_checked_above = True  # apps mounted in this one are behind it
    elif not audit._hosts_checked_above:
        audit.warning("trusted-hosts", "no TrustedHostMiddleware: any Host header is accepted, and anything "
                      "built from it (absolute URLs, redirects, password-reset links) can point elsewhere",
                      fix="app.add_middleware(TrustedHostMiddleware, allowed_hosts=['example.com'])")
    for layer, options in asgi_layers:
        audit.visit(layer)
        _check_foreign_cors(audit, layer, options)
    for middleware in getattr(app, "http_middleware", ()):
        audit.visit(middleware)
    for plugin in getattr(app, "plugins", {}).values():
        audit.visit(plugin)
    audit.visit(getattr(app, "dispatcher", None))
    own_check = getattr(app, "check_deployment", None)
    if callable(own_check):  # the app itself may add findings (NexiosApp reports its docs pages)
        own_check(audit)


def _check_core_component(audit: Audit, component: Any) -> None:
    # The core's own middleware and apps, checked here rather than by methods of theirs.
    from .middleware.cors import CORSMiddleware
    from .middleware.trusted_host import TrustedHostMiddleware
    from .staticfiles import StaticFiles

    if isinstance(component, CORSMiddleware):
        _check_cors(audit, component)
    elif isinstance(component, TrustedHostMiddleware) and component.allow_any:
        audit.warning("trusted-hosts", "TrustedHostMiddleware allows any host ('*')",
                      fix="list the host names the app is served under in allowed_hosts")
    elif isinstance(component, StaticFiles) and component.allow_hidden:
        for root in component.directories:
            hidden = first_hidden_entry(root)
            if hidden is not None:
                audit.error("static-dotfiles", f"StaticFiles(allow_hidden=True) serves {root}, which holds "
                            f"{hidden}: files like .env or .git are served to anyone",
                            fix="remove allow_hidden=True (serve .well-known from its own StaticFiles), or "
                            "move the hidden files out of the static root")


_PROBE_ORIGINS = ("https://attacker.invalid", "http://evil.example.com", "null")


def _check_cors(audit: Audit, cors: Any) -> None:
    regex = cors.origin_regex
    # `Origin: null` is what sandboxed iframes and data: documents send: any site can send it.
    reflects = cors.allow_any_origin or "null" in cors.allow_origins or (
        regex is not None and any(regex.fullmatch(origin) for origin in _PROBE_ORIGINS))
    dynamic = getattr(cors, "origin_validator", None) is not None
    if cors.allow_credentials and reflects:
        audit.error("cors-credentials", "CORS allows any origin together with credentials: any site can "
                    "make requests as the signed-in user and read the answers",
                    fix="list the trusted origins in allow_origins (exact, https://app.example.com)")
    elif cors.allow_credentials and dynamic:
        audit.warning("cors-credentials", "CORS decides origins with a function and allows credentials: "
                      "make sure it never accepts an arbitrary origin",
                      fix="prefer an exact allow_origins list when credentials are on")
    elif reflects:
        audit.info("cors-any-origin", "CORS allows any origin (without credentials)",
                   fix="fine for a public API; otherwise list the origins in allow_origins")


_MAX_ENTRIES_SCANNED = 100_000


def first_hidden_entry(root: str) -> str | None:
    """The relative path of the first file or directory under ``root`` whose name starts with
    ``.``, or ``None`` (at most 100,000 entries are looked at)."""
    seen = 0
    for directory, subdirectories, files in os.walk(root):
        for name in sorted(subdirectories) + sorted(files):
            seen += 1
            if name.startswith("."):
                return os.path.relpath(os.path.join(directory, name), root)
            if seen >= _MAX_ENTRIES_SCANNED:
                return None
    return None


async def _inert_app(scope: Scope, receive: Receive, send: Send) -> None:
    return None


def _asgi_layers(app: Any) -> Iterator[tuple[Any, Mapping[str, Any]]]:
    # Each raw ASGI middleware, built as start-up builds it (around an app that does nothing).
    for spec in getattr(app, "asgi_middleware", ()):
        build = getattr(spec, "build", None)
        try:
            layer = build(_inert_app, app) if callable(build) else spec.cls(_inert_app, *spec.args, **spec.kwargs)
        except Exception:  # the start-up check reports a middleware that cannot be built
            continue
        yield layer, dict(getattr(spec, "kwargs", {}) or {})


def _check_foreign_cors(audit: Audit, layer: Any, options: Mapping[str, Any]) -> None:
    # Other frameworks' CORS middleware (Starlette's) reflects any Origin for "*" with credentials.
    if type(layer).__name__ != "CORSMiddleware" or callable(getattr(layer, "check_deployment", None)):
        return
    if "*" in (options.get("allow_origins") or ()) and options.get("allow_credentials"):
        audit.error("cors-credentials", f"{type(layer).__module__}.CORSMiddleware allows any origin with "
                    "credentials: it reflects every Origin, so any site can act as the signed-in user",
                    fix="list the trusted origins in allow_origins")


def audit_app(app: ASGIApp, *, https: bool | None = None) -> Audit:
    """Audit ``app`` (a Nexios app; other ASGI apps are reported as not checkable). The app is
    assembled as start-up would (``app.build()``); a failure there is an ``error`` finding."""
    audit = Audit(https=https)
    build = getattr(app, "build", None)
    if not callable(build) or not hasattr(app, "config"):
        audit.error("not-a-nexios-app", f"{app!r} is not a Nexios app: nothing can be checked",
                    fix="point nexios check at the Nexios app object (module:app)")
        return audit
    _build_as_at_start_up(audit, app)
    _audit_core_app(audit, app)
    return audit


def _build_as_at_start_up(audit: Audit, app: Any) -> None:
    build = getattr(app, "build", None)
    if not callable(build):
        return
    try:
        build()
    except Exception as exc:
        audit.error("startup-fails", f"the app does not start: {type(exc).__name__}: {exc}",
                    fix="fix the configuration the message names")


__all__ = [
    "MIN_SECRET_BITS",
    "MIN_SECRET_LENGTH",
    "SEVERITIES",
    "UNBOUNDED_LIMIT",
    "Audit",
    "DeploymentCheck",
    "Finding",
    "Severity",
    "audit_app",
    "first_hidden_entry",
    "is_placeholder_secret",
    "secret_bits",
]
