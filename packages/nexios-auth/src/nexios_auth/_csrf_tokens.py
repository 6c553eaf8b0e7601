"""Signed CSRF tokens: ``<random>.<hmac>``, both parts base64url without padding.

The signature proves the token was issued by this app (a cookie injected by a sibling subdomain,
or a value made up by an attacker, fails it); comparing the cookie and the submitted copy proves
the submitting page could read the token, which a cross-site page cannot.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

TOKEN_RANDOM_BYTES = 32
MAX_TOKEN_LENGTH = 128
"""Longer values are rejected before any hashing (a real token is 87 characters)."""
_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class CSRFTokenSigner:
    """Issues and verifies tokens with a key derived from the app secret (so the CSRF key is not
    the session key, even though both come from ``secret_key``)."""

    __slots__ = ("_key",)

    def __init__(self, secret_key: str | bytes) -> None:
        secret = secret_key.encode("utf-8") if isinstance(secret_key, str) else secret_key
        self._key = hmac.new(secret, b"nexios.csrf.token-key", hashlib.sha256).digest()

    def _sign(self, value: str) -> str:
        return _b64(hmac.new(self._key, value.encode("ascii"), hashlib.sha256).digest())

    def new_token(self) -> str:
        """A fresh signed token."""
        value = _b64(secrets.token_bytes(TOKEN_RANDOM_BYTES))
        return f"{value}.{self._sign(value)}"

    def is_valid(self, token: str | None) -> bool:
        """Whether ``token`` carries this app's signature (constant-time check)."""
        if not token or len(token) > MAX_TOKEN_LENGTH or not _ALPHABET.issuperset(token):
            return False
        value, _, signature = token.partition(".")
        if not value or not signature:
            return False
        return hmac.compare_digest(self._sign(value).encode("ascii"), signature.encode("ascii"))


def tokens_match(cookie_token: str, submitted_token: str) -> bool:
    """Constant-time equality of two tokens (any text, including non-ASCII)."""
    return hmac.compare_digest(cookie_token.encode("utf-8"), submitted_token.encode("utf-8"))


__all__ = ["CSRFTokenSigner", "MAX_TOKEN_LENGTH", "TOKEN_RANDOM_BYTES", "tokens_match"]
