"""``nexios.session.file``: the file backend (``FileSessionInterface`` is the name upstream's
session guide uses for it)."""

from nexios_session.file import FileSessionManager

from .._compat.names import FileSessionInterface

__all__ = ["FileSessionInterface", "FileSessionManager"]
