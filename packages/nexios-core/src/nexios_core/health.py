"""Liveness and readiness endpoints that follow the app's lifespan.

::

    from nexios_core.health import HealthChecks

    health = app.install(HealthChecks())            # GET /health/live and /health/ready
    health.add_check("database", ping_database)     # optional: readiness also asks these

- **Liveness** (``/health/live``): 200 ``{"status": "alive"}`` whenever the process answers. An
  orchestrator restarts the process when this fails; it deliberately checks nothing else, so a
  slow database never gets healthy processes killed.
- **Readiness** (``/health/ready``): 200 ``{"status": "ready", ...}`` only once start-up has
  finished (every start-up hook and the lifespan context ran) and until shutdown begins, and
  only while every added check passes; otherwise 503 with ``"status"`` saying why (``"idle"``,
  ``"starting"``, ``"draining"``, ``"stopped"`` or ``"failing"``) and, for checks, which failed.
  A load balancer sends traffic only to ready processes.

Readiness reads ``app.lifespan_state``: a server that skips the ASGI lifespan (``uvicorn
--lifespan off``) never makes the app ready. Both answers carry ``Cache-Control: no-store``, are
left out of the OpenAPI document, and say nothing about why a check failed (that goes to the
``nexios.health`` log).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

import anyio
import anyio.lowlevel
import anyio.to_thread

from .exceptions import ImproperlyConfigured
from .request import Request
from .responses import JSONResponse, Response

if TYPE_CHECKING:
    from .app import App

logger = logging.getLogger("nexios.health")

Check = Callable[[], Awaitable[Any] | Any]
"""A readiness check: sync or async, no arguments; it fails by raising or returning ``False``."""

_NO_STORE = {"cache-control": "no-store"}


class HealthChecks:
    """The ``health`` plugin: ``app.install(HealthChecks())`` adds the two GET routes.

    ``live_path`` and ``ready_path`` choose the paths (``None`` leaves one out); ``checks`` maps
    names to readiness checks (more with :meth:`add_check`); each check gets ``timeout`` seconds
    (a sync one runs in a worker thread, abandoned at the timeout and not started again until
    it returns). Probes share the checks' work: a probe arriving while the checks run waits for
    that run, and their results answer probes for ``cache_for`` seconds after it (default 1;
    ``0`` runs them for every probe), so that nobody can make the app query its database at
    the rate they send probes.
    The app must route (``NexiosApp``, or ``App(dispatcher=Router())``); with any other app, route
    :meth:`live` and :meth:`ready` yourself after calling :meth:`attach`.
    """

    name = "health"

    def __init__(self, *, live_path: str | None = "/health/live", ready_path: str | None = "/health/ready",
                 checks: Mapping[str, Check] | None = None, timeout: float = 5.0,
                 cache_for: float = 1.0) -> None:
        if timeout <= 0:
            raise ImproperlyConfigured("HealthChecks(timeout=...) must be a positive number of seconds")
        if cache_for < 0:
            raise ImproperlyConfigured("HealthChecks(cache_for=...) must be 0 or more seconds")
        self.cache_for = cache_for
        self._last_results: tuple[float, dict[str, str]] | None = None  # (when finished, results)
        self._current_run: _CheckRun | None = None
        self.live_path = live_path
        self.ready_path = ready_path
        self.timeout = timeout
        self.checks: dict[str, Check] = {}
        self._threads_running: set[str] = set()  # sync checks whose thread has not returned
        for check_name, check in (checks or {}).items():
            self.add_check(check_name, check)
        self.app: App | None = None

    def add_check(self, name: str, check: Check) -> None:
        """Make readiness also depend on ``check`` (reported under ``name``)."""
        if not callable(check):
            raise ImproperlyConfigured(f"Health check {name!r} must be callable, got {check!r}")
        if name in self.checks:
            raise ImproperlyConfigured(f"A health check named {name!r} is already added")
        self.checks[name] = check

    def attach(self, app: App) -> None:
        """Follow ``app``'s lifespan without adding routes (``setup`` does both)."""
        self.app = app
        # The first task group or thread a process starts imports anyio's event loop backend
        # (about 0.2 s): done at start-up, so the first readiness probe does not pay for it.
        app.on_startup(anyio.lowlevel.checkpoint)

    def setup(self, app: App) -> None:
        """Attach to ``app`` and add the routes to its router."""
        add_route = getattr(app.dispatcher, "add_route", None)
        if add_route is None:
            raise ImproperlyConfigured(
                "HealthChecks adds routes, and this app's dispatcher has no add_route: use NexiosApp "
                "or App(dispatcher=Router()), or call health.attach(app) and route health.live and "
                "health.ready yourself"
            )
        self.attach(app)
        for path, handler in ((self.live_path, self.live), (self.ready_path, self.ready)):
            if path is not None:
                add_route(path, handler, ["GET"], include_in_schema=False)

    async def live(self, request: Request, response: Response) -> JSONResponse:
        """Liveness: 200 while the process answers."""
        return JSONResponse({"status": "alive"}, headers=_NO_STORE)

    async def ready(self, request: Request, response: Response) -> JSONResponse:
        """Readiness: 200 when started, not shutting down, and every check passes; else 503."""
        state = self.app.lifespan_state if self.app is not None else "idle"
        if state != "ready":
            return JSONResponse({"status": state}, status_code=503, headers=_NO_STORE)
        results = await self.run_checks()
        ok = all(result == "ok" for result in results.values())
        body: dict[str, Any] = {"status": "ready" if ok else "failing"}
        if results:
            body["checks"] = results
        # Shutdown may have begun while the checks ran.
        if ok and self.app is not None and self.app.lifespan_state != "ready":
            return JSONResponse({"status": self.app.lifespan_state}, status_code=503, headers=_NO_STORE)
        return JSONResponse(body, status_code=200 if ok else 503, headers=_NO_STORE)

    async def run_checks(self) -> dict[str, str]:
        """The result of every check: ``"ok"``, ``"failed"`` or ``"timeout"``, from the run in
        progress or one that finished less than ``cache_for`` seconds ago, else from a new run
        of all of them at once."""
        last = self._last_results
        if last is not None and anyio.current_time() - last[0] < self.cache_for:
            return dict(last[1])
        current = self._current_run
        if current is not None:
            await current.finished.wait()
            if current.results is not None:
                return dict(current.results)
            # That run was cancelled (its probe's client left): this probe runs them itself.
        run = self._current_run = _CheckRun()
        try:
            run.results = await self._run_every_check()
            self._last_results = (anyio.current_time(), run.results)
            return dict(run.results)
        finally:
            if self._current_run is run:
                self._current_run = None
            run.finished.set()

    async def _run_every_check(self) -> dict[str, str]:
        results: dict[str, str] = {}

        async def run(check_name: str, check: Check) -> None:
            try:
                with anyio.fail_after(self.timeout):
                    if inspect.iscoroutinefunction(check):
                        outcome = await check()
                    else:
                        outcome = await self._run_in_thread(check_name, check)
                    if inspect.isawaitable(outcome):
                        outcome = await outcome
                results[check_name] = "failed" if outcome is False else "ok"
            except TimeoutError:
                logger.warning("Health check %r took longer than %ss", check_name, self.timeout)
                results[check_name] = "timeout"
            except Exception:
                logger.warning("Health check %r failed", check_name, exc_info=True)
                results[check_name] = "failed"

        async with anyio.create_task_group() as group:
            for check_name, check in self.checks.items():
                group.start_soon(run, check_name, check)
        return {check_name: results[check_name] for check_name in self.checks}

    async def _run_in_thread(self, check_name: str, check: Check) -> Any:
        # A thread cannot be stopped: at the timeout the probe answers without waiting for it
        # (abandoned, the thread finishes on its own). While it still runs, later probes do not
        # start another beside it (a hung driver call would take a thread per probe): they
        # report a timeout at once.
        if check_name in self._threads_running:
            raise TimeoutError
        self._threads_running.add(check_name)
        started = False

        def call() -> Any:
            nonlocal started
            started = True
            try:
                return check()
            finally:
                self._threads_running.discard(check_name)

        try:
            return await anyio.to_thread.run_sync(call, abandon_on_cancel=True)
        finally:
            if not started:  # cancelled before a thread took it: it will never run
                self._threads_running.discard(check_name)


class _CheckRun:
    """One run of the checks, which probes arriving meanwhile wait for."""

    def __init__(self) -> None:
        self.finished = anyio.Event()
        self.results: dict[str, str] | None = None


__all__ = ["Check", "HealthChecks"]
