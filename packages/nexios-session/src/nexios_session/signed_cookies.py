"""The default backend: the session travels in the cookie, signed with the app's secret key.

The cookie is ``itsdangerous`` URL-safe serialised JSON with a timestamp and an HMAC-SHA256
signature. Every load checks the signature and the timestamp, so a tampered cookie, or a
genuine one replayed after ``max_age``, reads as no session at all. Nothing is stored on the
server, which also means a cookie cannot be revoked before it expires: use a server-side backend
when you need to end sessions remotely.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from . import _json
from .interface import is_valid_session_id

SecretKey = str | bytes | Iterable[str] | Iterable[bytes]
"""A secret, or a list of them oldest first: the last signs, all verify (key rotation)."""

DEFAULT_SALT = "nexios.session.cookie"
# What the serialiser emits. Python's base64 decoder skips other characters, so without this
# check a genuine cookie with junk appended would still verify.
_COOKIE_VALUE = re.compile(r"[A-Za-z0-9_.\-]+")


class _ClockedTimestampSigner(TimestampSigner):
    """A timestamp signer reading the time from an injectable clock (tests move time forward
    instead of sleeping)."""

    def __init__(self, *args: Any, clock: Callable[[], float] = time.time, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clock = clock

    def get_timestamp(self) -> int:
        return int(self._clock())


class _StrictJSON:
    """The payload serialiser itsdangerous calls: strict JSON both ways."""

    @staticmethod
    def dumps(value: Any) -> str:
        return _json.dumps(value)

    @staticmethod
    def loads(raw: str) -> Any:
        return _json.loads(raw)


class SignedSessionManager:
    """Keeps the session in a signed cookie (implements
    :class:`~nexios_session.interface.CookieSessionBackend`).

    ``secret_key`` defaults to the app's ``config.secret_key`` (the middleware supplies it).
    ``salt`` separates these signatures from any other use of the same key. ``clock`` returns the
    current Unix time; tests pass their own.
    """

    def __init__(
        self,
        secret_key: SecretKey | None = None,
        *,
        salt: str = DEFAULT_SALT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.salt = salt
        self.clock = clock
        self._serializer: URLSafeTimedSerializer | None = None
        if secret_key is not None:
            self._serializer = self._make_serializer(secret_key)

    def _make_serializer(self, secret_key: SecretKey) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(
            secret_key,
            salt=self.salt,
            serializer=_StrictJSON,
            signer=_ClockedTimestampSigner,
            signer_kwargs={"digest_method": hashlib.sha256, "clock": self.clock},
        )

    def ensure_secret_key(self, secret_key: SecretKey) -> None:
        """Sign with ``secret_key`` unless a key was given to the constructor. The middleware
        calls this with the app's secret."""
        if self._serializer is None:
            self._serializer = self._make_serializer(secret_key)

    @property
    def serializer(self) -> URLSafeTimedSerializer:
        """The itsdangerous serialiser in use."""
        if self._serializer is None:
            raise RuntimeError(
                "SignedSessionManager has no secret key: pass secret_key=... or add it to an app "
                "through SessionMiddleware, which supplies config.secret_key"
            )
        return self._serializer

    def encode(self, session_id: str, data: Mapping[str, Any], max_age: int) -> str:
        """The signed cookie value for ``data`` (``max_age`` is checked when it is decoded)."""
        return self.serializer.dumps({"id": session_id, "data": dict(data)})

    def decode(self, cookie_value: str, max_age: int) -> tuple[str, dict[str, Any]] | None:
        """``(session_id, data)``, or ``None`` if the cookie is tampered, malformed or expired."""
        if not _COOKIE_VALUE.fullmatch(cookie_value):
            return None
        try:
            payload = self.serializer.loads(cookie_value, max_age=max_age)
        except (BadData, ValueError):
            return None
        if not isinstance(payload, dict):
            return None
        session_id, data = payload.get("id"), payload.get("data")
        if not is_valid_session_id(session_id) or not isinstance(data, dict):
            return None
        return session_id, data


__all__ = ["DEFAULT_SALT", "SecretKey", "SignedSessionManager"]
