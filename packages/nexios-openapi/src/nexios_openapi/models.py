"""OpenAPI objects a user writes by hand: parameters, security schemes, servers, tags...

The names are the ones upstream Nexios documented (``from nexios.openapi.models import Query,
APIKey``), so its apps keep working: ``Query(name="page", schema=Schema(type="integer"))``,
``APIKey(name="X-API-Key", in_="header")`` (or ``**{"in": "header"}``, since ``in`` is a Python
keyword), ``HTTPBearer(bearerFormat="JWT")``. Every model accepts the OpenAPI field names and their
Python spellings (``in_``, ``schema_``, ``not_``, ``ref``), and extra keys such as ``x-logo``
(specification extensions). :func:`dump` turns any of them (or a plain mapping) into the JSON the
document holds. Most users never need these: the document is built from the handlers.
"""

from __future__ import annotations

from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from ._dump import dump


class OpenAPIModel(BaseModel):
    """Base of every model here: field names or aliases, extension keys allowed."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")


class Contact(OpenAPIModel):
    """Who to contact about the API."""

    name: str | None = None
    url: str | None = None
    email: str | None = None


class License(OpenAPIModel):
    """The API's licence: ``License(name="MIT", identifier="MIT")``."""

    name: str
    identifier: str | None = None
    url: str | None = None


class Info(OpenAPIModel):
    """The document's Info Object (``OpenAPIConfig`` builds it from its arguments)."""

    title: str
    version: str
    summary: str | None = None
    description: str | None = None
    termsOfService: str | None = None
    contact: Contact | None = None
    license: License | None = None


class ServerVariable(OpenAPIModel):
    """A variable in a server URL template."""

    default: str
    enum: list[str] | None = None
    description: str | None = None


class Server(OpenAPIModel):
    """Where the API is served: ``Server(url="https://api.example.com")``."""

    url: str
    description: str | None = None
    variables: dict[str, ServerVariable] | None = None


class ExternalDocumentation(OpenAPIModel):
    """A link to more documentation."""

    url: str
    description: str | None = None


class Tag(OpenAPIModel):
    """A tag with a description (operations name tags; the document lists them here)."""

    name: str
    description: str | None = None
    externalDocs: ExternalDocumentation | None = None


class Schema(OpenAPIModel):
    """A JSON Schema (OpenAPI 3.1 uses JSON Schema 2020-12). Common keywords are fields; any other
    keyword is accepted as an extra key."""

    ref: str | None = Field(default=None, alias="$ref")
    title: str | None = None
    description: str | None = None
    type: str | list[str] | None = None
    format: str | None = None
    default: Any = None
    enum: list[Any] | None = None
    const: Any = None
    examples: list[Any] | None = None
    multipleOf: int | float | None = None
    maximum: int | float | None = None
    exclusiveMaximum: int | float | None = None
    minimum: int | float | None = None
    exclusiveMinimum: int | float | None = None
    maxLength: int | None = Field(default=None, ge=0)
    minLength: int | None = Field(default=None, ge=0)
    pattern: str | None = None
    maxItems: int | None = Field(default=None, ge=0)
    minItems: int | None = Field(default=None, ge=0)
    uniqueItems: bool | None = None
    items: Schema | bool | None = None
    properties: dict[str, Schema | bool] | None = None
    additionalProperties: Schema | bool | None = None
    required: list[str] | None = None
    allOf: list[Schema] | None = None
    anyOf: list[Schema] | None = None
    oneOf: list[Schema] | None = None
    not_: Schema | None = Field(default=None, alias="not")
    readOnly: bool | None = None
    writeOnly: bool | None = None
    deprecated: bool | None = None


class Example(OpenAPIModel):
    """A named example."""

    summary: str | None = None
    description: str | None = None
    value: Any = None
    externalValue: str | None = None


class MediaType(OpenAPIModel):
    """The schema and examples of one media type of a body."""

    schema_: dict[str, Any] | Schema | None = Field(default=None, alias="schema")
    example: Any = None
    examples: dict[str, Example] | None = None
    encoding: dict[str, Any] | None = None


class Parameter(OpenAPIModel):
    """A parameter of an operation; ``Query``, ``Header``, ``Path`` and ``Cookie`` fill ``in``."""

    name: str
    in_: Literal["query", "header", "path", "cookie"] = Field(alias="in")
    description: str | None = None
    required: bool | None = None
    deprecated: bool | None = None
    allowEmptyValue: bool | None = None
    style: str | None = None
    explode: bool | None = None
    schema_: dict[str, Any] | Schema | None = Field(default=None, alias="schema")
    example: Any = None
    examples: dict[str, Example] | None = None
    content: dict[str, MediaType] | None = None


