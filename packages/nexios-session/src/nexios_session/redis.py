"""Sessions stored in Redis, for apps served by several processes or machines.

Each session is one key, ``prefix + session_id``, holding the JSON data and set with a TTL of
``max_age`` seconds (``SET ... EX``), so Redis itself forgets expired sessions. Needs the ``redis``
package: ``pip install nexios-session[redis]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

try:
    import redis.asyncio as aioredis
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "The Redis session backend needs the redis package: pip install 'nexios-session[redis]'"
    ) from exc

from nexios_core import ImproperlyConfigured

from . import _json
from .interface import is_valid_session_id

DEFAULT_PREFIX = "nexios:session:"


class RedisSessionManager:
    """A :class:`~nexios_session.interface.SessionBackend` backed by Redis.

    Give ``url`` (``redis://host:6379/0``; extra keyword arguments go to
    ``redis.asyncio.from_url``) or an existing ``client`` (a ``redis.asyncio.Redis``). A client
    built from ``url`` is created on first use and closed by :meth:`aclose`, which the middleware
    runs at shutdown; a client you pass in stays yours to close. ``prefix`` namespaces the keys
    so several apps can share one database.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        client: aioredis.Redis | None = None,
        prefix: str = DEFAULT_PREFIX,
        **client_options: Any,
    ) -> None:
        if (url is None) == (client is None):
            raise ImproperlyConfigured(
                "RedisSessionManager needs exactly one of url='redis://...' or client=redis.asyncio.Redis(...)"
            )
        if client is not None and client_options:
            raise ImproperlyConfigured("Client options apply only when RedisSessionManager builds the client from url")
        self.url = url
        self.prefix = prefix
        self._client = client
        self._client_options = client_options
        self._owns_client = client is None

    @property
    def client(self) -> aioredis.Redis:
        """The Redis client (built from ``url`` on first use)."""
        if self._client is None:
            assert self.url is not None
            self._client = aioredis.from_url(self.url, **self._client_options)
        return self._client

    def key_for(self, session_id: str) -> str:
        """The Redis key holding ``session_id``."""
        return self.prefix + session_id

    async def load(self, session_id: str) -> dict[str, Any] | None:
        """The session's data, or ``None`` when unknown, expired (Redis dropped it) or corrupt."""
        if not is_valid_session_id(session_id):
            return None
        raw = await self.client.get(self.key_for(session_id))
        if raw is None:
            return None
        return _json.loads_data(raw)

    async def save(self, session_id: str, data: Mapping[str, Any], max_age: int) -> None:
        """Store the session with a TTL of ``max_age`` seconds."""
        if not is_valid_session_id(session_id):
            raise ValueError("Refusing to save a session under an id this package did not issue")
        await self.client.set(self.key_for(session_id), _json.dumps_data(data), ex=max_age)

    async def delete(self, session_id: str) -> None:
        """Forget the session."""
        if is_valid_session_id(session_id):
            await self.client.delete(self.key_for(session_id))

    async def aclose(self) -> None:
        """Close the client if this manager created it."""
        if self._owns_client and self._client is not None:
            client, self._client = self._client, None
            await client.aclose()


__all__ = ["DEFAULT_PREFIX", "RedisSessionManager"]
