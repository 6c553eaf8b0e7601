"""Lifetimes: the per-request dependency scope and the app-wide one.

A request scope caches dependency values for the request and keeps the generator dependencies
that must be closed. Closing runs them newest first. With an exception, the exception is thrown
into each generator so its ``except``/``finally`` blocks see it; a generator may replace it by
raising another (an ``HTTPException``, for example), which then propagates. Without one (after a
successful response) errors from cleanup code are logged, since the response is already sent.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import AsyncGenerator, Generator
from typing import Any

import anyio

logger = logging.getLogger("nexios.di")


class DependencyScope:
    """Per-request state of dependency resolution."""

    __slots__ = ("request", "response", "params", "kind", "cache", "exits", "overrides")

    def __init__(self, request: Any, response: Any, params: dict[str, Any], kind: str) -> None:
        # One of these is made for every request that has dependencies: keep it to stores.
        self.request = request
        self.response = response
        self.params = params
        self.kind = kind
        self.cache: dict[Any, Any] = {}
        self.exits: list[tuple[Any, bool, bool]] | None = None  # created by the first generator
        overrides = getattr(request.scope.get("app"), "dependency_overrides", None)
        self.overrides: dict[Any, Any] | None = overrides if overrides else None

    @property
    def app(self) -> Any:
        """The application serving the request."""
        return self.request.scope.get("app")

    def push_exit(self, generator: Generator[Any, Any, Any] | AsyncGenerator[Any, Any], is_async: bool,
                  blocking: bool = False) -> None:
        """Remember a generator dependency to close later (a ``blocking`` sync one closes in a
        worker thread, as it was entered)."""
        if self.exits is None:
            self.exits = []
        self.exits.append((generator, is_async, blocking))

    async def close(self, exc: BaseException | None = None) -> None:
        """Close every generator dependency, newest first (see the module docstring)."""
        error = exc
        while self.exits:
            generator, is_async, blocking = self.exits.pop()
            try:
                await _finish(generator, is_async, error, blocking)
            except BaseException as raised:  # noqa: BLE001 - decided below
                if raised is error:
                    continue
                if exc is None:
                    logger.error("Error while closing a dependency", exc_info=raised)
                    continue
                raised.__context__ = error
                error = raised
        if exc is not None and error is not exc and error is not None:
            raise error


async def _finish(generator: Any, is_async: bool, error: BaseException | None, blocking: bool = False) -> None:
    if is_async:
        try:
            if error is None:
                await generator.__anext__()
            else:
                await generator.athrow(error)
        except StopAsyncIteration:
            return
    elif blocking:
        # Cleanup code of a blocking dependency blocks too (closing a connection...).
        if await anyio.to_thread.run_sync(_step, generator, error):
            return
    elif _step(generator, error):
        return
    raise RuntimeError(f"Dependency generator {generator!r} yielded more than once")


def _step(generator: Generator[Any, Any, Any], error: BaseException | None) -> bool:
    """Resume a sync generator (with ``error`` thrown in, if any); True when it finished. The
    ``StopIteration`` is caught here: raised through a coroutine it would become a RuntimeError."""
    try:
        if error is None:
            next(generator)
        else:
            generator.throw(error)
    except StopIteration:
        return True
    return False


class AppScope:
    """App-scoped dependency values: created once, closed at shutdown (newest first)."""

    def __init__(self, app: Any) -> None:
        self._app = weakref.ref(app)
        self.values: dict[Any, Any] = {}
        # One lock per dependency: an app-scoped dependency may itself need another one.
        self.locks: dict[Any, anyio.Lock] = {}
        self.exits: list[tuple[Any, bool, bool]] = []

    async def get(self, node: Any) -> Any:
        """The value of ``node``, produced on first use."""
        key = node.call
        if key in self.values:
            return self.values[key]
        lock = self.locks.setdefault(key, anyio.Lock())
        async with lock:
            if key not in self.values:
                self.values[key] = await node.produce(_AppScopeResolution(self, self._app()))
        return self.values[key]

    async def close(self) -> None:
        """Close every app-scoped generator dependency and forget the values."""
        while self.exits:
            generator, is_async, blocking = self.exits.pop()
            try:
                await _finish(generator, is_async, None, blocking)
            except Exception:
                logger.exception("Error while closing an app-scoped dependency")
        self.values.clear()


class _AppRequestStandIn:
    """What an app-scoped dependency sees as "the request": only the app is there."""

    def __init__(self, app: Any) -> None:
        self.scope = {"app": app}


class _AppScopeResolution:
    """Stands in for a request scope while an app-scoped dependency is created."""

    kind = "http"
    response = None
    overrides = None

    def __init__(self, owner: AppScope, app: Any) -> None:
        self.owner = owner
        self.app = app
        self.request = _AppRequestStandIn(app)
        self.params: dict[str, Any] = {}
        self.cache: dict[Any, Any] = {}

    def push_exit(self, generator: Any, is_async: bool, blocking: bool = False) -> None:
        self.owner.exits.append((generator, is_async, blocking))


_APP_SCOPES: weakref.WeakKeyDictionary[Any, AppScope] = weakref.WeakKeyDictionary()


def app_scope_for(app: Any) -> AppScope:
    """The app-wide scope of ``app`` (created on first use)."""
    scope = _APP_SCOPES.get(app)
    if scope is None:
        scope = _APP_SCOPES[app] = AppScope(app)
    return scope


__all__ = ["AppScope", "DependencyScope", "app_scope_for"]
