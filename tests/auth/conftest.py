"""Shared helpers for the auth tests: an in-process client and a tiny server-side session.

The session middleware here stands in for nexios-session so these tests exercise auth alone:
sessions live in a dict keyed by the ``sid`` cookie, and ``regenerate()`` moves the data to a new
id and forgets the old one, as a real store does.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from nexios_core.middleware.base import BaseMiddleware
from nexios_core.middleware.chain import CallNext
from nexios_core.request import Request
from nexios_core.responses import Response

SECRET = "test-secret-key-that-is-long-enough-for-hs256!"


def _client_for(app: Any, base_url: str = "http://testserver") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


@pytest.fixture
def client_for() -> Callable[..., httpx.AsyncClient]:
    """``async with client_for(app) as client: ...`` drives ``app`` in-process."""
    return _client_for


class DictSession(dict[str, Any]):
    """A dict with a session id and ``regenerate()``."""

    def __init__(self, session_id: str, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.id = session_id
        self.regenerated = 0

    def regenerate(self) -> None:
        self.id = secrets.token_hex(16)
        self.regenerated += 1


class DictSessionMiddleware(BaseMiddleware):
    """Server-side sessions in ``self.store``; the client holds only the ``sid`` cookie."""

    def __init__(self) -> None:
        self.store: dict[str, dict[str, Any]] = {}

    async def __call__(self, request: Request, response: Response, call_next: CallNext) -> Any:
        incoming = request.cookies.get("sid")
        if incoming is not None and incoming in self.store:
            session = DictSession(incoming, self.store[incoming])
        else:
            incoming = None
            session = DictSession(secrets.token_hex(16), {})
        request.scope["session"] = session
        outgoing = await call_next()
        if incoming is not None and session.id != incoming:
            del self.store[incoming]  # the old id must stop working (fixation)
        if session or incoming is not None:
            self.store[session.id] = dict(session)
            if session.id != incoming:
                outgoing.set_cookie("sid", session.id, httponly=True)
        return outgoing


@pytest.fixture
def session_middleware() -> DictSessionMiddleware:
    """A fresh in-memory session middleware."""
    return DictSessionMiddleware()
