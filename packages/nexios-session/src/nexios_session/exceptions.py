"""Errors raised by the session package. Each message says what to change."""

from __future__ import annotations

from nexios_core import NexiosError


class SessionError(NexiosError):
    """Base class of session errors."""


class SessionDataError(SessionError, TypeError):
    """A value stored in the session cannot be saved: session data must be JSON (dict, list, str,
    int, float, bool, None), because backends store JSON rather than pickles."""


class SessionCookieTooLarge(SessionError):
    """The session cookie would exceed what browsers store (about 4 KB per cookie): keep less
    in the session, or switch to a server-side backend (``"file"`` or ``"redis"``)."""


__all__ = ["SessionCookieTooLarge", "SessionDataError", "SessionError"]
