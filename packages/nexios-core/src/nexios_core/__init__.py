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

# Cheap modules with no dependencies of their own are imported eagerly.
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
        run_until_first_complete,
    )
    from .config import MakeConfig
    from .connection import HTTPConnection
    from .consumers import WebSocketConsumer
    from .cookies import format_set_cookie
    from .current_app import current_app
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
    from .dispatch import AppView, Dispatcher, HandlerDispatcher, HTTPHandler
    from .errors import ExceptionHandler, ExceptionKey, http_exception_response
    from .fileresponse import FileResponse
    from .limits import DEFAULT_LIMITS, KIB, LIMITS_SCOPE_KEY, MIB, Limits
    from .middleware.asgi import Middleware
    from .middleware.base import BaseMiddleware
    from .middleware.chain import CallNext, Endpoint, compose, is_http_middleware, to_response
    from .middleware.cors import CORSMiddleware
    from .middleware.gzip import GZipMiddleware
    from .middleware.security import SecurityHeadersMiddleware
    from .middleware.trusted_host import TrustedHostMiddleware
    from .plugins import ENTRY_POINT_GROUP, PluginError
    from .request import Request, is_json_media_type, routed_path
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
        "gather", "is_async_callable", "iterate_in_threadpool", "run_in_threadpool", "run_until_first_complete",
    ], "concurrency"),
    "MakeConfig": "config",
    "HTTPConnection": "connection",
    "WebSocketConsumer": "consumers",
    "format_set_cookie": "cookies",
    "current_app": "current_app",
    **dict.fromkeys([
        "URL", "Address", "FormData", "Headers", "MutableHeaders", "QueryParams", "State", "UploadFile",
        "query_for_location",
    ], "datastructures"),
    **dict.fromkeys(["AppView", "Dispatcher", "HTTPHandler", "HandlerDispatcher"], "dispatch"),
    **dict.fromkeys(["ExceptionHandler", "ExceptionKey", "http_exception_response"], "errors"),
    "FileResponse": "fileresponse",
    **dict.fromkeys(["DEFAULT_LIMITS", "KIB", "LIMITS_SCOPE_KEY", "Limits", "MIB"], "limits"),
    "Middleware": "middleware.asgi",
    "BaseMiddleware": "middleware.base",
    **dict.fromkeys(["CallNext", "Endpoint", "compose", "is_http_middleware", "to_response"], "middleware.chain"),
    "CORSMiddleware": "middleware.cors",
    "GZipMiddleware": "middleware.gzip",
    "SecurityHeadersMiddleware": "middleware.security",
    "TrustedHostMiddleware": "middleware.trusted_host",
    **dict.fromkeys(["ENTRY_POINT_GROUP", "PluginError"], "plugins"),
    **dict.fromkeys(["Request", "is_json_media_type", "routed_path"], "request"),
    **dict.fromkeys([
        "BaseResponse", "HTMLResponse", "JSONResponse", "PlainTextResponse", "RedirectResponse", "Response",
    ], "responses"),
    "StaticFiles": "staticfiles",
    **dict.fromkeys(["EventSourceResponse", "ServerSentEvent", "StreamingResponse"], "streaming"),
    **dict.fromkeys(["WebSocket", "WebSocketState"], "websocket"),
    "origin_is_allowed": "websocket_origin",
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
    # the application
    "App", "Hook", "Lifespan", "MakeConfig", "current_app", "Dispatcher", "AppView", "HandlerDispatcher",
    "HTTPHandler", "State",
    # plugins and the other seams (see nexios_core.interfaces)
    "Plugin", "PluginError", "ENTRY_POINT_GROUP", "HTTPMiddleware", "MiddlewareWithSetup", "Guard", "add_guard",
    "guards_of", "is_routed", "mark_routed", "SessionBackend", "CookieSessionBackend", "AuthenticationBackend",
    "AuthResult", "ChannelLayer", "Transport", "Subscription",
    # requests
    "Request", "HTTPConnection", "URL", "Address", "Headers", "MutableHeaders", "QueryParams", "FormData",
    "UploadFile", "query_for_location", "routed_path", "is_json_media_type",
    # responses
    "Response", "BaseResponse", "JSONResponse", "HTMLResponse", "PlainTextResponse", "RedirectResponse",
    "FileResponse", "StreamingResponse", "EventSourceResponse", "ServerSentEvent", "StaticFiles",
    "format_set_cookie", "BackgroundTask", "BackgroundTasks",
    # middleware
    "BaseMiddleware", "Middleware", "CallNext", "Endpoint", "compose", "is_http_middleware", "to_response",
    "CORSMiddleware", "GZipMiddleware", "SecurityHeadersMiddleware", "TrustedHostMiddleware",
    # errors
    "ExceptionHandler", "ExceptionKey", "http_exception_response", "NexiosError", "ImproperlyConfigured",
    "HTTPException", "BadRequest", "Unauthorized", "Forbidden", "NotFound", "NotFoundException",
    "MethodNotAllowed", "NotAcceptable", "Conflict", "PayloadTooLarge", "RangeNotSatisfiable",
    "RequestHeaderFieldsTooLarge", "UnsupportedMediaType", "UnprocessableEntity", "TooManyRequests",
    "InternalServerError", "ServiceUnavailable", "ClientDisconnect", "WebSocketException",
    "WebSocketDisconnect",
    # limits
    "Limits", "DEFAULT_LIMITS", "LIMITS_SCOPE_KEY", "KIB", "MIB",
    # WebSockets and channels
    "WebSocket", "WebSocketState", "WebSocketConsumer", "origin_is_allowed", "Channel", "ChannelBox",
    "ChannelAddStatus", "ChannelRemoveStatus", "GroupSendStatus", "InMemoryChannelLayer", "InMemoryTransport",
    "MessageHistory", "PayloadType", "ChannelLayerError", "ChannelLayerUnavailable", "ChannelMessageTooLarge",
    "InvalidGroupName",
    # ASGI types and concurrency helpers
    "ASGIApp", "Scope", "Message", "Receive", "Send", "is_async_callable", "run_in_threadpool",
    "iterate_in_threadpool", "run_until_first_complete", "gather",
]