class Query(Parameter):
    """A query-string parameter: ``Query(name="page", schema=Schema(type="integer"))``."""

    in_: Literal["query"] = Field(default="query", alias="in")


class Header(Parameter):
    """A request header parameter."""

    in_: Literal["header"] = Field(default="header", alias="in")


class Path(Parameter):
    """A path parameter (always required)."""

    in_: Literal["path"] = Field(default="path", alias="in")
    required: bool | None = True


class Cookie(Parameter):
    """A cookie parameter."""

    in_: Literal["cookie"] = Field(default="cookie", alias="in")


class RequestBody(OpenAPIModel):
    """A request body by media type."""

    content: dict[str, MediaType]
    description: str | None = None
    required: bool | None = None


class Response(OpenAPIModel):
    """A response: ``responses={404: Response(description="No such user")}``."""

    description: str
    headers: dict[str, Any] | None = None
    content: dict[str, MediaType] | None = None
    links: dict[str, Any] | None = None


class SecurityBase(OpenAPIModel):
    """What every security scheme has."""

    type: str
    description: str | None = None


class APIKey(SecurityBase):
    """A key in a header, the query string or a cookie: ``APIKey(name="X-API-Key", in_="header")``."""

    type: Literal["apiKey"] = "apiKey"
    name: str
    in_: Literal["query", "header", "cookie"] = Field(alias="in")


class HTTPBase(SecurityBase):
    """An ``Authorization`` scheme (``basic``, ``bearer``, ``digest``...)."""

    type: Literal["http"] = "http"
    scheme: str
    bearerFormat: str | None = None


class HTTPBearer(HTTPBase):
    """``Authorization: Bearer <token>``; ``bearerFormat="JWT"`` says what the token is."""

    scheme: str = "bearer"


class HTTPBasic(HTTPBase):
    """``Authorization: Basic <base64 user:password>``."""

    scheme: str = "basic"


class OAuthFlow(OpenAPIModel):
    """What every OAuth 2 flow has."""

    refreshUrl: str | None = None
    scopes: dict[str, str] = Field(default_factory=dict)


class OAuthFlowImplicit(OAuthFlow):
    """The implicit flow."""

    authorizationUrl: str


class OAuthFlowPassword(OAuthFlow):
    """The resource-owner password flow."""

    tokenUrl: str


class OAuthFlowClientCredentials(OAuthFlow):
    """The client-credentials flow."""

    tokenUrl: str


class OAuthFlowAuthorizationCode(OAuthFlow):
    """The authorization-code flow."""

    authorizationUrl: str
    tokenUrl: str


class OAuthFlows(OpenAPIModel):
    """The flows an OAuth 2 scheme supports."""

    implicit: OAuthFlowImplicit | None = None
    password: OAuthFlowPassword | None = None
    clientCredentials: OAuthFlowClientCredentials | None = None
    authorizationCode: OAuthFlowAuthorizationCode | None = None


class OAuth2(SecurityBase):
    """OAuth 2: ``OAuth2(flows=OAuthFlows(password=OAuthFlowPassword(tokenUrl="/token")))``."""

    type: Literal["oauth2"] = "oauth2"
    flows: OAuthFlows


class OpenIdConnect(SecurityBase):
    """OpenID Connect discovery."""

    type: Literal["openIdConnect"] = "openIdConnect"
    openIdConnectUrl: str


SecurityScheme = Union[APIKey, HTTPBase, HTTPBearer, HTTPBasic, OAuth2, OpenIdConnect]  # noqa: UP007
"""Any security scheme model (a plain mapping is accepted wherever one is)."""

Schema.model_rebuild()

__all__ = [
    "APIKey", "Contact", "Cookie", "Example", "ExternalDocumentation", "HTTPBase", "HTTPBasic",
    "HTTPBearer", "Header", "Info", "License", "MediaType", "OAuth2", "OAuthFlow", "OAuthFlowAuthorizationCode",
    "OAuthFlowClientCredentials", "OAuthFlowImplicit", "OAuthFlowPassword", "OAuthFlows", "OpenAPIModel",
    "OpenIdConnect", "Parameter", "Path", "Query", "RequestBody", "Response", "Schema", "SecurityBase",
    "SecurityScheme", "Server", "ServerVariable", "Tag", "dump",
]
