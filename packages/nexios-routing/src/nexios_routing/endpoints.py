"""Turning a route into its endpoint: the one place that decides how a request reaches a handler.

:func:`build_endpoint` runs once per route, when the router compiles. It picks the cheapest
callable for the handler's shape, then wraps it, innermost first, with the route's response
model, the route's middleware, the app's middleware, and the route's limits:

==========================  =====================================================================
handler shape               endpoint
==========================  =====================================================================
``(request, response)``     the handler itself
path values only            a closure passing the converted path values by name
query/header/cookie values  a closure filling and validating them, no dependency scope
anything else               the injection plan (guards, dependencies, bodies, cleanup)
==========================  =====================================================================

A plain ``def`` handler takes the same shapes, called in a worker thread of the app's bounded
``thread_limiter`` (:func:`in_worker_threads`); async handlers pay nothing for that.

The limits go outermost so that they are in force before any middleware reads the body (CSRF
parsing a form, say). The router stores what this returns; the app awaits it.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from nexios_core import (
    LIMITS_SCOPE_KEY,
    AppView,
    HTTPHandler,
    Limits,
    Request,
    Response,
    WebSocket,
    WebSocketEndpoint,
    around_app_middleware,
    compose,
    compose_websocket,
    is_async_callable,
    responding,
    run_sync_handler,
    websocket_middleware_in,
)
from nexios_di import InjectionPlan, RequestValidationError

from .routes import Route, WebSocketRoute

_STANDARD_POSITIONAL = ["request", "response"]


def build_endpoint(route: Route, app: AppView | None) -> HTTPHandler:
    """The endpoint of ``route`` (bound: its plan is built) for ``app`` (``None``: a router
    serving on its own, without app middleware)."""
    plan = route.plan
    if plan is None:
        raise RuntimeError(f"{route!r} is not bound: the router binds routes when it compiles")
    if not is_async_callable(plan.func):
        plan = in_worker_threads(plan, app)
    endpoint = handler_endpoint(plan)
    validate = route.response_validator
    if validate is not None:
        endpoint = _validating(endpoint, validate)
    if route.middleware:
        # What a middleware chain wraps must produce a response (`call_next` returns one).
        endpoint = compose(route_middleware(route.middleware), responding(endpoint), endpoint_records=True)
    endpoint = around_app_middleware(endpoint, app)
    if route.limits is not None:
        endpoint = _with_limits(endpoint, route.limits)
    return endpoint


def build_websocket_endpoint(route: WebSocketRoute, app: AppView | None) -> WebSocketEndpoint | None:
    """What serves a connection to ``route`` with WebSocket middleware around its handler: the
    app's (``app.websocket_middleware``), then the route's and its routers'. ``None`` when there
    is none: the router then calls the route's plan directly, at no extra cost."""
    chain = [*(app.websocket_middleware if app is not None else ()), *websocket_middleware_in(route.middleware)]
    if not chain:
        return None
    plan = route.plan
    if plan is None:
        raise RuntimeError(f"{route!r} is not bound: the router binds routes when it compiles")

    async def handler(websocket: WebSocket) -> None:
        await plan(websocket, None, websocket.path_params)

    return compose_websocket(chain, handler)


def route_middleware(middleware: Sequence[Any]) -> list[Any]:
    """Route or router middleware as callables (a class given instead of an instance is made)."""
    return [item() if isinstance(item, type) else item for item in middleware]


def handler_endpoint(plan: InjectionPlan) -> HTTPHandler:
    """The cheapest callable that runs the handler of ``plan`` for a request."""
    handler = plan.func
    standard = plan.positional == _STANDARD_POSITIONAL and not plan.guards
    if standard and plan.is_trivial:
        return handler  # `async def h(request, response)`
    if standard and plan.only_path_values:
        return _with_path_values(handler, tuple(plan.path_values))
    if standard and not plan.needs_scope and not plan.reads_body:
        return _with_values(plan)
    return plan


def in_worker_threads(plan: InjectionPlan, app: AppView | None) -> InjectionPlan:
    """A copy of the plan of a plain ``def`` handler that calls it in a worker thread, at most
    as many at once as the app's ``thread_limiter`` allows (anyio's default limiter without an
    app). Everything else (guards, dependencies, validation) still runs on the event loop."""
    handler = plan.func

    async def in_thread(*args: Any, **kwargs: Any) -> Any:
        # Read per call: the app makes its limiter on first use, inside the event loop.
        limiter = app.thread_limiter if app is not None else None
        return await run_sync_handler(handler, args, kwargs, limiter)

    threaded = copy.copy(plan)
    threaded.func = in_thread
    return threaded


def _with_path_values(handler: Any, path_values: tuple[tuple[str, str], ...]) -> HTTPHandler:
    # `async def h(request, response, user_id: int)`: the route's converters did the work.
    async def with_path_values(request: Request, response: Response) -> Any:
        params = request.scope["path_params"]
        return await handler(request, response, **{name: params[key] for name, key in path_values})

    return with_path_values


def _with_values(plan: InjectionPlan) -> HTTPHandler:
    # Typed query, header, cookie and path values: read and validated without awaiting anything.
    handler = plan.func
    fill = plan.fill

    async def with_values(request: Request, response: Response) -> Any:
        kwargs: dict[str, Any] = {}
        errors = fill(kwargs, request, response, request.scope.get("path_params") or {})
        if errors:
            raise RequestValidationError(errors)
        return await handler(request, response, **kwargs)

    return with_values


def _validating(endpoint: HTTPHandler, validate: Any) -> HTTPHandler:
    async def validating(request: Request, response: Response) -> Any:
        return validate(await endpoint(request, response))

    return validating


def _with_limits(endpoint: HTTPHandler, limits: Limits) -> HTTPHandler:
    async def with_limits(request: Request, response: Response) -> Any:
        request.scope[LIMITS_SCOPE_KEY] = limits
        return await endpoint(request, response)

    return with_limits


__all__ = ["build_endpoint", "build_websocket_endpoint", "handler_endpoint", "in_worker_threads", "route_middleware"]
