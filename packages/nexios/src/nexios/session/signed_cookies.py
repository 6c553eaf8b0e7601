"""``nexios.session.signed_cookies``: the signed-cookie backend (the default)."""

from nexios_session.signed_cookies import SignedSessionManager

__all__ = ["SignedSessionManager"]
