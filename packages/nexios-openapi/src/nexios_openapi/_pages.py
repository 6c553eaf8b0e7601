"""The HTML of the docs pages, their asset files, and their Content-Security-Policy.

Each page is rendered once, when the plugin is set up, and served as the same bytes afterwards.
Links are relative to the page, so the pages work unchanged when the app is mounted under a
prefix (``root_path``). Settings reach the page's initializer script through a JSON data block
(``<script type="application/json">``), which browsers never execute: the policy allows scripts
from the app's own origin only, with no inline script at all.
"""

from __future__ import annotations

import html
import json
import logging
import posixpath
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

logger = logging.getLogger("nexios.openapi")

PACKAGE_DIR = Path(__file__).resolve().parent
VENDOR_DIR = PACKAGE_DIR / "vendor"
STATIC_DIR = PACKAGE_DIR / "static"

MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
}


@dataclass(frozen=True)
class Asset:
    """A file served under the assets URL: ``url_path`` (relative to it) and where it is."""

    url_path: str
    file: Path

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES.get(self.file.suffix, "application/octet-stream")


SWAGGER_ASSETS = (
    Asset("swagger-ui/swagger-ui-bundle.js", VENDOR_DIR / "swagger-ui" / "swagger-ui-bundle.js"),
    Asset("swagger-ui/swagger-ui.css", VENDOR_DIR / "swagger-ui" / "swagger-ui.css"),
    Asset("swagger-ui/favicon-32x32.png", VENDOR_DIR / "swagger-ui" / "favicon-32x32.png"),
    Asset("swagger-ui/oauth2-redirect.js", VENDOR_DIR / "swagger-ui" / "oauth2-redirect.js"),
    Asset("swagger-init.js", STATIC_DIR / "swagger-init.js"),
)
REDOC_ASSETS = (
    Asset("redoc/redoc.standalone.js", VENDOR_DIR / "redoc" / "redoc.standalone.js"),
    Asset("redoc-init.js", STATIC_DIR / "redoc-init.js"),
)
SCALAR_ASSETS = (
    Asset("scalar/standalone.js", VENDOR_DIR / "scalar" / "standalone.js"),
    Asset("scalar-init.js", STATIC_DIR / "scalar-init.js"),
)

MISSING_ASSETS_HELP = (
    "The browser files of this docs page are not installed. They are bundled into nexios-openapi "
    "when it is built: reinstall it (pip install --force-reinstall nexios-openapi), or in a source "
    "checkout re-run the editable install, which fetches them."
)


def relative_url(page: str, target: str) -> str:
    """``target`` (an absolute path) as a link relative to the page served at ``page``."""
    base = page.rsplit("/", 1)[0] or "/"
    return posixpath.relpath(target, base)


