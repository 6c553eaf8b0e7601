"""Signed CSRF tokens: ``<random>.<hmac>``, both parts base64url without padding.

The signature proves the token was issued by this app (a cookie injected by a sibling subdomain,
or a value made up by an attacker, fails it); comparing the cookie and the submitted copy proves
the submitting page could read the token, which a cross-site page cannot. When the request has a
session, the signature also covers a random nonce kept in that session (the *binding*): a token
is then valid only with the session it was issued for, so a token an attacker obtained with their
own client cannot be planted in a victim's cookie jar and used with the victim's session.
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

    def _sign(self, value: str, binding: str) -> str:
        # "\x00" cannot occur in the base64 value, so (value, binding) pairs never collide.
        message = value.encode("ascii") + b"\x00" + binding.encode("utf-8")
        return _b64(hmac.new(self._key, message, hashlib.sha256).digest())

    def new_token(self, binding: str = "") -> str:
        """A fresh signed token, bound to ``binding`` (a session's nonce; empty: unbound)."""
        value = _b64(secrets.token_bytes(TOKEN_RANDOM_BYTES))
        return f"{value}.{self._sign(value, binding)}"

    def is_valid(self, token: str | None, binding: str = "") -> bool:
        """Whether ``token`` carries this app's signature for ``binding`` (constant-time check)."""
        if not token or len(token) > MAX_TOKEN_LENGTH or not _ALPHABET.issuperset(token):
            return False
        value, _, signature = token.partition(".")
        if not value or not signature:
            return False
        return hmac.compare_digest(self._sign(value, binding).encode("ascii"), signature.encode("ascii"))


def new_binding() -> str:
    """A random nonce to keep in a session and bind its CSRF tokens to."""
    return _b64(secrets.token_bytes(TOKEN_RANDOM_BYTES))


def tokens_match(cookie_token: str, submitted_token: str) -> bool:
    """Constant-time equality of two tokens (any text, including non-ASCII)."""
    return hmac.compare_digest(cookie_token.encode("utf-8"), submitted_token.encode("utf-8"))


__all__ = ["CSRFTokenSigner", "MAX_TOKEN_LENGTH", "TOKEN_RANDOM_BYTES", "new_binding", "tokens_match"]
