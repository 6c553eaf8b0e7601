"""Serving a directory of files as an ASGI app, without letting a request leave that directory.

Which file a request names
--------------------------
:class:`StaticFiles` serves the request path *below its mount point*:

1. if the scope has ``"nexios.mount_path"`` (:data:`MOUNT_PATH_SCOPE_KEY`), that is the remaining
   path, as set by the Nexios router when it mounts an app;
2. otherwise, following the ASGI convention that ``scope["path"]`` is the full path and
   ``scope["root_path"]`` the mount prefix, the prefix is removed from the path when the path starts
   with it (at a ``/`` boundary); a path that does not start with it is taken as already relative.

What is refused
---------------
Every refusal is the same ``404`` as a missing file, so a client learns nothing about what exists:
NUL bytes, backslashes, ``.``/``..`` segments (also when percent-encoded once or several times, as
in ``%2e%2e`` or ``..%2f``), empty segments (``//etc/passwd``), drive letters, and any path whose
real location (symlinks resolved) is not inside the real root, compared with
:func:`os.path.commonpath` rather than a string prefix. With ``follow_symlinks=True`` symlinks inside
the root may point anywhere; the path as written must still be inside the root. Hidden files and
directories (a name starting with ``.``: ``.env``, ``.git/config``), as written or as a symlink
resolves, are refused too unless ``allow_hidden=True``. So are a path longer than
:data:`MAX_PATH_LENGTH` characters and a segment still percent-encoded after
:data:`MAX_DECODINGS` decodings: no real file has either, and checking every level of a 60 KB
``%2525...`` segment was quadratic (12 s of event loop). Only ``GET`` and ``HEAD`` are answered
(``405`` with ``Allow`` otherwise).
"""

from __future__ import annotations

import mimetypes
import os
import stat
from collections.abc import Sequence
from typing import NamedTuple
from urllib.parse import quote, unquote

import anyio

from .datastructures import query_for_location
from .exceptions import ImproperlyConfigured
from .fileresponse import FileResponse
from .request import routed_path
from .responses import BaseResponse, JSONResponse, RedirectResponse
from .types import Receive, Scope, Send

MOUNT_PATH_SCOPE_KEY = "nexios.mount_path"
"""Scope key a mounting router may set to the path remaining below the mount point."""

_ALLOWED_METHODS = ("GET", "HEAD")


class _Found(NamedTuple):
    path: str
    stat_result: os.stat_result


class _Lookup(NamedTuple):
    """What a request path resolved to: a file to send (with its status), a redirect, or nothing."""

    found: _Found | None = None
    status_code: int = 200
    media_name: str = ""
    redirect: bool = False


_NOT_FOUND = _Lookup()


def path_below_mount(scope: Scope) -> str:
    """The request path relative to where the app is mounted (see the module docstring)."""
    remaining = scope.get(MOUNT_PATH_SCOPE_KEY)
    if remaining is not None:
        return str(remaining)
    if "path" not in scope:
        return "/"
    root_path = (scope.get("root_path") or "").rstrip("/")
    if root_path and scope["path"] == root_path:
        return ""  # the mount point itself, without its slash: answered with a redirect
    return routed_path(scope)


MAX_PATH_LENGTH = 4096
"""Characters a path below the mount may have (Linux's ``PATH_MAX``): no file has a longer path, so
a longer one is a 404 before any per-segment work (30,000 segments held the event loop 1 s)."""

MAX_DECODINGS = 4
"""Percent-decodings of a segment that are checked; a segment that still decodes further is refused
(no real file name is encoded that many times, and following every level was quadratic)."""


def _decodings(segment: str) -> list[str] | None:
    """The segment and each further percent-decoding of it, until one changes nothing: whatever a
    proxy or a later layer might decode, we check. ``None`` when it still changes after
    :data:`MAX_DECODINGS` passes."""
    found = [segment]
    for _ in range(MAX_DECODINGS):
        once_more = unquote(found[-1])
        if once_more == found[-1]:
            return found
        found.append(once_more)
    return None


