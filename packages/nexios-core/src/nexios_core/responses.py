"""Response kinds. Every response is an ASGI app: ``await response(scope, receive, send)``.

Handlers usually work with the per-request :class:`Response` (the ``response`` argument), whose
methods set the body and return the response, so calls chain:
``return response.status(201).json({"id": 1})``. The concrete classes (``JSONResponse`` and
friends) are for returning a response built elsewhere, or for plugins.

Streamed responses (``StreamingResponse``, server-sent events) live in :mod:`.streaming` and files
in :mod:`.fileresponse` (all of them are importable from ``nexios_core``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from . import jsoncodec
from .background import BackgroundTask, BackgroundTasks
from .cookies import SameSite, format_set_cookie
from .datastructures import MutableHeaders, RawHeaders
from .request_log import has_request_id_header
from .response_headers import ResponseHeaderHelpers
from .response_pages import PageAndTemplateHelpers
from .types import Message, Receive, Scope, Send

if TYPE_CHECKING:
    from .streaming import ContentStream

_R = TypeVar("_R", bound="BaseResponse")

_NO_BODY_STATUSES = frozenset({204, 304}) | frozenset(range(100, 200))
_CONTENT_TYPE_CACHE: dict[str, bytes] = {}


def _content_type_bytes(media_type: str, charset: str = "utf-8") -> bytes:
    """``text/*`` gets a charset; cached so the hot path encodes nothing."""
    cached = _CONTENT_TYPE_CACHE.get(media_type)
    if cached is None:
        value = media_type
        if media_type.startswith("text/") and "charset" not in media_type:
            value += f"; charset={charset}"
        cached = _CONTENT_TYPE_CACHE[media_type] = value.encode("latin-1")
    return cached


class BaseResponse(ResponseHeaderHelpers):
    """A complete response with a body held in memory.

    ``content`` is rendered by :meth:`render` (bytes pass through, str is encoded UTF-8).
    ``headers`` given here are sent as they are; ``Content-Type`` comes from ``media_type`` unless
    the headers set it, and ``Content-Length`` is computed.
    """

    media_type: str | None = None
    __slots__ = ("status_code", "body", "raw_headers", "background", "_media_type", "_headers_view")

    def __init__(
        self,
        content: Any = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        self.status_code = status_code
        self._media_type = media_type if media_type is not None else self.media_type
        self.raw_headers: RawHeaders = []
        self._headers_view: MutableHeaders | None = None
        self.background = background
        if headers:
            view = self.headers
            for key, value in headers.items():
                view[key] = value
        self.body: bytes = self.render(content)

    def render(self, content: Any) -> bytes:
        """Turn ``content`` into body bytes."""
        if content is None:
            return b""
        if isinstance(content, bytes):
            return content
        if isinstance(content, str):
            return content.encode("utf-8")
        if isinstance(content, (bytearray, memoryview)):
            return bytes(content)
        raise TypeError(f"{type(self).__name__} cannot render {type(content).__name__}")

    # ---------------------------------------------------------------- headers and cookies
    @property
    def headers(self) -> MutableHeaders:
        """The response headers (changes go straight to what is sent)."""
        view = self._headers_view
        if view is None:
            view = self._headers_view = MutableHeaders.writing_to(self.raw_headers)
        return view

    @property
    def media_type_value(self) -> str | None:
        """The media type used for ``Content-Type`` when the headers do not set one."""
        return self._media_type

    def set_header(self: _R, key: str, value: str, overwrite: bool = True, *,
                   overide: bool | None = None) -> _R:
        """Set a header (``overwrite=False`` adds another value instead of replacing;
        ``overide=`` is upstream Nexios's spelling of the same switch)."""
        if overide is not None:
            overwrite = overide
        if overwrite:
            self.headers[key] = value
        else:
            self.headers.append(key, value)
        return self

    def has_header(self, key: str) -> bool:
        """Whether header ``key`` is set."""
        name = key.lower().encode("latin-1")
        return any(k == name for k, _ in self.raw_headers)

    def remove_header(self: _R, key: str) -> _R:
        """Remove every value of header ``key``."""
        del self.headers[key]
        return self

    def set_cookie(
        self: _R,
        key: str,
        value: str = "",
        max_age: int | None = None,
        expires: datetime | str | int | None = None,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: SameSite | None = "lax",
        partitioned: bool = False,
    ) -> _R:
        """Add a ``Set-Cookie`` header (``SameSite=Lax`` by default)."""
        self.headers.append(
            "set-cookie",
            format_set_cookie(
                key, value, max_age=max_age, expires=expires, path=path, domain=domain,
                secure=secure, httponly=httponly, samesite=samesite, partitioned=partitioned,
            ),
        )
        return self

    def delete_cookie(
        self: _R,
        key: str,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: SameSite | None = "lax",
    ) -> _R:
        """Tell the client to drop cookie ``key`` (same path and domain as when it was set)."""
        return self.set_cookie(
            key, "", max_age=0, expires="Thu, 01 Jan 1970 00:00:00 GMT", path=path,
            domain=domain, secure=secure, httponly=httponly, samesite=samesite,
        )

    def add_background_task(self: _R, func: Callable[..., Any], *args: Any, **kwargs: Any) -> _R:
        """Run ``func(*args, **kwargs)`` after the response has been sent."""
        task = BackgroundTask(func, *args, **kwargs)
        if self.background is None:
            self.background = task
        elif isinstance(self.background, BackgroundTasks):
            self.background.tasks.append(task)
        else:
            self.background = BackgroundTasks([self.background, task])
        return self

    # ---------------------------------------------------------------- sending
    def _start_headers(self, body_length: int | None) -> RawHeaders:
        """Headers for ``http.response.start``: content type and length first, then ours."""
        raw = self.raw_headers
        media_type = self._media_type
        if not raw and media_type is not None and body_length is not None and (
            self.status_code not in _NO_BODY_STATUSES
        ):
            # The common case: no custom headers.
            return [(b"content-type", _content_type_bytes(media_type)),
                    (b"content-length", b"%d" % body_length)]
        headers: RawHeaders = []
        has_type = has_length = False
        if raw:
            for name, _ in raw:
                if name == b"content-type":
                    has_type = True
                elif name == b"content-length":
                    has_length = True
        if media_type is not None and not has_type:
            headers.append((b"content-type", _content_type_bytes(media_type)))
        if body_length is not None and not has_length and self.status_code not in _NO_BODY_STATUSES:
            headers.append((b"content-length", str(body_length).encode("latin-1")))
        if raw:
            headers.extend(raw)
        return headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = self.body
        await send(
            {
                "type": "http.response.start",
                "status": self.status_code,
                "headers": self._start_headers(len(body)),
            }
        )
        if scope.get("method") == "HEAD" or self.status_code in _NO_BODY_STATUSES:
            body = b""
        await send({"type": "http.response.body", "body": body})
        if self.background is not None:
            await self.background()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.status_code}>"


class PlainTextResponse(BaseResponse):
    """``text/plain; charset=utf-8``."""

    media_type = "text/plain"
    __slots__ = ()


class HTMLResponse(BaseResponse):
    """``text/html; charset=utf-8``."""

    media_type = "text/html"
    __slots__ = ()


class JSONResponse(BaseResponse):
    """``content`` serialised as JSON (dicts, lists, pydantic models, dataclasses...)."""

    media_type = "application/json"
    __slots__ = ()

    def render(self, content: Any) -> bytes:
        return jsoncodec.dumps(content)


_LOCATION_SAFE = ":/?#[]@!$&'()*+,;=%~"
"""What a URL may hold as it is: its delimiters and ``%`` (already-encoded URLs stay as given)."""


def _location_header(url: object) -> str:
    """``url`` as a ``Location`` value: non-ASCII text percent-encoded as UTF-8 (``/café`` is
    ``/caf%C3%A9``, as browsers send it), and CR, LF and other controls encoded, so that no URL,
    whoever chose it, can break or add a header."""
    return quote(str(url), safe=_LOCATION_SAFE)


class RedirectResponse(BaseResponse):
    """A redirect to ``url`` (``302 Found`` by default, like ``response.redirect``; pass
    ``status_code=307`` or ``308`` to make the client repeat the method and body)."""

    __slots__ = ()

    def __init__(
        self,
        url: str,
        status_code: int = 302,
        headers: Mapping[str, str] | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        super().__init__(b"", status_code=status_code, headers=headers, background=background)
        self.headers["location"] = _location_header(url)



class Response(PageAndTemplateHelpers, BaseResponse):  # type: ignore[misc]  # render(): see there
    """The per-request response builder passed to every handler as ``response``.

    Each setter returns the response, so calls chain. What a setter does not touch is kept:
    ``response.status(201).json(data)`` sends 201. Headers, cookies and background tasks set here
    are also carried over when the handler returns a different response object.
    """

    __slots__ = ("_delegate", "produced")

    def __init__(self) -> None:
        # Deliberately minimal: one of these is built for every request.
        self.status_code = 200
        self.body = b""
        self._media_type = None
        self.raw_headers = []
        self._headers_view = None
        self.background = None
        self._delegate: BaseResponse | None = None
        self.produced: BaseResponse | None = None
        """The response the middleware chain below the current layer produced instead of this
        builder (``None``: the builder itself). Kept by :mod:`nexios_core.middleware.chain`."""

    def status(self, code: int) -> Response:
        """Set the status code."""
        self.status_code = code
        return self

    def _set_body(
        self, body: bytes, media_type: str, status_code: int | None,
        headers: Mapping[str, str] | None,
    ) -> Response:
        self.body = body
        self._media_type = media_type
        self._delegate = None
        if status_code is not None:
            self.status_code = status_code
        if headers:
            self.headers.update(headers)
        return self

    def json(self, data: Any, status_code: int | None = None,
             headers: Mapping[str, str] | None = None, *, indent: int | None = None,
             ensure_ascii: bool = False) -> Response:
        """Send ``data`` as JSON (compact UTF-8; ``indent`` pretty-prints, ``ensure_ascii``
        escapes non-ASCII characters)."""
        if indent is None and not ensure_ascii:
            body = jsoncodec.dumps(data)
        else:
            body = json.dumps(jsoncodec.loads(jsoncodec.dumps(data)), indent=indent,
                              ensure_ascii=ensure_ascii, separators=None if indent else (",", ":")).encode("utf-8")
        return self._set_body(body, "application/json", status_code, headers)

    def text(self, content: str, status_code: int | None = None,
             headers: Mapping[str, str] | None = None) -> Response:
        """Send ``content`` as ``text/plain``."""
        return self._set_body(content.encode("utf-8"), "text/plain", status_code, headers)

    def html(self, content: str, status_code: int | None = None,
             headers: Mapping[str, str] | None = None) -> Response:
        """Send ``content`` as ``text/html``."""
        return self._set_body(content.encode("utf-8"), "text/html", status_code, headers)

    def send(self, content: bytes | str, media_type: str | None = None,
             status_code: int | None = None, headers: Mapping[str, str] | None = None) -> Response:
        """Send raw bytes with ``media_type`` (default ``application/octet-stream``), or text
        (encoded UTF-8, ``text/plain`` by default)."""
        if type(content) is bytes:  # PERF: no copy, no `__bytes__` lookup (prepared bodies, the 404's)
            return self._set_body(content, media_type or "application/octet-stream", status_code, headers)
        if isinstance(content, str):
            return self._set_body(content.encode("utf-8"), media_type or "text/plain", status_code, headers)
        return self._set_body(bytes(content), media_type or "application/octet-stream", status_code, headers)

    def empty(self, status_code: int | None = None, headers: Mapping[str, str] | None = None) -> Response:
        """Send no body: ``204`` unless ``status_code`` is given or a status other than ``200``
        was set before (``response.status(404).empty()`` stays a 404)."""
        if status_code is None:
            status_code = 204 if self.status_code == 200 else self.status_code
        return self._set_body(b"", None, status_code, headers)  # type: ignore[arg-type]

    def redirect(self, url: str, status_code: int = 302) -> Response:
        """Redirect to ``url`` (``302`` by default, as Express does)."""
        self._set_body(b"", None, status_code, None)  # type: ignore[arg-type]
        self.headers["location"] = _location_header(url)
        return self

    def file(self, path: str | os.PathLike[str], filename: str | None = None,
             content_disposition_type: str = "inline", media_type: str | None = None,
             status_code: int | None = None) -> Response:
        """Send a file from disk, with ``Range`` and conditional-request support."""
        from .fileresponse import FileResponse

        self.make_response(
            FileResponse, path, filename=filename, media_type=media_type,
            content_disposition_type=content_disposition_type,
        )
        if status_code is not None:
            self.status_code = status_code
        return self

    def download(self, path: str | os.PathLike[str], filename: str | None = None) -> Response:
        """Send a file as an attachment (the browser saves it as ``filename``)."""
        return self.file(path, filename=filename or os.path.basename(path),
                         content_disposition_type="attachment")

    def stream(self, content: ContentStream, content_type: str = "text/plain",
               status_code: int | None = None) -> Response:
        """Stream ``content`` (an async or sync iterable of bytes/str)."""
        from .streaming import StreamingResponse

        self.make_response(StreamingResponse, content, media_type=content_type)
        if status_code is not None:
            self.status_code = status_code
        return self

    def sse(self, events: ContentStream, ping_interval: float | None = 15.0) -> Response:
        """Stream server-sent events (see :class:`EventSourceResponse`)."""
        from .streaming import EventSourceResponse

        self.make_response(EventSourceResponse, events, ping_interval=ping_interval)
        return self

    def cache(self, max_age: int = 3600, private: bool = True, no_store: bool = False) -> Response:
        """Set ``Cache-Control``: ``max-age`` seconds (an hour by default; ``private``, for the
        browser only, unless ``private=False``), or ``no-store``."""
        if no_store:
            self.headers["cache-control"] = "no-store"
        else:
            scope = "private" if private else "public"
            self.headers["cache-control"] = f"{scope}, max-age={int(max_age)}"
        return self

    def make_response(self, response_class: Callable[..., _R] | _R, *args: Any, **kwargs: Any) -> _R:
        """Build ``response_class(*args, **kwargs)`` (or take a response already built) and send
        it instead of this body; this response's status (if set), headers, cookies and background
        tasks still apply."""
        if isinstance(response_class, BaseResponse):
            if args or kwargs:
                raise TypeError("make_response(response) takes no other arguments")
            made: _R = response_class
        else:
            made = response_class(*args, **kwargs)
        self._delegate = made
        if self.status_code == 200:  # keep a status chosen earlier with .status(...)
            self.status_code = made.status_code
        return made

    @property
    def content_type(self) -> str | None:
        """The media type that will be sent."""
        return self._media_type

    def adopt(self, other: BaseResponse) -> BaseResponse:
        """Carry what was set on this builder over to ``other`` (the handler returned it)."""
        if self.raw_headers:
            names = {name for name, _ in other.raw_headers}
            if other.media_type_value is not None:
                # Its media type becomes its Content-Type when sent: the builder's must not win.
                names.add(b"content-type")
            for name, value in self.raw_headers:
                if name == b"set-cookie" or name == b"vary" or name not in names:
                    other.raw_headers.append((name, value))
        if self.background is not None:
            if other.background is None:
                other.background = self.background
            else:
                other.background = BackgroundTasks([other.background, self.background])
        return other

    def plain_messages(self, scope: Scope, echo: tuple[bytes, bytes] | None = None) -> tuple[Message, Message] | None:
        """The two messages that send this builder's own body, or ``None`` when sending it takes
        more (a response made with ``make_response``, or background tasks): then await it.
        ``echo`` is the app's ``X-Request-ID`` header pair, added unless the response already
        has that header.

        PERF: synchronous, so that the app sends a plain response without awaiting ``__call__``
        (one coroutine frame, about 1,100 instructions, on most requests); the common case of
        :meth:`own_messages` is written out here (calling it measured about 350 instructions),
        with ``echo`` in the list as it is made (no append and no growing the list).
        """
        if self._delegate is not None or self.background is not None:
            return None
        body = self.body
        status = self.status_code
        media_type = self._media_type
        if self.raw_headers or media_type is None or status in _NO_BODY_STATUSES:
            messages = self.own_messages(scope)
            if echo is not None and not has_request_id_header(messages[0]["headers"]):
                messages[0]["headers"].append(echo)
            return messages
        content_type = _CONTENT_TYPE_CACHE.get(media_type) or _content_type_bytes(media_type)
        if echo is None:
            headers = [(b"content-type", content_type), (b"content-length", b"%d" % len(body))]
        else:
            headers = [(b"content-type", content_type), (b"content-length", b"%d" % len(body)), echo]
        if scope.get("method") == "HEAD":
            body = b""
        return ({"type": "http.response.start", "status": status, "headers": headers},
                {"type": "http.response.body", "body": body})

    def own_messages(self, scope: Scope) -> tuple[Message, Message]:
        """The ``http.response.start`` and ``http.response.body`` messages of this builder's own
        body; only valid when no other response was made to send instead (``make_response``).
        """
        body = self.body
        status = self.status_code
        media_type = self._media_type
        if self.raw_headers or media_type is None or status in _NO_BODY_STATUSES:
            headers = self._start_headers(len(body))
        else:  # `_start_headers`' common case, without the calls
            content_type = _CONTENT_TYPE_CACHE.get(media_type) or _content_type_bytes(media_type)
            headers = [(b"content-type", content_type), (b"content-length", b"%d" % len(body))]
        if status in _NO_BODY_STATUSES or scope.get("method") == "HEAD":
            body = b""
        return ({"type": "http.response.start", "status": status, "headers": headers},
                {"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        delegate = self._delegate
        if delegate is not None:
            delegate.status_code = self.status_code
            await self.adopt(delegate)(scope, receive, send)
            return
        start, body = self.own_messages(scope)
        await send(start)
        await send(body)
        if self.background is not None:
            await self.background()


__all__ = [
    "BaseResponse",
    "HTMLResponse",
    "JSONResponse",
    "PlainTextResponse",
    "RedirectResponse",
    "Response",
]