def _data_block(settings: Mapping[str, Any]) -> str:
    # JSON inside HTML: "<", ">" and "&" escaped so that no value can close the block.
    text = json.dumps(settings, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page(title: str, head: str, body: str, settings: Mapping[str, Any], scripts: Iterable[str]) -> bytes:
    if 'rel="icon"' not in head:
        head += '<link rel="icon" href="data:,">\n'  # no request for /favicon.ico
    script_tags = "\n".join(f'<script src="{html.escape(src)}"></script>' for src in scripts)
    return (
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n{head}</head>\n<body>\n{body}\n"
        f"<script id=\"nexios-docs-config\" type=\"application/json\">{_data_block(settings)}</script>\n"
        f"{script_tags}\n</body>\n</html>\n"
    ).encode()


def missing_page(title: str) -> bytes:
    """What a docs page shows when its browser files are not installed."""
    return _page(title, "", f"<h1>{html.escape(title)}</h1>\n<p>{html.escape(MISSING_ASSETS_HELP)}</p>", {}, ())


def swagger_page(page: str, assets: str, openapi_url: str, title: str, parameters: Mapping[str, Any],
                 init_oauth: Mapping[str, Any] | None) -> bytes:
    """The Swagger UI page served at ``page``."""

    def asset(name: str) -> str:
        return relative_url(page, f"{assets}/{name}")

    head = (f'<link rel="icon" type="image/png" href="{html.escape(asset("swagger-ui/favicon-32x32.png"))}">\n'
            f'<link rel="stylesheet" href="{html.escape(asset("swagger-ui/swagger-ui.css"))}">\n')
    settings = {"openapiUrl": relative_url(page, openapi_url),
                "oauth2RedirectUrl": relative_url(page, page.rstrip("/") + "/oauth2-redirect"),
                "parameters": dict(parameters), "initOAuth": dict(init_oauth) if init_oauth else None}
    return _page(title, head, '<div id="swagger-ui"></div>', settings,
                 [asset("swagger-ui/swagger-ui-bundle.js"), asset("swagger-init.js")])


def oauth2_redirect_page(page: str, assets: str) -> bytes:
    """Where an OAuth 2 provider sends the browser back to Swagger UI."""
    return _page("Swagger UI: OAuth2 Redirect", "", "", {},
                 [relative_url(page, f"{assets}/swagger-ui/oauth2-redirect.js")])


def redoc_page(page: str, assets: str, openapi_url: str, title: str, options: Mapping[str, Any]) -> bytes:
    """The ReDoc page served at ``page``."""
    settings = {"openapiUrl": relative_url(page, openapi_url), "parameters": dict(options)}
    scripts = [relative_url(page, f"{assets}/redoc/redoc.standalone.js"), relative_url(page, f"{assets}/redoc-init.js")]
    return _page(title, "", '<div id="redoc-container"></div>', settings, scripts)


def scalar_page(page: str, assets: str, openapi_url: str, title: str, options: Mapping[str, Any]) -> bytes:
    """The Scalar page served at ``page``."""
    settings = {"openapiUrl": relative_url(page, openapi_url), "parameters": dict(options)}
    scripts = [relative_url(page, f"{assets}/scalar/standalone.js"), relative_url(page, f"{assets}/scalar-init.js")]
    return _page(title, "", '<div id="scalar-app"></div>', settings, scripts)


def content_security_policy(connect_to: Iterable[str] = (), *, workers: bool = False,
                            inline_styles: bool = True) -> str:
    """The policy of a docs page: everything from the app's origin, no inline script, no eval.

    ``inline_styles``: ReDoc and Scalar inject ``<style>`` elements from script (CSS-in-JS), so
    their pages allow inline styles, harmless next to a script policy that allows no injected code;
    Swagger UI needs none. ``connect_to`` adds the origins of the document's servers (``Try it
    out`` sends requests there); ``workers`` allows the ``blob:`` worker ReDoc searches in.
    """
    origins = sorted({origin for origin in (_origin(url) for url in connect_to) if origin})
    directives = [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'" if inline_styles else "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src " + " ".join(["'self'", *origins]),
        "form-action 'self'",
        "frame-ancestors 'self'",
        "base-uri 'none'",
    ]
    if workers:
        directives.append("worker-src 'self' blob:")
    return "; ".join(directives)


_HOST_CHARACTERS = frozenset(string.ascii_lowercase + string.digits + "-.")
_IPV6_CHARACTERS = frozenset(string.hexdigits.lower() + ":.")


def _origin(url: str) -> str | None:
    """The ``scheme://host[:port]`` of an absolute http(s) URL, or ``None``. Only a plain host
    name or IP address is kept: anything else (``;`` or a space, which would add directives or
    sources to the policy, a ``{variable}``, percent-escapes) is left out of the policy, with a
    warning, and "Try it out" cannot reach that server from the pages."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port out of range, a bad [IPv6] address
        logger.warning("OpenAPI server %r is not a valid URL: the docs pages do not connect to it", url)
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        if parts.scheme:
            logger.warning("OpenAPI server %r is not an http(s) URL: the docs pages do not connect to it", url)
        return None  # a relative URL ("/api/v1") is the app's origin: 'self'
    host = parts.hostname or ""
    if ":" in host and set(host) <= _IPV6_CHARACTERS:
        host = f"[{host}]"
    elif not host or not set(host) <= _HOST_CHARACTERS:
        logger.warning("OpenAPI server %r does not name a plain host: the docs pages do not connect to it", url)
        return None
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


PAGE_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-cache",
}
"""Headers every docs page carries besides its Content-Security-Policy."""

__all__ = [
    "Asset", "MISSING_ASSETS_HELP", "PAGE_HEADERS", "REDOC_ASSETS", "SCALAR_ASSETS", "SWAGGER_ASSETS",
    "content_security_policy", "missing_page", "oauth2_redirect_page", "redoc_page", "relative_url",
    "scalar_page", "swagger_page",
]