def _is_hostile_segment(segment: str) -> bool:
    decodings = _decodings(segment)
    if decodings is None:
        return True
    for decoded in decodings:
        if "\x00" in decoded or "\\" in decoded or "/" in decoded or not decoded.strip("."):
            return True
        if os.path.isabs(decoded) or os.path.splitdrive(decoded)[0]:
            return True
        if os.name == "nt" and ":" in decoded:  # NTFS alternate data streams
            return True
    return False


def _is_hidden_segment(segment: str) -> bool:
    # Decoded as `_is_hostile_segment` does: "%2eenv" is ".env" to whoever decodes it next.
    decodings = _decodings(segment)
    return decodings is None or any(decoded.startswith(".") for decoded in decodings)


def safe_segments(relative_path: str) -> list[str] | None:
    """Split a path below the mount into segments, or ``None`` if any part of it is hostile.

    One leading and one trailing ``/`` are allowed; ``[]`` means the root directory.
    """
    if len(relative_path) > MAX_PATH_LENGTH:
        return None
    if relative_path.startswith("//"):
        return None  # would be an absolute path once the leading slash is dropped
    body = relative_path[1:] if relative_path.startswith("/") else relative_path
    if body.endswith("/"):
        body = body[:-1]
    if not body:
        return []
    segments = body.split("/")
    if any(not segment or _is_hostile_segment(segment) for segment in segments):
        return None
    return segments


