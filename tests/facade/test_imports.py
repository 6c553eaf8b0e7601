"""Every documented import path of the ``nexios`` facade imports and exposes its names
(shared/API.md), as the same objects the implementation packages define."""

from __future__ import annotations

import importlib

import pytest

DOCUMENTED: dict[str, list[str]] = {
    "nexios": [
        "NexiosApp", "get_application", "Router", "Routes", "Group", "WSRouter", "MakeConfig", "Depend", "Context",
    ],
    "nexios.http": ["Request", "Response"],
    "nexios.http.request": ["Request"],
    "nexios.http.response": [
        "BaseResponse", "JSONResponse", "PlainTextResponse", "HTMLResponse", "RedirectResponse",
        "FileResponse", "StreamingResponse", "Response", "NexiosResponse",
    ],
    "nexios.routing": ["Router", "Routes", "Route", "WSRouter", "Group", "Mount", "WebSocketRoute",
                       "register_converter"],
    "nexios.exceptions": [
        "HTTPException", "NotFoundException", "BadRequest", "Unauthorized", "Forbidden",
        "MethodNotAllowed", "UnprocessableEntity", "PayloadTooLarge", "TooManyRequests",
        "InternalServerError",
    ],
    "nexios.config": ["MakeConfig", "set_config", "get_config"],
    "nexios.types": ["ASGIApp", "Scope", "Receive", "Send"],
    "nexios.middleware": ["BaseMiddleware", "CORSMiddleware", "GzipMiddleware", "SecurityMiddleware"],
    "nexios.middleware.base": ["BaseMiddleware"],
    "nexios.middleware.cors": ["CORSMiddleware"],
    "nexios.middleware.gzip": ["GzipMiddleware"],
    "nexios.middleware.security": ["SecurityMiddleware"],
    "nexios.testclient": ["TestClient"],
    "nexios.utils.concurrency": ["run_in_threadpool", "gather"],
    "nexios.staticfiles": ["StaticFiles"],
    "nexios.background": ["BackgroundTask", "BackgroundTasks"],
    "nexios.websockets": ["WebSocket", "WebSocketDisconnect", "WebSocketConsumer"],
    "nexios.websockets.channels": ["Channel", "ChannelBox"],
    "nexios.dependencies": ["Depend", "Context", "Query", "Header", "Cookie", "Path", "Body", "Form", "File"],
    "nexios.session.middleware": ["SessionMiddleware"],
    "nexios.session.base": ["BaseSessionInterface"],
    "nexios.session.signed_cookies": ["SignedSessionManager"],
    "nexios.session.file": ["FileSessionManager"],
    "nexios.auth": ["AuthenticationMiddleware", "SimpleUser", "UnauthenticatedUser"],
    "nexios.auth.decorator": ["auth"],
    "nexios.middleware.csrf": ["CSRFMiddleware"],
    "nexios.limits": ["Limits"],
    "nexios.datastructures": ["UploadFile", "Headers", "QueryParams"],
    "nexios.openapi": ["OpenAPI", "OpenAPIConfig", "APIKey", "HTTPBearer", "OAuth2", "Contact", "License", "Server",
                       "Tag", "setup_openapi", "models", "config"],
    "nexios.openapi.models": ["Query", "Header", "Path", "Cookie", "Parameter", "Schema", "APIKey", "HTTPBase",
                              "HTTPBearer", "HTTPBasic", "OAuth2", "OAuthFlows", "OAuthFlowPassword", "OpenIdConnect",
                              "Contact", "License", "Info", "Server", "Tag", "Response", "RequestBody", "MediaType",
                              "ExternalDocumentation", "Example"],
    "nexios.openapi.config": ["OpenAPIConfig"],
}


@pytest.mark.parametrize(("module_name", "names"), sorted(DOCUMENTED.items()))
def test_documented_module_imports_and_exposes_its_names(module_name: str, names: list[str]) -> None:
    module = importlib.import_module(module_name)
    missing = [name for name in names if not hasattr(module, name)]
    assert missing == [], f"{module_name} lacks {missing}"
    exported = getattr(module, "__all__", None)
    if exported is not None:
        assert set(names) <= set(exported), f"{module_name}.__all__ lacks {set(names) - set(exported)}"


@pytest.mark.parametrize(
    ("facade_path", "core_path"),
    [
        ("nexios.http:Request", "nexios_core.request:Request"),
        ("nexios.http:Response", "nexios_core.responses:Response"),
        ("nexios.http.response:JSONResponse", "nexios_core.responses:JSONResponse"),
        ("nexios.http.response:NexiosResponse", "nexios_core.responses:Response"),
        ("nexios.http.response:FileResponse", "nexios_core.fileresponse:FileResponse"),
        ("nexios.exceptions:HTTPException", "nexios_core.exceptions:HTTPException"),
        ("nexios.exceptions:NotFoundException", "nexios_core.exceptions:NotFoundException"),
        ("nexios.config:MakeConfig", "nexios_core.config:MakeConfig"),
        ("nexios:MakeConfig", "nexios_core.config:MakeConfig"),
        ("nexios.middleware.base:BaseMiddleware", "nexios_core.middleware.base:BaseMiddleware"),
        ("nexios.staticfiles:StaticFiles", "nexios_core.staticfiles:StaticFiles"),
        ("nexios.background:BackgroundTask", "nexios_core.background:BackgroundTask"),
    ],
)
def test_facade_names_are_the_implementation_objects(facade_path: str, core_path: str) -> None:
    # isinstance checks and exception handlers keyed by class must work whichever path a user imports.
    def resolve(path: str) -> object:
        module_name, name = path.split(":")
        return getattr(importlib.import_module(module_name), name)

    assert resolve(facade_path) is resolve(core_path)


def test_upstream_routing_classes_are_the_implementation_classes_underneath() -> None:
    # The facade's Router, Group and Routes accept upstream spellings on top of nexios_routing's
    # classes: anything checking isinstance against nexios_routing still sees them.
    import nexios_routing
    from nexios import Group, Router, Routes, WSRouter

    assert issubclass(Router, nexios_routing.Router) and issubclass(WSRouter, Router)
    assert issubclass(Group, nexios_routing.Group) and issubclass(Routes, nexios_routing.Route)


def test_gzip_middleware_has_both_spellings() -> None:
    from nexios.middleware import GZipMiddleware, GzipMiddleware

    assert GzipMiddleware is GZipMiddleware


def test_http_exception_subclasses_carry_their_status() -> None:
    from nexios import exceptions

    assert exceptions.NotFoundException().status_code == 404
    assert exceptions.MethodNotAllowed().status_code == 405
    assert exceptions.UnprocessableEntity().status_code == 422
    error = exceptions.HTTPException(418, detail="teapot", headers={"x-a": "b"})
    assert (error.status_code, error.detail, error.headers) == (418, "teapot", {"x-a": "b"})
    assert issubclass(exceptions.NotFoundException, exceptions.HTTPException)
