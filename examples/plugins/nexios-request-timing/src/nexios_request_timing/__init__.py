"""nexios-request-timing: a ``Server-Timing`` header on every response, and an optional health
endpoint, for any Nexios app.

    app.install(RequestTimingPlugin(health_path="/health"))

or, installed as a distribution, found through its ``nexios.plugins`` entry point::

    app.install_entry_point_plugins(only=["request-timing"])

Settings come from the constructor, else from the app's ``request_timing`` config section, else
the defaults (``metric="app"``, no health endpoint). They are read and checked at start-up.
"""

from __future__ import annotations

import re
import time
from typing import Any

from nexios_core import App, CallNext, ImproperlyConfigured, Request, Response

DEFAULT_METRIC = "app"
"""The metric name of the ``Server-Timing`` entry unless configured otherwise."""
CONFIG_SECTION = "request_timing"
"""The app config section read at start-up: ``{"metric": ..., "health_path": ...}``."""

# A Server-Timing metric name is an HTTP token (RFC 9110, section 5.6.2).
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_UNSET: Any = object()


class RequestTimingMiddleware:
    """Function-style middleware: times the rest of the chain and answers the health endpoint.

    The time is how long the layers below took to produce the response (a streamed body is
    still being sent when the header goes out, so it is not counted). Install the plugin first
    to time the other middleware too.
    """

    def __init__(self, metric: str = _UNSET, health_path: str | None = _UNSET) -> None:
        self._metric_option = metric
        self._health_option = health_path
        self.metric = DEFAULT_METRIC
        self.health_path: str | None = None

    def setup(self, app: App) -> None:
        """Read the settings (options first, then the app's config) and check them: a mistake
        stops the app from starting, with a message saying what to fix."""
        section = app.config.get(CONFIG_SECTION) or {}
        metric = self._metric_option if self._metric_option is not _UNSET else section.get("metric", DEFAULT_METRIC)
        health_path = self._health_option if self._health_option is not _UNSET else section.get("health_path")
        if not isinstance(metric, str) or not _TOKEN.fullmatch(metric):
            raise ImproperlyConfigured(
                f"request-timing: the metric name {metric!r} is not an HTTP token; use letters, digits "
                "and -._ only, e.g. 'app'"
            )
        if health_path is not None and (not isinstance(health_path, str) or not health_path.startswith("/")):
            raise ImproperlyConfigured(
                f"request-timing: health_path {health_path!r} must be a path starting with '/', or None"
            )
        self.metric, self.health_path = metric, health_path

    async def __call__(self, request: Request, response: Response, call_next: CallNext) -> Any:
        if self.health_path is not None and request.path == self.health_path:
            return self._health(request, response)
        started = time.perf_counter()
        outgoing = await call_next()
        elapsed_ms = (time.perf_counter() - started) * 1000
        # Appended, not set: other layers (a proxy, a database timer) may add entries of their own.
        outgoing.headers.append("server-timing", f"{self.metric};dur={elapsed_ms:.1f}")
        return outgoing

    @staticmethod
    def _health(request: Request, response: Response) -> Response:
        response.headers["cache-control"] = "no-store"  # a probe must reach the app, not a cache
        if request.method not in ("GET", "HEAD"):
            response.headers["allow"] = "GET, HEAD"
            return response.json({"detail": "Method Not Allowed"}, status_code=405)
        return response.json({"status": "ok"})


class RequestTimingPlugin:
    """The plugin: installs :class:`RequestTimingMiddleware` with the given options.

    Options not given here come from the app's ``request_timing`` config section at start-up.
    """

    name = "request-timing"

    def __init__(self, *, metric: str = _UNSET, health_path: str | None = _UNSET) -> None:
        self.middleware = RequestTimingMiddleware(metric, health_path)

    def setup(self, app: App) -> None:
        """Add the middleware; it reads and checks its settings when the app starts."""
        app.add_middleware(self.middleware)


__all__ = ["CONFIG_SECTION", "DEFAULT_METRIC", "RequestTimingMiddleware", "RequestTimingPlugin"]
