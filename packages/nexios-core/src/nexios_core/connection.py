"""``HTTPConnection``: what a ``Request`` and a ``WebSocket`` both read from their scope.

The URL, headers, query string, cookies, client address, path parameters and the values that
middleware leaves in the scope (state, session, user, auth) are the same for an HTTP request and
for a WebSocket handshake. Code that serves both, an authentication backend say, takes an
``HTTPConnection``. Everything is parsed on first use and cached.
"""

from __future__ import annotations

from typing import Any

from .cookies import parse_cookie_header
from .datastructures import URL, Address, Headers, PathParams, QueryParams, State
from .exceptions import RequestHeaderFieldsTooLarge
from .limits import limits_for
from .request_ids import request_id
from .types import Message, Receive, Scope, Send


async def _no_receive() -> Message:
    raise RuntimeError("This connection has no receive channel")


async def _no_send(message: Message) -> None:
    raise RuntimeError("This connection has no send channel")


class HTTPConnection:
    """The parts of an ASGI ``http`` or ``websocket`` scope that both kinds of connection share,
    with the connection's ``receive`` and ``send`` channels."""

    __slots__ = ("scope", "_receive", "_send", "_headers", "_query_params", "_cookies", "_url")

    def __init__(self, scope: Scope, receive: Receive = _no_receive, send: Send = _no_send) -> None:
        self.scope = scope
        self._receive = receive
        self._send = send
        self._headers: Headers | None = None
        self._query_params: QueryParams | None = None
        self._cookies: dict[str, str] | None = None
        self._url: URL | None = None

    @property
    def url(self) -> URL:
        """The full URL. Its host comes from the ``Host`` header: do not trust it for security."""
        if self._url is None:
            self._url = URL.from_scope(self.scope)
        return self._url

    @property
    def path(self) -> str:
        """The request path (percent-decoded, as the server gives it)."""
        return self.scope["path"]  # type: ignore[no-any-return]

    @property
    def scheme(self) -> str:
        """``http`` or ``https`` for a request, ``ws`` or ``wss`` for a WebSocket."""
        scheme = self.scope.get("scheme")
        if scheme:
            return scheme  # type: ignore[no-any-return]
        return "ws" if self.scope.get("type") == "websocket" else "http"

    @property
    def headers(self) -> Headers:
        """Case-insensitive, multi-valued request headers (the handshake's, for a WebSocket)."""
        if self._headers is None:
            self._headers = Headers(raw=self.scope["headers"])
        return self._headers

    @property
    def query_params(self) -> QueryParams:
        """Parsed query string; more fields than ``Limits.max_query_fields`` answer 400."""
        if self._query_params is None:
            self._query_params = QueryParams(
                self.scope.get("query_string", b""),
                max_fields=limits_for(self.scope).max_query_fields,
            )
        return self._query_params

    @property
    def path_params(self) -> PathParams:
        """Parameters captured from the path by the router (converted by their converters); a
        dict whose keys also read as attributes (``request.path_params.user_id``)."""
        params = self.scope.get("path_params")
        if type(params) is not PathParams:
            # Wrapped on first access only: handlers taking path values as arguments never pay.
            params = self.scope["path_params"] = PathParams(params or ())
        return params

    @property
    def cookies(self) -> dict[str, str]:
        """Request cookies; malformed pairs are skipped rather than failing the request. Cookie
        headers larger than ``Limits.max_cookie_header_size`` in all answer 431."""
        if self._cookies is None:
            headers = self.headers.getlist("cookie")
            limit = limits_for(self.scope).max_cookie_header_size
            if sum(len(value) for value in headers) > limit:
                raise RequestHeaderFieldsTooLarge(detail=f"Cookie header is larger than {limit} bytes")
            cookies: dict[str, str] = {}
            for value in headers:
                cookies.update(parse_cookie_header(value))
            self._cookies = cookies
        return self._cookies

    @property
    def client(self) -> Address | None:
        """The peer's address as the server saw it (a proxy's, behind one)."""
        client = self.scope.get("client")
        return Address(client[0], client[1]) if client else None

    @property
    def state(self) -> State:
        """Per-request (or per-connection) storage shared by middleware, dependencies and the
        handler: the scope's ``state``."""
        state = self.scope.get("state")
        if not isinstance(state, State):
            state = State(state if isinstance(state, dict) else None)
            self.scope["state"] = state
        return state

    @property
    def app(self) -> Any:
        """The application handling this connection."""
        return self.scope.get("app")

    @property
    def id(self) -> str:
        """The request id: the client's ``X-Request-ID`` when well-formed (1 to 128 letters,
        digits, ``.``, ``_`` or ``-``), otherwise 32 random hex digits; the same for the whole
        request, in the response's ``X-Request-ID``, the 500 body and the logs."""
        return request_id(self.scope)

    @property
    def base_app(self) -> Any:
        """The outermost application the connection entered (the one a mounted app is mounted
        in); the same as :attr:`app` without mounts."""
        return self.scope.get("nexios.base_app", self.scope.get("app"))

    def url_for(self, name: str, /, **path_params: Any) -> str:
        """The path of the route called ``name`` in :attr:`base_app` (``"v1.user"`` inside a
        router named ``v1``)."""
        url_for = getattr(self.base_app, "url_for", None)
        if url_for is None:
            raise RuntimeError("url_for() needs an app with named routes")
        return url_for(name, **path_params)  # type: ignore[no-any-return]

    @property
    def user_agent(self) -> str:
        """The ``User-Agent`` header, or ``""``."""
        return self.headers.get("user-agent", "")  # type: ignore[no-any-return]

    @property
    def is_secure(self) -> bool:
        """Whether the connection came over TLS (``https`` or ``wss``) as the server saw it."""
        return self.scheme in ("https", "wss")

    def get_header(self, name: str, default: Any = None) -> Any:
        """The value of header ``name`` (case-insensitive), or ``default``."""
        return self.headers.get(name, default)

    @property
    def session(self) -> Any:
        """The session, provided by ``SessionMiddleware``."""
        try:
            return self.scope["session"]
        except KeyError:
            raise RuntimeError(
                f"{type(self).__name__.lower()}.session needs SessionMiddleware: "
                "app.add_middleware(SessionMiddleware()) from nexios.session.middleware"
            ) from None

    @property
    def user(self) -> Any:
        """The authenticated user set by authentication middleware, or ``None`` without one."""
        return self.scope.get("user")

    @property
    def auth(self) -> Any:
        """Credentials (scopes) set by authentication middleware, or ``None`` without one."""
        return self.scope.get("auth")


__all__ = ["HTTPConnection", "parse_cookie_header"]
