"""``OpenAPIConfig``: what the document says about the API as a whole.

Title, version, description, servers, contact, licence, tags with descriptions, and the security
schemes routes may refer to. The name and the first arguments are upstream Nexios's
(``OpenAPIConfig(title=..., version=..., description=..., servers=[...])``,
``config.add_security_scheme(name, scheme)``), so its apps keep working.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from nexios_core import ImproperlyConfigured

from ._dump import dump

if TYPE_CHECKING:
    from .models import Contact, ExternalDocumentation, License, SecurityBase, Server, Tag

# The OpenAPI object models (`.models`) are imported when first needed, not with this module:
# defining them builds some forty pydantic models (about 8 MiB and 0.4 s at start-up), which an
# app whose docs nobody fetches never needs.

logger = logging.getLogger("nexios.openapi")

OPENAPI_VERSION = "3.1.0"
"""The version of the OpenAPI Specification every document follows."""


class OpenAPIConfig:
    """Document-wide settings. Every argument may be a model from ``nexios_openapi.models`` or a
    plain mapping with the OpenAPI field names.

    ``openapi_version`` is accepted for upstream compatibility; documents are always OpenAPI 3.1
    (JSON Schema 2020-12), which every current tool reads.
    """

    def __init__(
        self,
        title: str = "API Documentation",
        version: str = "1.0.0",
        description: str = "",
        servers: Sequence[Server | Mapping[str, Any]] | None = None,
        contact: Contact | Mapping[str, Any] | None = None,
        license: License | Mapping[str, Any] | None = None,  # noqa: A002 - the OpenAPI field name
        openapi_version: str = OPENAPI_VERSION,
        *,
        summary: str | None = None,
        terms_of_service: str | None = None,
        tags: Sequence[Tag | Mapping[str, Any]] | None = None,
        external_docs: ExternalDocumentation | Mapping[str, Any] | None = None,
        security_schemes: Mapping[str, SecurityBase | Mapping[str, Any]] | None = None,
        security: Sequence[Mapping[str, Sequence[str]]] | None = None,
    ) -> None:
        if not openapi_version.startswith("3.1"):
            logger.warning("OpenAPIConfig(openapi_version=%r): Nexios writes OpenAPI %s documents",
                           openapi_version, OPENAPI_VERSION)
        self.title = title
        self.version = version
        self.description = description
        self.summary = summary
        self.terms_of_service = terms_of_service
        self.servers: list[dict[str, Any]] = [dump(server) for server in servers or ()]
        self.contact: dict[str, Any] | None = dump(contact) if contact is not None else None
        self.license: dict[str, Any] | None = dump(license) if license is not None else None
        self.external_docs: dict[str, Any] | None = dump(external_docs) if external_docs is not None else None
        self.tags: list[dict[str, Any]] = []
        for tag in tags or ():
            self.tags.append(dump(tag))
        self.security_schemes: dict[str, dict[str, Any]] = {}
        for name, scheme in (security_schemes or {}).items():
            self.add_security_scheme(name, scheme)
        self.security: list[dict[str, list[str]]] | None = (
            [{name: list(scopes) for name, scopes in requirement.items()} for requirement in security]
            if security is not None else None
        )

    @property
    def openapi_version(self) -> str:
        """Always ``3.1.0``."""
        return OPENAPI_VERSION

    def add_security_scheme(self, name: str, scheme: SecurityBase | Mapping[str, Any]) -> None:
        """Declare a security scheme that routes name in ``security=[{name: [scopes]}]``."""
        if not name:
            raise ImproperlyConfigured("A security scheme needs a name")
        dumped = dump(scheme)
        if not isinstance(dumped, dict) or "type" not in dumped:
            raise ImproperlyConfigured(
                f"Security scheme {name!r} must be a model from nexios_openapi.models (HTTPBearer, "
                f"APIKey, OAuth2...) or a mapping with a 'type', not {scheme!r}"
            )
        self.security_schemes[name] = dumped

    def add_tag(self, name: str, description: str | None = None,
                external_docs: ExternalDocumentation | Mapping[str, Any] | None = None) -> None:
        """Describe a tag (routes and routers name tags; this gives one a description)."""
        from .models import ExternalDocumentation, Tag

        tag = dump(Tag(name=name, description=description,
                       externalDocs=ExternalDocumentation.model_validate(dump(external_docs))
                       if external_docs is not None else None))
        self.tags = [existing for existing in self.tags if existing.get("name") != name] + [tag]

    def info(self) -> dict[str, Any]:
        """The document's Info Object."""
        info: dict[str, Any] = {"title": self.title, "version": self.version}
        for key, value in (("summary", self.summary), ("description", self.description),
                           ("termsOfService", self.terms_of_service), ("contact", self.contact),
                           ("license", self.license)):
            if value:
                info[key] = value
        return info


__all__ = ["OPENAPI_VERSION", "OpenAPIConfig"]
