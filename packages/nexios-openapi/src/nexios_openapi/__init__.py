"""nexios-openapi: the OpenAPI 3.1 document of a Nexios app, and its docs pages.

``OpenAPI(...).setup(app)`` serves ``/openapi.json``, Swagger UI at ``/docs``, ReDoc at
``/redoc`` and optionally Scalar, every file from this package (no CDN), under a strict
Content-Security-Policy. ``NexiosApp`` does this by default. The document is built from the
routing table and each handler's injection plan: parameters, bodies, responses (the response
model or the return annotation), security from the auth guards. See ``docs/openapi.md``.

Parameter models written by hand (``Query(name=...)``, ``Schema``...) are in
:mod:`nexios_openapi.models`, apart from the ``Query``/``Header`` markers of ``nexios_di``.
"""

from typing import TYPE_CHECKING, Any

from .config import OPENAPI_VERSION, OpenAPIConfig
from .plugin import OpenAPI, PostProcess, router_of

if TYPE_CHECKING:
    from . import models
    from .document import build_document, openapi_path
    from .models import (
        APIKey,
        Contact,
        ExternalDocumentation,
        HTTPBasic,
        HTTPBearer,
        License,
        OAuth2,
        OAuthFlows,
        OpenIdConnect,
        Server,
        Tag,
    )

# The OpenAPI object models and the document builder are imported on first use: defining the
# models builds some forty pydantic models (about 8 MiB and 0.4 s of start-up) that an app whose
# docs nobody fetches never needs. `from nexios_openapi import Contact` works as before.
_LAZY = {
    **dict.fromkeys(["APIKey", "Contact", "ExternalDocumentation", "HTTPBasic", "HTTPBearer", "License",
                     "OAuth2", "OAuthFlows", "OpenIdConnect", "Server", "Tag"], "models"),
    "build_document": "document",
    "openapi_path": "document",
}


def __getattr__(name: str) -> Any:
    import importlib

    if name == "models":
        return importlib.import_module(".models", __name__)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def setup_openapi(app: object, **options: object) -> OpenAPI:
    """``OpenAPI(**options).setup(app)``, returning the plugin (``app.docs`` on ``NexiosApp``)."""
    plugin = OpenAPI(**options)  # type: ignore[arg-type]
    plugin.setup(app)
    return plugin


__all__ = [
    "OPENAPI_VERSION",
    "APIKey",
    "Contact",
    "ExternalDocumentation",
    "HTTPBasic",
    "HTTPBearer",
    "License",
    "OAuth2",
    "OAuthFlows",
    "OpenAPI",
    "OpenAPIConfig",
    "OpenIdConnect",
    "PostProcess",
    "Server",
    "Tag",
    "build_document",
    "models",
    "openapi_path",
    "router_of",
    "setup_openapi",
]
