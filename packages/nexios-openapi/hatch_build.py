"""Build hook: bundle the browser files of Swagger UI, ReDoc and Scalar into nexios-openapi.

The docs pages must work without internet access, so their JavaScript and CSS ship inside the
package. They are taken from the npm registry when the package is built (a wheel, an sdist or an
editable install), never when an app runs: each tarball has a pinned version and the sha512 the
registry publishes for it, and a tarball that does not match is refused. The files land in
``src/nexios_openapi/vendor/`` (ignored by git, included in builds as artifacts) with a
``VERSIONS.json`` stamp, so a later build with the same pins, or a wheel built from the sdist,
downloads nothing.

Tarballs are cached in ``$NEXIOS_OPENAPI_CACHE`` (default ``~/.cache/nexios-openapi``): to build
without network access, put the three ``.tgz`` files there. ``$NPM_CONFIG_REGISTRY`` points the
download at a registry mirror, as it does for npm itself.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

VENDOR = Path("src") / "nexios_openapi" / "vendor"
STAMP = "VERSIONS.json"
DEFAULT_REGISTRY = "https://registry.npmjs.org"
DOWNLOAD_TIMEOUT = 120


class NpmPackage:
    """One npm tarball and the files taken from it (tarball member -> path under ``vendor/``).

    (A plain class: hatchling loads this file without registering it as a module, which
    dataclasses need.)"""

    def __init__(self, name: str, version: str, integrity: str, files: dict[str, str],
                 patches: dict[str, tuple[str, str]] | None = None) -> None:
        self.name = name
        self.version = version
        self.integrity = integrity
        """The registry's ``dist.integrity``: ``sha512-<base64 digest>``."""
        self.files = files
        self.patches = patches or {}
        """``{path under vendor/: (text, replacement)}``: applied once, each text found exactly once."""

    @property
    def tarball(self) -> str:
        return f"{self.name.rsplit('/', 1)[-1]}-{self.version}.tgz"

    def url(self, registry: str) -> str:
        return f"{registry.rstrip('/')}/{self.name}/-/{self.tarball}"


PACKAGES = (
    NpmPackage(
        "swagger-ui-dist", "5.36.0",
        "sha512-Lt6/Kb0gXmLdiabLhvso4VdJP9V7qJWB0zh0gzeXUV3+CMOTzMmvpJRSXN7EAjfwixwmoi9ezDbLHiexC7lA9A==",
        {
            "package/swagger-ui-bundle.js": "swagger-ui/swagger-ui-bundle.js",
            "package/swagger-ui.css": "swagger-ui/swagger-ui.css",
            "package/oauth2-redirect.js": "swagger-ui/oauth2-redirect.js",
            "package/favicon-32x32.png": "swagger-ui/favicon-32x32.png",
            "package/LICENSE": "swagger-ui/LICENSE",
            "package/NOTICE": "swagger-ui/NOTICE",
            "package/swagger-ui-bundle.js.LICENSE.txt": "swagger-ui/swagger-ui-bundle.js.LICENSE.txt",
            "package/package.json": "swagger-ui/package.json",
        },
    ),
    NpmPackage(
        "redoc", "2.5.4",
        "sha512-M6jWhG1qoBnH6TFmzJnstyCZ87HmOY/UzDm78mHiYihEdlV/YcS9ogOo1NlElnJMeLsyxHFe2yFc4sNjHTrABQ==",
        {
            "package/bundles/redoc.standalone.js": "redoc/redoc.standalone.js",
            "package/bundles/redoc.standalone.js.LICENSE.txt": "redoc/redoc.standalone.js.LICENSE.txt",
            "package/LICENSE": "redoc/LICENSE",
            "package/package.json": "redoc/package.json",
        },
        # The side menu's "API docs by Redocly" logo is loaded from Redocly's CDN, whatever the
        # options: the pages' policy would block it (and log a violation on every visit), so the
        # bundle names an empty inline image instead. The only change made to any vendored file.
        patches={"redoc/redoc.standalone.js": (
            "https://cdn.redoc.ly/redoc/logo-mini.svg",
            "data:image/svg+xml,%3Csvg xmlns=%27http://www.w3.org/2000/svg%27/%3E",
        )},
    ),
    NpmPackage(
        "@scalar/api-reference", "1.76.4",
        "sha512-bHSVv494yuNTcBzmfZR3eYhckOTiu3L6IJmvM2kdKzBVmWqm+JhEHbYc7ydsv7FBSs3vTW9sCz00La2dFgWxVg==",
        {
            "package/dist/browser/standalone.js": "scalar/standalone.js",
            # The tarball has no LICENSE file; its package.json names the licence (MIT).
            "package/package.json": "scalar/package.json",
        },
    ),
)


