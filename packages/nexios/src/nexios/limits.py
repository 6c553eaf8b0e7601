"""``nexios.limits``: the request limits (``Limits``) and their defaults."""

from nexios_core import DEFAULT_LIMITS, KIB, MIB, Limits

__all__ = ["DEFAULT_LIMITS", "KIB", "MIB", "Limits"]
