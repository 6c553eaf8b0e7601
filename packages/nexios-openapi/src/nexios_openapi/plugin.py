"""``OpenAPI``: the plugin serving the document and the docs pages of an app.

``OpenAPI(...).setup(app)`` adds ordinary GET routes to the app's router (``app.router``, or a
core app's ``dispatcher`` when it is a ``nexios_routing.Router``): the document, Swagger UI,
ReDoc, optionally Scalar, and the pages' asset files. The document is built the first time it is
asked for and cached; the pages are rendered at set-up. Other routes pay nothing: these are a few
more entries in the router's table of static paths. ``NexiosApp`` sets one up by default.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import anyio.to_thread

from nexios_core import (
    BaseResponse,
    FileResponse,
    ImproperlyConfigured,
    NotFoundException,
    Request,
    Response,
)
from nexios_core.jsoncodec import dumps
from nexios_routing import Route, Router

from ._pages import (
    PAGE_HEADERS,
    REDOC_ASSETS,
    SCALAR_ASSETS,
    SWAGGER_ASSETS,
    Asset,
    content_security_policy,
    missing_page,
    oauth2_redirect_page,
    redoc_page,
    scalar_page,
    swagger_page,
)
from .config import OpenAPIConfig

if TYPE_CHECKING:
    from .models import SecurityBase

logger = logging.getLogger("nexios.openapi")

PostProcess = Callable[[dict[str, Any]], "dict[str, Any] | None"]
"""``post_process(document)``: change the document in place, or return a replacement."""

_SETTINGS = frozenset({"title", "version", "description", "openapi_url", "swagger_url", "docs_url", "redoc_url",
                       "scalar_url", "assets_url", "servers", "contact", "license"})
_MAX_ROOT_PATHS = 16
# Revalidated every time (a 304 thanks to the ETag): an upgrade never leaves a stale file cached.
_ASSET_CACHE_CONTROL = "no-cache"
Handler = Callable[[Request, Response], Awaitable[BaseResponse]]


def _url(value: str | None, option: str) -> str | None:
    if value is not None and (not value.startswith("/") or "{" in value):
        raise ImproperlyConfigured(f"OpenAPI({option}={value!r}): give a plain path starting with '/', or None")
    return value


class OpenAPI:
    """The OpenAPI document of an app and its docs pages.

    - ``config``: an :class:`OpenAPIConfig` (or pass ``title``, ``version``, ``description``).
    - ``openapi_url`` (``/openapi.json``), ``docs_url`` (Swagger UI, ``/docs``), ``redoc_url``
      (``/redoc``), ``scalar_url`` (Scalar, off by default): ``None`` turns one off; without
      ``openapi_url`` no page is served. The pages' files are served under ``assets_url``.
    - ``swagger_ui_parameters``, ``swagger_ui_init_oauth``, ``redoc_options``, ``scalar_options``:
      JSON-able settings handed to each page's library.
    - ``post_process(document)``: last changes to the document, made once.
    """

    def __init__(
        self,
        config: OpenAPIConfig | None = None,
        *,
        title: str | None = None,
        version: str | None = None,
        description: str | None = None,
        openapi_url: str | None = "/openapi.json",
        docs_url: str | None = "/docs",
        redoc_url: str | None = "/redoc",
        scalar_url: str | None = None,
        assets_url: str = "/docs-assets",
        swagger_ui_parameters: Mapping[str, Any] | None = None,
        swagger_ui_init_oauth: Mapping[str, Any] | None = None,
        redoc_options: Mapping[str, Any] | None = None,
        scalar_options: Mapping[str, Any] | None = None,
        post_process: PostProcess | None = None,
    ) -> None:
        if config is not None and (title, version, description) != (None, None, None):
            raise ImproperlyConfigured("OpenAPI(config=...) already has a title, version and description")
        self.config = config if config is not None else OpenAPIConfig(
            title=title or "API Documentation", version=version or "1.0.0", description=description or ""
        )
        # Without a config or title, the app's own title, version and description are used.
        self._describe_from_app = config is None and (title, version, description) == (None, None, None)
        self.openapi_url = _url(openapi_url, "openapi_url")
        self.docs_url = _url(docs_url, "docs_url")
        self.redoc_url = _url(redoc_url, "redoc_url")
        self.scalar_url = _url(scalar_url, "scalar_url")
        self.assets_url = _url(assets_url, "assets_url") or "/docs-assets"
        self.swagger_ui_parameters = dict(swagger_ui_parameters or {})
        self.swagger_ui_init_oauth = dict(swagger_ui_init_oauth) if swagger_ui_init_oauth else None
        self.redoc_options = dict(redoc_options or {})
        self.scalar_options = dict(scalar_options or {})
        self.post_process = post_process
        self.app: Any = None
        """The app documented (set by :meth:`setup`, or by the first :meth:`document` call)."""
        self._served = False
        self._yielding: frozenset[str] = frozenset()  # URL options left at their default
        self._document: dict[str, Any] | None = None
        self._encoded: dict[str, bytes] = {}
        self._building = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None, *, title: str = "API Documentation",
                      version: str = "1.0.0", description: str | None = None) -> OpenAPI:
        """The plugin upstream Nexios configured from the app config's ``openapi`` section:
        ``title``, ``version``, ``description``, ``openapi_url``, ``swagger_url`` (or
        ``docs_url``), ``redoc_url``, and here also ``scalar_url``, ``assets_url``, ``servers``,
        ``contact``, ``license``. A key of the section wins over the keyword of the same name."""
        section = dict(settings or {})
        unknown = sorted(set(section) - _SETTINGS)
        if unknown:
            logger.warning("config.openapi: unknown key(s) %s ignored (known: %s)", unknown, sorted(_SETTINGS))
        config = OpenAPIConfig(
            title=section.get("title") or title, version=str(section.get("version") or version),
            description=section.get("description") or description or "",
            servers=section.get("servers"), contact=section.get("contact"), license=section.get("license"),
        )
        urls = {key: section[key] for key in ("openapi_url", "docs_url", "redoc_url", "scalar_url", "assets_url")
                if key in section}
        if "swagger_url" in section:
            urls.setdefault("docs_url", section["swagger_url"])
        plugin = cls(config, **urls)
        # Docs on by default must not break an app that already has, say, its own /docs page.
        plugin._yielding = frozenset(_OPTIONS.values()) - set(urls)
        return plugin

    # ---------------------------------------------------------------- configuration
    def add_security_scheme(self, name: str, scheme: SecurityBase | Mapping[str, Any]) -> None:
        """Declare a security scheme (``app.docs.add_security_scheme("apiKey", APIKey(...))``)."""
        self.config.add_security_scheme(name, scheme)
        self.reset()

    def reset(self) -> None:
        """Forget the built document: the next request for it builds it again."""
        self._document = None
        self._encoded = {}

    # ---------------------------------------------------------------- the document
    def document(self, app: Any = None) -> dict[str, Any]:
        """The OpenAPI document of the app (built on first use, then cached). ``app`` is needed
        only when :meth:`setup` was not called; the plugin then documents that app from now on."""
        if app is not None and self.app is None:
            self._bind(app)
        elif app is not None and app is not self.app:
            raise ImproperlyConfigured("This OpenAPI object documents another app; create one per app")
        if self.app is None:
            raise ImproperlyConfigured("OpenAPI.document() needs an app: call setup(app) first or pass one")
        if self._document is None:
            self._document = self._build(self.app)
        return self._document

    def _bind(self, app: Any) -> None:
        self.app = app
        if self._describe_from_app:
            for name in ("title", "version", "description"):
                value = getattr(app, name, None)
                if isinstance(value, str) and value:
                    setattr(self.config, name, value)

    def _build(self, app: Any) -> dict[str, Any]:
        # Imported on the first build: the builder brings the OpenAPI object models (about 8 MiB
        # and 0.4 s), which an app whose docs nobody fetches never needs.
        from .document import build_document

        document = build_document(router_of(app), self.config, middleware=getattr(app, "http_middleware", ()))
        if self.post_process is not None:
            replaced = self.post_process(document)
            if replaced is not None:
                document = replaced
        return document

    def document_bytes(self, root_path: str = "") -> bytes:
        """The document as JSON. Under a ``root_path`` (an app mounted under a prefix) with no
        servers configured, the document names that prefix as its server, so that ``Try it out``
        sends requests to the right place."""
        encoded = self._encoded.get(root_path)
        if encoded is not None:
            return encoded
        with self._building:  # concurrent first requests: one builds, the others wait for it
            return self._encode(root_path)

    def _encode(self, root_path: str) -> bytes:
        encoded = self._encoded.get(root_path)
        if encoded is None:
            document = self.document()
            if root_path and not self.config.servers:
                document = {**document, "servers": [{"url": root_path}]}
            encoded = dumps(document)
            if len(self._encoded) < _MAX_ROOT_PATHS:
                self._encoded[root_path] = encoded
        return encoded

    def check_deployment(self, audit: Any) -> None:
        """``nexios check``: the docs pages are public once served."""
        if not self._served:
            return
        urls = [url for url in (self.openapi_url, self.docs_url, self.redoc_url, self.scalar_url) if url]
        if urls:
            audit.warning("docs-enabled", f"the API description and docs pages are served to anyone at "
                          f"{', '.join(urls)}", fix="fine for a public API; otherwise turn them off "
                          "(NexiosApp(openapi=False), or docs_url=None/redoc_url=None) or put them behind auth")

    # ---------------------------------------------------------------- serving
    def setup(self, app: Any) -> None:
        """Serve the document and the pages from ``app`` (its router gets the routes). Calling it
        again for the same app does nothing."""
        if self.app is not None and self.app is not app:
            raise ImproperlyConfigured("This OpenAPI object already serves another app; create one per app")
        if self._served:
            return
        router = router_of(app)
        self._bind(app)
        self._served = True
        # A path the app already answers (or redirects to, give or take a trailing slash) is the
        # app's: a URL the user chose is refused; a default one quietly left to the app.
        taken = {route.path.rstrip("/") or "/" for route in router.routes if "GET" in route.methods}
        for route in self._routes():
            if (route.path.rstrip("/") or "/") not in taken:
                router.add_route(route)
                continue
            option = _OPTIONS[route.name or ""]
            if option in self._yielding:
                logger.warning("GET %s is a route of the app: the docs leave it alone (pass %s=... to serve "
                               "that part of the docs elsewhere)", route.path, option)
                continue
            raise ImproperlyConfigured(
                f"The docs need GET {route.path}, which a route of the app already serves: pass another "
                f"path ({option}=...) or None"
            )
        # A document asked for before start-up (app.openapi() at import time) may lack routes
        # added since: build it afresh on first use.
        self.reset()

    def _routes(self) -> list[Route]:
        if self.openapi_url is None:
            return []
        title = self.config.title
        routes = [_route(self.openapi_url, "openapi", self._serve_document)]
        csp_origins = [server.get("url", "") for server in self.config.servers]
        assets: list[Asset] = []
        if self.docs_url is not None:
            page = self._page(swagger_page(self.docs_url, self.assets_url, self.openapi_url, title,
                                           self.swagger_ui_parameters, self.swagger_ui_init_oauth),
                              SWAGGER_ASSETS, title, content_security_policy(csp_origins, inline_styles=False))
            redirect = oauth2_redirect_page(self.docs_url.rstrip("/") + "/oauth2-redirect", self.assets_url)
            routes.append(_route(self.docs_url, "docs", page))
            routes.append(_route(self.docs_url.rstrip("/") + "/oauth2-redirect", "docs.oauth2_redirect",
                                 _bytes_handler(redirect, content_security_policy(inline_styles=False))))
            assets.extend(SWAGGER_ASSETS)
        if self.redoc_url is not None:
            page = self._page(redoc_page(self.redoc_url, self.assets_url, self.openapi_url, title, self.redoc_options),
                              REDOC_ASSETS, title, content_security_policy(csp_origins, workers=True))
            routes.append(_route(self.redoc_url, "redoc", page))
            assets.extend(REDOC_ASSETS)
        if self.scalar_url is not None:
            page = self._page(scalar_page(self.scalar_url, self.assets_url, self.openapi_url, title,
                                          self.scalar_options),
                              SCALAR_ASSETS, title, content_security_policy(csp_origins, workers=True))
            routes.append(_route(self.scalar_url, "scalar", page))
            assets.extend(SCALAR_ASSETS)
        if assets:
            routes.append(_route(f"{self.assets_url}/{{asset_path:path}}", "assets", _assets_handler(assets)))
        return routes

    @staticmethod
    def _page(html: bytes, assets: Sequence[Asset], title: str, policy: str) -> Handler:
        missing = [asset.file.name for asset in assets if not asset.file.is_file()]
        if missing:
            logger.error("nexios-openapi: %s missing (%s): the docs page cannot start", ", ".join(missing),
                         "reinstall nexios-openapi")
            html = missing_page(title)
        return _bytes_handler(html, policy)

    async def _serve_document(self, request: Request, response: Response) -> BaseResponse:
        root_path = request.scope.get("root_path") or ""
        body = self._encoded.get(root_path)
        if body is None:
            # The first build of a large app's document takes a while: off the event loop, so
            # that other requests are answered meanwhile.
            body = await anyio.to_thread.run_sync(self.document_bytes, root_path)
        return BaseResponse(body, media_type="application/json")


def router_of(app: Any) -> Router:
    """The ``nexios_routing.Router`` that serves ``app`` (``app.router``, else ``app.dispatcher``)."""
    for candidate in (getattr(app, "router", None), getattr(app, "dispatcher", None), app):
        if isinstance(candidate, Router):
            return candidate
    raise ImproperlyConfigured(
        f"OpenAPI documents apps routed by a nexios_routing.Router; {app!r} has none "
        "(build it with App(dispatcher=Router(...)))"
    )


_OPTIONS = {
    "nexios_openapi.openapi": "openapi_url", "nexios_openapi.docs": "docs_url",
    "nexios_openapi.docs.oauth2_redirect": "docs_url", "nexios_openapi.redoc": "redoc_url",
    "nexios_openapi.scalar": "scalar_url", "nexios_openapi.assets": "assets_url",
}
"""The option that names each docs route's path."""


def _route(path: str, name: str, handler: Handler) -> Route:
    return Route(path, handler, ["GET"], name=f"nexios_openapi.{name}", include_in_schema=False)


def _bytes_handler(body: bytes, policy: str) -> Handler:
    headers = {**PAGE_HEADERS, "content-security-policy": policy}

    async def serve_page(request: Request, response: Response) -> BaseResponse:
        return BaseResponse(body, media_type="text/html", headers=headers)

    return serve_page


def _assets_handler(assets: Sequence[Asset]) -> Handler:
    # One route for every file: a fixed table, so no path from the client ever reaches the disk.
    table = {asset.url_path: asset for asset in assets}
    headers = {"cache-control": _ASSET_CACHE_CONTROL, "x-content-type-options": "nosniff"}

    async def serve_asset(request: Request, response: Response) -> BaseResponse:
        asset = table.get(request.path_params.get("asset_path", ""))
        if asset is None:
            raise NotFoundException()
        return FileResponse(asset.file, media_type=asset.media_type, headers=headers)

    return serve_asset


__all__ = ["OpenAPI", "PostProcess", "router_of"]
