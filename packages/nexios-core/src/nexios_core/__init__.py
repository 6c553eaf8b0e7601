"""nexios-core: the ASGI core of Nexios, and the contract its sibling packages and plugins build on.

**The public API is the names in** ``__all__`` **below**, imported from ``nexios_core`` itself
(``from nexios_core import App, Request, Plugin``), plus the public submodules listed next.
Nothing else in ``nexios_core`` is API: the modules those names live in, and every other name in
them, may change in any release. Sibling packages (``nexios_routing``, ``nexios_session``...)
follow the same rule as third-party plugins, and ``tests/contract`` enforces it.

Public submodules (each with its own ``__all__``), kept apart because they need an optional
dependency or form a feature of their own:

- ``nexios_core.testclient``: ``TestClient``, ``AsyncTestClient``... (the ``testclient``
  extra, httpx).
- ``nexios_core.redis_channels``: ``RedisChannelLayer`` (the ``redis`` extra).
- ``nexios_core.redis_transport``: ``RedisTransport`` (the ``redis`` extra).
- ``nexios_core.ratelimit``: rate limiting (its Redis store needs the ``redis`` extra).
- ``nexios_core.jsoncodec``: ``dumps`` and ``loads``, the JSON codec responses and requests use.
- ``nexios_core.events``: ``EventEmitter``, ``AsyncEventEmitter`` (``app.events``), priorities.
- ``nexios_core.pagination``: page-number, limit-offset and cursor pagination
  (``response.paginate``); ``nexios_core.paginators``: the data sources and paginators.
- ``nexios_core.request_ids``: request ids (``X-Request-ID``) and ``RequestIdFilter`` for log
  records; ``nexios_core.request_log``: the access log and the ``DescribesRoutes`` seam;
  ``nexios_core.logs``: ``setup_logging`` and the JSON/text formatters.
- ``nexios_core.health``: ``HealthChecks``, liveness and readiness endpoints.
- ``nexios_core.checks``: the deployment audit (``nexios check``) and its ``check_deployment`` hook.
- ``nexios_core.otel``: ``OpenTelemetry``, traces and metrics (the ``otel`` extra).

The seams a plugin implements are :mod:`typing.Protocol` classes exported here (``Plugin``,
``HTTPMiddleware``, ``MiddlewareWithSetup``, ``Guard``, ``SessionBackend``,
``CookieSessionBackend``, ``AuthenticationBackend``, ``ChannelLayer``, ``Dispatcher`` with the
``AppView`` it compiles against); see
``docs/plugins.md``.

Importing ``nexios_core`` is cheap: a name is imported from its module the first time it is
used (PEP 562), so a tool that needs only ``ImproperlyConfigured`` does not load the app.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .current_app import current_app, current_request  # see the note below

# Cheap modules with no dependencies of their own are imported eagerly. (So is `current_app`:
# imported on first use, the function would be hidden by its module, which Python sets as the
# package attribute `current_app` once anything imports `nexios_core.current_app`.)
from .exceptions import (
    BadRequest,
    ClientDisconnect,
    Conflict,
    Forbidden,
    HTTPException,
    ImproperlyConfigured,
    InternalServerError,
    MethodNotAllowed,
    NexiosError,
    NotAcceptable,
    NotFound,
    NotFoundException,
    PayloadTooLarge,
    RangeNotSatisfiable,
    RequestHeaderFieldsTooLarge,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    UnprocessableEntity,
    UnsupportedMediaType,
    WebSocketDisconnect,
    WebSocketException,
)
from .guards import Guard, add_guard, guards_of, is_routed, mark_routed
from .interfaces import (
    AuthenticationBackend,
    AuthResult,
    CookieSessionBackend,
    HTTPMiddleware,
    MiddlewareWithSetup,
    Plugin,
    SessionBackend,
)
from .types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from .app import App, Hook, Lifespan
    from .background import BackgroundTask, BackgroundTasks
    from .channel_box import ChannelAddStatus, ChannelBox, ChannelRemoveStatus, GroupSendStatus
    from .channels import (
        Channel,
        ChannelLayer,
        ChannelLayerError,
        ChannelLayerUnavailable,
        ChannelMessageTooLarge,
        InMemoryChannelLayer,
        InMemoryTransport,
        InvalidGroupName,
        MessageHistory,
        PayloadType,
        Subscription,
        Transport,
    )
    from .concurrency import (
        gather,
        is_async_callable,
        iterate_in_threadpool,
        run_in_threadpool,
        run_sync_handler,
        run_until_first_complete,
    )
    from .config import MakeConfig
    from .connection import HTTPConnection
    from .consumers import WebSocketConsumer
    from .cookies import format_set_cookie
    from .datastructures import (
        URL,
        Address,
        FormData,
        Headers,
        MutableHeaders,
        QueryParams,
        State,
        UploadFile,
        query_for_location,
    )
    from .dispatch import AppView, Dispatcher, HandlerDispatcher, HTTPHandler, around_app_middleware
    from .errors import ExceptionHandler, ExceptionKey, http_exception_response
    from .fileresponse import FileResponse
    from .limits import DEFAULT_LIMITS, KIB, LIMITS_SCOPE_KEY, MIB, Limits
    from .middleware.asgi import Middleware
    from .middleware.base import BaseMiddleware
    from .middleware.chain import CallNext, Endpoint, compose, is_http_middleware, responding, to_response
    from .middleware.cors import CORSMiddleware
    from .middleware.gzip import GZipMiddleware
    from .middleware.security import SecurityHeadersMiddleware
    from .middleware.trusted_host import TrustedHostMiddleware
    from .plugins import ENTRY_POINT_GROUP, PluginError
    from .request import Request, is_json_media_type, routed_path
    from .response_pages import TemplateRenderer
    from .responses import (
        BaseResponse,
        HTMLResponse,
        JSONResponse,
        PlainTextResponse,
        RedirectResponse,
        Response,
    )
    from .staticfiles import StaticFiles
    from .streaming import EventSourceResponse, ServerSentEvent, StreamingResponse
    from .websocket import WebSocket, WebSocketState
    from .websocket_middleware import (
        WebSocketAwareMiddleware,
        WebSocketCallNext,
        WebSocketEndpoint,
        compose_websocket,
        is_websocket_middleware,
        websocket_middleware_in,
    )
    from .websocket_origin import origin_is_allowed

# Everything else is imported on first use: the module each name lives in.
_LAZY: dict[str, str] = {
    **dict.fromkeys(["App", "Hook", "Lifespan"], "app"),
    **dict.fromkeys(["BackgroundTask", "BackgroundTasks"], "background"),
    **dict.fromkeys(["ChannelAddStatus", "ChannelBox", "ChannelRemoveStatus", "GroupSendStatus"], "channel_box"),
    **dict.fromkeys([
        "Channel", "ChannelLayer", "ChannelLayerError", "ChannelLayerUnavailable", "ChannelMessageTooLarge",
        "InMemoryChannelLayer", "InMemoryTransport", "InvalidGroupName", "MessageHistory", "PayloadType",
        "Subscription", "Transport",
    ], "channels"),
    **dict.fromkeys([
        "gather", "is_async_callable", "iterate_in_threadpool", "run_in_threadpool", "run_sync_handler",
        "run_until_first_complete",
    ], "concurrency"),
    "MakeConfig": "config",
    "HTTPConnection": "connection",
    "WebSocketConsumer": "consumers",
    "format_set_cookie": "cookies",
    **dict.fromkeys([
        "URL", "Address", "FormData", "Headers", "MutableHeaders", "QueryParams", "State", "UploadFile",
        "query_for_location",
    ], "datastructures"),
    **dict.fromkeys(["AppView", "Dispatcher", "HTTPHandler", "HandlerDispatcher", "around_app_middleware"], "dispatch"),
    **dict.fromkeys(["ExceptionHandler", "ExceptionKey", "http_exception_response"], "errors"),
    "FileResponse": "fileresponse",
    **dict.fromkeys(["DEFAULT_LIMITS", "KIB", "LIMITS_SCOPE_KEY", "Limits", "MIB"], "limits"),
    "Middleware": "middleware.asgi",
    "BaseMiddleware": "middleware.base",
    **dict.fromkeys(["CallNext", "Endpoint", "compose", "is_http_middleware", "responding", "to_response"],
                    "middleware.chain"),
    "CORSMiddleware": "middleware.cors",
    "GZipMiddleware": "middleware.gzip",
    "SecurityHeadersMiddleware": "middleware.security",
    "TrustedHostMiddleware": "middleware.trusted_host",
    **dict.fromkeys(["ENTRY_POINT_GROUP", "PluginError"], "plugins"),
    **dict.fromkeys(["Request", "is_json_media_type", "routed_path"], "request"),
    "TemplateRenderer": "response_pages",
    **dict.fromkeys([
        "BaseResponse", "HTMLResponse", "JSONResponse", "PlainTextResponse", "RedirectResponse", "Response",
    ], "responses"),
    "StaticFiles": "staticfiles",
    **dict.fromkeys(["EventSourceResponse", "ServerSentEvent", "StreamingResponse"], "streaming"),
    **dict.fromkeys(["WebSocket", "WebSocketState"], "websocket"),
    "origin_is_allowed": "websocket_origin",
    **dict.fromkeys([
        "WebSocketAwareMiddleware", "WebSocketCallNext", "WebSocketEndpoint", "compose_websocket",
        "is_websocket_middleware", "websocket_middleware_in",
    ], "websocket_middleware"),
}

if not TYPE_CHECKING:  # hidden from type checkers, so that a misspelt name is an error for them

    def __getattr__(name: str) -> Any:
        home = _LAZY.get(name)
        if home is None:
            raise AttributeError(f"module 'nexios_core' has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
        globals()[name] = value  # later lookups find it directly
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *_LAZY})


__all__ = [
    "add_guard",
    "Address",
    "App",
    "AppView",
    "around_app_middleware",
    "ASGIApp",
    "AuthenticationBackend",
    "AuthResult",
    "BackgroundTask",
    "BackgroundTasks",
    "BadRequest",
    "BaseMiddleware",
    "BaseResponse",
    "CallNext",
    "Channel",
    "ChannelAddStatus",
    "ChannelBox",
    "ChannelLayer",
    "ChannelLayerError",
    "ChannelLayerUnavailable",
    "ChannelMessageTooLarge",
    "ChannelRemoveStatus",
    "ClientDisconnect",
    "compose",
    "compose_websocket",
    "Conflict",
    "CookieSessionBackend",
    "CORSMiddleware",
    "current_app",
    "current_request",
    "DEFAULT_LIMITS",
    "Dispatcher",
    "Endpoint",
    "ENTRY_POINT_GROUP",
    "EventSourceResponse",
    "ExceptionHandler",
    "ExceptionKey",
    "FileResponse",
    "Forbidden",
    "format_set_cookie",
    "FormData",
    "gather",
    "GroupSendStatus",
    "Guard",
    "guards_of",
    "GZipMiddleware",
    "HandlerDispatcher",
    "Headers",
    "Hook",
    "HTMLResponse",
    "http_exception_response",
    "HTTPConnection",
    "HTTPException",
    "HTTPHandler",
    "HTTPMiddleware",
    "ImproperlyConfigured",
    "InMemoryChannelLayer",
    "InMemoryTransport",
    "InternalServerError",
    "InvalidGroupName",
    "is_async_callable",
    "is_http_middleware",
    "is_json_media_type",
    "is_routed",
    "is_websocket_middleware",
    "iterate_in_threadpool",
    "JSONResponse",
    "KIB",
    "Lifespan",
    "Limits",
    "LIMITS_SCOPE_KEY",
    "MakeConfig",
    "mark_routed",
    "Message",
    "MessageHistory",
    "MethodNotAllowed",
    "MIB",
    "Middleware",
    "MiddlewareWithSetup",
    "MutableHeaders",
    "NexiosError",
    "NotAcceptable",
    "NotFound",
    "NotFoundException",
    "origin_is_allowed",
    "PayloadTooLarge",
    "PayloadType",
    "PlainTextResponse",
    "Plugin",
    "PluginError",
    "query_for_location",
    "QueryParams",
    "RangeNotSatisfiable",
    "Receive",
    "RedirectResponse",
    "Request",
    "RequestHeaderFieldsTooLarge",
    "responding",
    "Response",
    "routed_path",
    "run_in_threadpool",
    "run_sync_handler",
    "run_until_first_complete",
    "Scope",
    "SecurityHeadersMiddleware",
    "Send",
    "ServerSentEvent",
    "ServiceUnavailable",
    "SessionBackend",
    "State",
    "StaticFiles",
    "StreamingResponse",
    "Subscription",
    "to_response",
    "TemplateRenderer",
    "TooManyRequests",
    "Transport",
    "TrustedHostMiddleware",
    "Unauthorized",
    "UnprocessableEntity",
    "UnsupportedMediaType",
    "UploadFile",
    "URL",
    "WebSocket",
    "WebSocketAwareMiddleware",
    "WebSocketCallNext",
    "WebSocketConsumer",
    "WebSocketDisconnect",
    "WebSocketEndpoint",
    "WebSocketException",
    "WebSocketState",
    "websocket_middleware_in",
]
