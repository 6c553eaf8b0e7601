"""``nexios.dependencies``: ``Depend``, ``Context`` and the typed request-input markers."""

from nexios_di import Body, Context, Cookie, Depend, File, Form, Header, Path, Query

from ._compat.names import Depends

__all__ = ["Body", "Context", "Cookie", "Depend", "Depends", "File", "Form", "Header", "Path", "Query"]
