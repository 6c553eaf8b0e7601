"""``nexios.session.file``: the file backend."""

from nexios_session.file import FileSessionManager

__all__ = ["FileSessionManager"]
