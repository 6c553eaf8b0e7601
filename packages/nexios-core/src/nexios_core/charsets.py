"""Which text encodings a client may ask the server to decode with.

A ``charset=`` parameter is client input. Decoding with whatever codec it names hands the client
the choice of algorithm, and some codecs are slow on purpose-built input (``punycode`` is
quadratic), others fail with errors nobody expects (``idna`` raises a bare ``UnicodeError``) or are
not text codecs at all. So bodies are decoded only with UTF-8, ASCII or Latin-1, under any of the
names Python knows them by; anything else is refused with 415.

The client's name is never passed to :func:`codecs.lookup`: the standard library caches every
name it was asked for, known or not, so a stream of made-up names would grow that cache without
bound. The allowed names are resolved through ``codecs.lookup`` once, here, from a fixed list.
"""

from __future__ import annotations

import codecs
import encodings
import encodings.aliases

from .exceptions import UnsupportedMediaType

ALLOWED_CODECS = ("utf-8", "ascii", "iso8859-1")
"""Canonical ``codecs`` names of the encodings request bodies may use (Latin-1 is ``iso8859-1``)."""

MAX_CHARSET_NAME = 40
"""Longer ``charset`` values are refused without further work (real names are short)."""


def _key(name: str) -> str:
    return encodings.normalize_encoding(name.strip().lower()).replace("-", "_")


def _allowed_names() -> dict[str, str]:
    canonical = {codecs.lookup(name).name for name in ALLOWED_CODECS}
    names: dict[str, str] = {}
    spellings = [*ALLOWED_CODECS, "latin-1", "us-ascii", "utf8"]
    spellings += [alias for alias, module in encodings.aliases.aliases.items()
                  if module in ("utf_8", "ascii", "latin_1")]
    for spelling in spellings:
        resolved = codecs.lookup(spelling).name
        if resolved in canonical:
            names[_key(spelling)] = resolved
    return names


_ALLOWED_NAMES = _allowed_names()


def resolve_charset(name: str | None, *, default: str = "utf-8") -> str:
    """The codec to decode a body with, given its ``charset`` parameter (``None``: ``default``).

    Raises :class:`UnsupportedMediaType` (415) for any encoding but UTF-8, ASCII and Latin-1.
    """
    if name is None or not name.strip():
        return default
    resolved = _ALLOWED_NAMES.get(_key(name)) if len(name) <= MAX_CHARSET_NAME else None
    if resolved is None:
        raise UnsupportedMediaType(
            detail="Unsupported charset: request bodies must be UTF-8, ASCII or Latin-1"
        )
    return resolved


def charset_of(content_type: str) -> str | None:
    """The ``charset`` parameter of a ``Content-Type`` value (unquoted), or ``None``."""
    for param in content_type.split(";")[1:]:
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"')
    return None


__all__ = ["ALLOWED_CODECS", "MAX_CHARSET_NAME", "charset_of", "resolve_charset"]
