"""Upstream Nexios's application methods that ``NexiosApp`` answers besides its own.

Mixed into :class:`nexios.NexiosApp`. Each is a spelling of something the app already does
(``register`` is ``mount`` with the app first, ``wrap_asgi`` adds raw ASGI middleware...), plus
``run()``, a convenience that starts uvicorn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from nexios_core import ASGIApp, ExceptionHandler, ExceptionKey, Middleware

if TYPE_CHECKING:
    from nexios_routing import Mount, Route, WebSocketRoute

    from .routing import Router

_F = TypeVar("_F", bound=Callable[..., Any])


class UpstreamApp:
    """Upstream's application spellings (see the module docstring)."""

    if TYPE_CHECKING:
        router: Router

        def add_middleware(self, middleware: Any, *args: Any, **options: Any) -> None: ...

        def websocket(self, path: str, **options: Any) -> Callable[[_F], _F]: ...

        def mount(self, prefix: str, app: ASGIApp, name: str | None = None) -> Mount: ...

    def add_exception_handler(self, key: ExceptionKey, handler: ExceptionHandler | None = None) -> Any:
        """Handle an exception class or an HTTP status code (an ``HTTPException`` with that
        ``status_code``) with ``handler(request, response, exc)``. Without ``handler``, a
        decorator: ``@app.add_exception_handler(404)``."""
        if handler is None:

            def register(func: _F) -> _F:
                super(UpstreamApp, self).add_exception_handler(key, func)  # type: ignore[misc]
                return func

            return register
        super().add_exception_handler(key, handler)  # type: ignore[misc]
        return None

    def ws_route(self, path: str, **options: Any) -> Callable[[_F], _F]:
        """Upstream's name for :meth:`websocket`."""
        return self.websocket(path, **options)

    def register(self, app: ASGIApp, prefix: str = "", name: str | None = None) -> Mount:
        """Upstream's :meth:`mount`, with the app first: serve any ASGI app under ``prefix``."""
        return self.mount(prefix, app, name)

    def mount_ws_router(self, router: Any, prefix: Any = None) -> None:
        """Upstream's name for :meth:`mount_router` with a router of WebSocket routes."""
        self.router.mount_router(router, prefix)

    def wrap_asgi(self, middleware_cls: Callable[..., ASGIApp], *args: Any, **options: Any) -> None:
        """Wrap the whole app in a raw ASGI middleware: ``middleware_cls(app, *args, **options)``
        (what ``add_middleware`` does with an ASGI middleware class)."""
        self.add_middleware(Middleware(middleware_cls, *args, **options))

    def get_all_routes(self) -> list[Route | WebSocketRoute]:
        """Every HTTP and WebSocket route of the app, with full paths."""
        return [*self.router.routes, *self.router.websocket_routes]

    def run(self, host: str = "127.0.0.1", port: int = 8000, reload: bool = False, **options: Any) -> None:
        """Serve the app with uvicorn (``pip install uvicorn``), for scripts and quick tries.

        ``reload=True`` needs the app as an import string, which only the command line can give:
        use ``nexios dev module:app`` (or ``uvicorn module:app --reload``) for that.
        """
        if reload:
            raise RuntimeError(
                "app.run(reload=True) cannot reload an app object: run `nexios dev module:app` "
                "(or `uvicorn module:app --reload`) instead"
            )
        try:
            import uvicorn
        except ImportError as exc:
            raise RuntimeError("app.run() needs uvicorn: pip install 'nexios[all]' or uvicorn") from exc
        uvicorn.run(self, host=host, port=port, **options)  # type: ignore[arg-type]


__all__ = ["UpstreamApp"]
