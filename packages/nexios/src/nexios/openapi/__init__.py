"""``nexios.openapi``: the OpenAPI document and docs pages (nexios-openapi)."""

from nexios_openapi import (
    OPENAPI_VERSION,
    APIKey,
    Contact,
    ExternalDocumentation,
    HTTPBasic,
    HTTPBearer,
    License,
    OAuth2,
    OAuthFlows,
    OpenAPI,
    OpenAPIConfig,
    OpenIdConnect,
    Server,
    Tag,
    build_document,
    setup_openapi,
)

from . import config, models

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
    "Server",
    "Tag",
    "build_document",
    "config",
    "models",
    "setup_openapi",
]
