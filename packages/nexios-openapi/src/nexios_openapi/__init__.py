"""nexios-openapi: the OpenAPI 3.1 document of a Nexios app, and its docs pages.

``OpenAPI(...).setup(app)`` serves ``/openapi.json``, Swagger UI at ``/docs``, ReDoc at
``/redoc`` and optionally Scalar, every file from this package (no CDN), under a strict
Content-Security-Policy. ``NexiosApp`` does this by default. The document is built from the
routing table and each handler's injection plan: parameters, bodies, responses (the response
model or the return annotation), security from the auth guards. See ``docs/openapi.md``.

Parameter models written by hand (``Query(name=...)``, ``Schema``...) are in
:mod:`nexios_openapi.models`, apart from the ``Query``/``Header`` markers of ``nexios_di``.
"""

from . import models
from .config import OPENAPI_VERSION, OpenAPIConfig
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
from .plugin import OpenAPI, PostProcess, router_of


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