def _pins() -> dict[str, Any]:
    return {p.name: {"version": p.version, "integrity": p.integrity, "files": sorted(p.files.values()),
                     "patches": {path: list(change) for path, change in sorted(p.patches.items())}}
            for p in PACKAGES}


def _cache_dir() -> Path:
    configured = os.environ.get("NEXIOS_OPENAPI_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nexios-openapi"


def _check_integrity(package: NpmPackage, data: bytes) -> bool:
    algorithm, _, expected = package.integrity.partition("-")
    if algorithm != "sha512":
        raise RuntimeError(f"{package.name}: unsupported integrity {package.integrity!r}")
    return base64.b64encode(hashlib.sha512(data).digest()).decode() == expected


def _tarball(package: NpmPackage) -> bytes:
    """The verified tarball: from the cache, else from the registry (then cached)."""
    cache = _cache_dir()
    cached = cache / package.tarball
    if cached.is_file():
        data = cached.read_bytes()
        if _check_integrity(package, data):
            return data
    registry = os.environ.get("NPM_CONFIG_REGISTRY") or os.environ.get("npm_config_registry") or DEFAULT_REGISTRY
    url = package.url(registry)
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as answer:  # noqa: S310 - https URL above
            data = answer.read()
    except OSError as exc:
        raise RuntimeError(
            f"nexios-openapi bundles {package.name} {package.version} and could not download it from "
            f"{url} ({exc}). Without network access, put {package.tarball} in {cache} "
            "(or set NEXIOS_OPENAPI_CACHE to a folder holding it)."
        ) from None
    if not _check_integrity(package, data):
        raise RuntimeError(f"{url} does not match the pinned sha512 of {package.name} {package.version}: refused")
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=cache, delete=False) as partial:
        partial.write(data)
    os.replace(partial.name, cached)
    return data


def _extract(package: NpmPackage, data: bytes, into: Path) -> None:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member_name, target in package.files.items():
            member = archive.getmember(member_name)
            extracted = archive.extractfile(member) if member.isfile() else None
            if extracted is None:
                raise RuntimeError(f"{package.tarball}: {member_name} is not a regular file")
            destination = into / target  # our own relative path: nothing from the archive decides it
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(extracted.read())
    for target, (text, replacement) in package.patches.items():
        path = into / target
        content = path.read_text(encoding="utf-8")
        if content.count(text) != 1:
            raise RuntimeError(f"{package.tarball}: {target} holds {text!r} {content.count(text)} times, not once")
        path.write_text(content.replace(text, replacement), encoding="utf-8")


def ensure_assets(root: Path) -> Path:
    """Make ``root/src/nexios_openapi/vendor`` hold the pinned files; returns that folder."""
    vendor = root / VENDOR
    stamp = vendor / STAMP
    wanted = _pins()
    if stamp.is_file():
        try:
            current = json.loads(stamp.read_text(encoding="utf-8"))
        except ValueError:
            current = None
        if current == wanted and all((vendor / f).is_file() for p in PACKAGES for f in p.files.values()):
            return vendor
    staging = Path(tempfile.mkdtemp(prefix=".vendor-", dir=vendor.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; installed files must be readable by all
    try:
        for package in PACKAGES:
            _extract(package, _tarball(package), staging)
        (staging / STAMP).write_text(json.dumps(wanted, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        shutil.rmtree(vendor, ignore_errors=True)
        os.replace(staging, vendor)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return vendor


class VendoredAssetsHook(BuildHookInterface):
    """Runs for every target (wheel, editable wheel, sdist) before files are collected."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        ensure_assets(Path(self.root))
        # vendor/ is ignored by git (it is not our code); artifacts are included all the same.
        build_data.setdefault("artifacts", []).append(f"/{VENDOR.as_posix()}")
