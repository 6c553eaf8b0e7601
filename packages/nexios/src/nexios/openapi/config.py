"""``nexios.openapi.config``: ``OpenAPIConfig``."""

from nexios_openapi.config import OPENAPI_VERSION, OpenAPIConfig

__all__ = ["OPENAPI_VERSION", "OpenAPIConfig"]
