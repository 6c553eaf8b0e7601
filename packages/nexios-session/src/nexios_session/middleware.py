"""``SessionMiddleware``: gives every request a ``request.session`` and saves it afterwards.

Per request it does the least it can. With the signed-cookie backend nothing happens until the
handler first touches ``request.session``: only then is the cookie verified. With a server-side
backend the session is fetched before the handler runs, and only when the request carries a
session cookie whose signed id checks out (a forged or unknown cookie never reaches the store).
After the handler, the cookie is sent only when the session changed; a session that was read
adds ``Vary: Cookie`` so caches keep one user's page from another. A WebSocket connection gets
the session of its handshake as ``websocket.session`` (:meth:`SessionMiddleware.handle_websocket`).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from itsdangerous import BadData, Signer

from nexios_core import (
    BaseMiddleware,
    BaseResponse,
    CallNext,
    HTTPConnection,
    ImproperlyConfigured,
    MakeConfig,
    Request,
    Response,
    WebSocket,
    WebSocketCallNext,
    format_set_cookie,
)

from .exceptions import SessionCookieTooLarge
from .interface import CookieSessionBackend, SessionBackend, is_valid_session_id
from .session import Session
from .settings import Backend, SessionSettings
from .signed_cookies import SecretKey

if TYPE_CHECKING:
    from nexios_core.checks import Audit

logger = logging.getLogger("nexios.session")

MAX_COOKIE_SIZE = 4093
"""Largest ``Set-Cookie`` value sent, in bytes. Browsers keep about 4096 bytes per cookie
(RFC 6265 asks for at least that); beyond it a browser drops the cookie without a word."""

_ID_SALT = "nexios.session.id"
# A signed id is ``<43-character id>.<signature>``, all URL-safe base64 (checked before decoding,
# because Python's base64 decoder would skip junk characters).
_SIGNED_ID = re.compile(r"[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]+")
_MISSING_SECRET = (
    "SessionMiddleware needs a secret key to sign session cookies. Set one in the app config, "
    "for example get_application(config=MakeConfig({'secret_key': os.environ['SECRET_KEY']})), "
    "or pass SessionMiddleware(secret_key=...). Generate one with: "
    "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
)


class SessionMiddleware(BaseMiddleware):
    """Sessions for every request: ``app.add_middleware(SessionMiddleware())``.

    Settings come from ``app.config.secret_key`` and the ``app.config.session`` section (see
    :mod:`nexios_session.settings`); options given here override them. The app refuses to start
    without a secret key.
    """

    session_class: ClassVar[type[Session]] = Session
    """The class of ``request.session``: a subclass may add methods to it (it must keep the
    constructor of :class:`~nexios_session.session.Session`)."""

    def __init__(
        self,
        *,
        secret_key: SecretKey | None = None,
        backend: Any = None,
        backend_options: Mapping[str, Any] | None = None,
        cookie_name: str | None = None,
        path: str | None = None,
        domain: str | None = None,
        secure: bool | None = None,
        httponly: bool | None = None,
        samesite: str | None = None,
        partitioned: bool | None = None,
        max_age: int | None = None,
        refresh_each_request: bool | None = None,
    ) -> None:
        options = {
            "backend": backend, "backend_options": backend_options, "cookie_name": cookie_name,
            "path": path, "domain": domain, "secure": secure, "httponly": httponly,
            "samesite": samesite, "partitioned": partitioned, "max_age": max_age,
            "refresh_each_request": refresh_each_request,
        }
        self._overrides = {name: value for name, value in options.items() if value is not None}
        self._secret_key = secret_key
        self._settings: SessionSettings | None = None
        self._store: SessionBackend | None = None
        self._cookie_backend: CookieSessionBackend | None = None
        self._id_signer: Signer | None = None

    # ---------------------------------------------------------------- start-up
    def setup(self, app: Any) -> None:
        """Read the app's config, check it, and build the backend. Runs once, at start-up."""
        if self._settings is not None:
            return
        config = getattr(app, "config", None)
        if config is None:
            config = MakeConfig()
        secret_key = self._secret_key if self._secret_key is not None else config.get("secret_key")
        if not secret_key:
            raise ImproperlyConfigured(_MISSING_SECRET)
        settings = SessionSettings.from_config(config.get("session"), self._overrides)
        backend = settings.build_backend(secret_key)
        self._install(settings, backend, secret_key)
        aclose = getattr(backend, "aclose", None)
        on_shutdown = getattr(app, "on_shutdown", None)
        if callable(aclose) and callable(on_shutdown):
            on_shutdown(aclose)  # a backend that opened connections closes them with the app

    def check_deployment(self, audit: Audit) -> None:
        """``nexios check``: the session cookie's ``Secure`` flag, and a key given here."""
        if self._secret_key is not None:
            audit.check_secret(self._secret_key, "SessionMiddleware(secret_key=...)")
        settings = self._settings
        if settings is None:  # set-up failed: the audit reports that the app does not start
            return
        fix = "set session secure=True (config.session = {'secure': True}, or SessionMiddleware(secure=True))"
        if settings.secure is False:
            if audit.https is False:
                return
            message = "the session cookie is sent without Secure"
            if audit.https:
                audit.error("session-cookie-secure", message + " although the app is served over https: "
                            "a single http:// request leaks it", fix=fix)
            else:
                audit.warning("session-cookie-secure", message + " (served over https? say so with "
                              "nexios check --https)", fix=fix)
        elif settings.secure is None and audit.https:
            audit.warning("session-cookie-secure", "the session cookie gets Secure only on requests that "
                          "arrive as https: behind a TLS-terminating proxy they arrive as http unless the "
                          "proxy headers are trusted (uvicorn --proxy-headers --forwarded-allow-ips)", fix=fix)

    def _install(self, settings: SessionSettings, backend: Backend, secret_key: SecretKey) -> None:
        if isinstance(backend, CookieSessionBackend):
            self._cookie_backend, self._store = backend, None
        elif isinstance(backend, SessionBackend):
            self._cookie_backend, self._store = None, backend
            self._id_signer = Signer(secret_key, salt=_ID_SALT, digest_method=hashlib.sha256)
        self._settings = settings

    @property
    def settings(self) -> SessionSettings:
        """The settings in force (available once the app has started)."""
        if self._settings is None:
            raise RuntimeError("SessionMiddleware has not been set up by an app yet")
        return self._settings

    @property
    def backend(self) -> Backend:
        """The backend in use (available once the app has started)."""
        backend = self._cookie_backend if self._cookie_backend is not None else self._store
        if backend is None:
            raise RuntimeError("SessionMiddleware has not been set up by an app yet")
        return backend

    # ---------------------------------------------------------------- per request
    async def __call__(self, request: Request, response: Response, call_next: CallNext) -> Any:
        settings = self._settings
        if settings is None:  # added somewhere the app does not set middleware up (a router)
            self.setup(request.app)
            settings = self.settings
        if self._cookie_backend is not None:
            session = self.session_class(
                max_age=settings.max_age, loader=partial(self._decode_cookie, request)
            )
        else:
            session = await self._fetch(request, settings)
        request.scope["session"] = session
        outgoing = await call_next()
        if session.accessed:
            await self._commit(request, session, outgoing, settings)
        return outgoing

    async def handle_websocket(self, websocket: WebSocket, call_next: WebSocketCallNext) -> None:
        """``websocket.session``: the session of the handshake's cookie, for the whole connection.

        No cookie can be set once the handshake is over, so changes are kept only where the
        client already holds the session's id: with a server-side backend (file, Redis), they
        are saved when the handler returns. Changes to a signed-cookie session, or to a session
        the client has no cookie for yet, are dropped with a warning: change those over HTTP.
        """
        settings = self._settings
        if settings is None:
            self.setup(websocket.app)
            settings = self.settings
        if self._cookie_backend is not None:
            session = self.session_class(max_age=settings.max_age, loader=partial(self._decode_cookie, websocket))
        else:
            session = await self._fetch(websocket, settings)
        websocket.scope["session"] = session
        try:
            await call_next()
        finally:
            if session.modified:
                await self._save_after_websocket(session, settings)

    async def _save_after_websocket(self, session: Session, settings: SessionSettings) -> None:
        stale_ids, data, held_id = session.pending_write()
        store = self._store
        if store is None or held_id is None or stale_ids:
            logger.warning(
                "Session changes made during a WebSocket connection were dropped: the client "
                "cannot receive a new session cookie after the handshake (use a server-side "
                "session backend, and change new sessions over HTTP)"
            )
            return
        if data:
            await store.save(held_id, data, settings.max_age)
        else:
            await store.delete(held_id)

    def _decode_cookie(self, request: HTTPConnection) -> tuple[str, dict[str, Any]] | None:
        settings = self.settings
        value = request.cookies.get(settings.cookie_name)
        if not value:
            return None
        assert self._cookie_backend is not None
        return self._cookie_backend.decode(value, settings.max_age)

    async def _fetch(self, request: HTTPConnection, settings: SessionSettings) -> Session:
        session_id = self._unsign_id(request.cookies.get(settings.cookie_name))
        if session_id is not None:
            assert self._store is not None
            data = await self._store.load(session_id)
            if isinstance(data, dict):
                return self.session_class(data, session_id=session_id, max_age=settings.max_age)
        return self.session_class(max_age=settings.max_age)

    def _unsign_id(self, cookie: str | None) -> str | None:
        if not cookie or self._id_signer is None or not _SIGNED_ID.fullmatch(cookie):
            return None
        try:
            session_id = self._id_signer.unsign(cookie).decode("ascii")
        except (BadData, ValueError):
            return None
        return session_id if is_valid_session_id(session_id) else None

    async def _commit(
        self, request: Request, session: Session, outgoing: BaseResponse,
        settings: SessionSettings,
    ) -> None:
        outgoing.headers.add_vary_header("Cookie")
        store = self._store
        stale_ids, data, held_id = session.pending_write()
        if store is not None:
            for stale_id in stale_ids:
                await store.delete(stale_id)
        if not session.modified and not (settings.refresh_each_request and data):
            return
        if not data:
            # An empty session is no session: drop the record and tell the client to forget it.
            if store is not None and held_id is not None:
                await store.delete(held_id)
            if settings.cookie_name in request.cookies:
                outgoing.delete_cookie(
                    settings.cookie_name, path=settings.path, domain=settings.domain,
                    secure=self._secure(request, settings), httponly=settings.httponly,
                    samesite=settings.samesite,  # type: ignore[arg-type]
                )
            return
        session_id = session.session_id
        if store is not None:
            await store.save(session_id, data, settings.max_age)
            assert self._id_signer is not None
            value = self._id_signer.sign(session_id).decode("ascii")
        else:
            assert self._cookie_backend is not None
            value = self._cookie_backend.encode(session_id, data, settings.max_age)
        header = format_set_cookie(
            settings.cookie_name, value, max_age=settings.max_age, path=settings.path,
            domain=settings.domain, secure=self._secure(request, settings),
            httponly=settings.httponly, samesite=settings.samesite,  # type: ignore[arg-type]
            partitioned=settings.partitioned,
        )
        if len(header) > MAX_COOKIE_SIZE:
            raise SessionCookieTooLarge(
                f"The session cookie would be {len(header)} bytes, over the {MAX_COOKIE_SIZE}-byte "
                "limit browsers enforce, so the session would be lost. Store less in the session, "
                "or use a server-side backend: config session={'backend': 'file'} or 'redis'."
            )
        outgoing.headers.append("set-cookie", header)

    @staticmethod
    def _secure(request: Request, settings: SessionSettings) -> bool:
        if settings.secure is not None:
            return settings.secure
        return request.scheme in ("https", "wss")


__all__ = ["MAX_COOKIE_SIZE", "SessionMiddleware"]
