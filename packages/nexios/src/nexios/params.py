"""``nexios.params``: typed request-input markers (``Query``, ``Header``, ``Cookie``, ``Path``,
``Body``, ``Form``, ``File``)."""

from nexios_di import Body, Cookie, File, Form, Header, Path, Query

__all__ = ["Body", "Cookie", "File", "Form", "Header", "Path", "Query"]