class StaticFiles:
    """An ASGI app serving the files under ``directory`` (or under each of ``directories``, in
    order: the first that has the file serves it, as upstream Nexios's ``directories=`` did).

    ``html=True`` serves ``index.html`` for a directory (redirecting ``/docs`` to ``./docs/`` first,
    a relative ``Location`` that never depends on ``Host``) and ``404.html`` for misses when present.
    ``check_dir`` makes a missing directory an error at start-up rather than a 404 per request.
    ``follow_symlinks`` lets symlinks inside the directory point outside it. ``allow_hidden`` serves
    files and directories whose name starts with ``.`` (refused by default: ``.env``, ``.git``,
    ``.htpasswd`` are secrets far more often than assets; ``.well-known`` needs it). ``cache_max_age`` adds
    ``Cache-Control: public, max-age=<n>`` to the files sent. Files go out through
    :class:`~nexios_core.fileresponse.FileResponse`, so ``ETag``, ``Range`` and ``304`` work.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str] | None = None,
        html: bool = False,
        check_dir: bool = True,
        follow_symlinks: bool = False,
        cache_max_age: int | None = None,
        allow_hidden: bool = False,
        *,
        directories: Sequence[str | os.PathLike[str]] | None = None,
    ) -> None:
        roots = [os.fspath(item) for item in ([directory] if directory is not None else []) + list(directories or ())]
        if not roots:
            raise ImproperlyConfigured("StaticFiles needs a directory (or directories=[...]) to serve")
        self.directories = roots
        self.directory = roots[0]
        self.html = html
        self.follow_symlinks = follow_symlinks
        self.allow_hidden = allow_hidden
        if cache_max_age is not None and cache_max_age < 0:
            raise ImproperlyConfigured("StaticFiles cache_max_age must be zero or more seconds")
        self.cache_max_age = cache_max_age
        for root in roots:
            if check_dir and not os.path.isdir(root):
                raise ImproperlyConfigured(f"StaticFiles directory {root!r} is not a directory")
        # Resolved once: every candidate is compared with these, so a symlinked root still works.
        self._roots = [os.path.abspath(root) if follow_symlinks else os.path.realpath(root) for root in roots]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1000})
            return
        response = await self.get_response(scope)
        await response(scope, receive, send)

    async def get_response(self, scope: Scope) -> BaseResponse:
        """The response for an HTTP ``scope``: a file, a redirect, a 404 or a 405."""
        if scope.get("method", "GET") not in _ALLOWED_METHODS:
            return JSONResponse({"detail": "Method Not Allowed"}, status_code=405,
                                headers={"allow": ", ".join(_ALLOWED_METHODS)})
        relative_path = path_below_mount(scope)
        full_path: str = scope.get("path", "")
        wants_directory = relative_path.endswith("/") or (
            relative_path == "" and (full_path == "" or full_path.endswith("/"))
        )
        segments = safe_segments(relative_path)
        if segments is not None and not self.allow_hidden and any(map(_is_hidden_segment, segments)):
            segments = None  # the same 404 as a missing file: nothing about what exists leaks
        if segments is None:
            lookup = await anyio.to_thread.run_sync(self._not_found_page)
        else:
            lookup = await anyio.to_thread.run_sync(self._lookup, segments, wants_directory)

        if lookup.redirect:
            last = relative_path.rsplit("/", 1)[-1] or full_path.rsplit("/", 1)[-1]
            # "./name/" resolves against the request URL, and the "./" keeps a name such as
            # "http:" or "//host" from being read as a scheme or authority.
            location = f"./{quote(last, safe='')}/"
            query = scope.get("query_string", b"")
            if query:
                location += "?" + query_for_location(query)
            return RedirectResponse(location, status_code=307)
        if lookup.found is None:
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        response = FileResponse(
            lookup.found.path,
            status_code=lookup.status_code,
            media_type=mimetypes.guess_type(lookup.media_name)[0] or "application/octet-stream",
            stat_result=lookup.found.stat_result,
        )
        if self.cache_max_age is not None and lookup.status_code == 200:
            response.headers["cache-control"] = f"public, max-age={self.cache_max_age}"
        return response

    # ---------------------------------------------------------------- file system (worker thread)
    def _resolve(self, segments: list[str]) -> _Found | None:
        """The path and stat of ``segments`` under the first root that has it, or ``None`` if
        it is missing from every root (or outside them)."""
        for root in self._roots:
            found = self._resolve_under(root, segments)
            if found is not None:
                return found
        return None

    def _resolve_under(self, root: str, segments: list[str]) -> _Found | None:
        candidate = os.path.join(root, *segments)
        # Serving the resolved path means the file opened is the one that was checked.
        target = os.path.normpath(candidate) if self.follow_symlinks else os.path.realpath(candidate)
        try:
            if os.path.commonpath([root, target]) != root:
                return None
            if not self.allow_hidden and target != root and any(
                part.startswith(".") for part in os.path.relpath(target, root).split(os.sep)
            ):
                return None  # `config.txt -> .env`: a symlink must not expose a hidden file
            return _Found(target, os.stat(target))
        except (OSError, ValueError):  # ValueError: different drives, or a NUL byte
            return None

    def _lookup(self, segments: list[str], wants_directory: bool) -> _Lookup:
        found = self._resolve(segments)
        if found is not None:
            mode = found.stat_result.st_mode
            if stat.S_ISREG(mode) and not wants_directory and segments:
                return _Lookup(found, media_name=segments[-1])
            if stat.S_ISDIR(mode) and self.html:
                index = self._resolve([*segments, "index.html"])
                if index is not None and stat.S_ISREG(index.stat_result.st_mode):
                    if not wants_directory:
                        return _Lookup(redirect=True)
                    return _Lookup(index, media_name="index.html")
        return self._not_found_page()

    def _not_found_page(self) -> _Lookup:
        if self.html:
            page = self._resolve(["404.html"])
            if page is not None and stat.S_ISREG(page.stat_result.st_mode):
                return _Lookup(page, status_code=404, media_name="404.html")
        return _NOT_FOUND


__all__ = ["MOUNT_PATH_SCOPE_KEY", "StaticFiles", "path_below_mount", "safe_segments"]
