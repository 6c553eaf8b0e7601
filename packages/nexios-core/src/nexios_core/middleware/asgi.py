"""Raw ASGI middleware specifications: ``Middleware(cls, *args, **kwargs)``."""

from __future__ import annotations

from typing import Any

from ..types import ASGIApp


class Middleware:
    """Describes an ASGI middleware to build at start-up as ``cls(app, *args, **kwargs)``.

    Any object with ``cls``, ``args`` and ``kwargs`` attributes works the same way, so other
    frameworks' middleware specifications (Starlette's ``Middleware``) can be passed as they are.
    """

    __slots__ = ("cls", "args", "kwargs")

    def __init__(self, cls: Any, *args: Any, **kwargs: Any) -> None:
        self.cls = cls
        self.args = args
        self.kwargs = kwargs

    def build(self, app: ASGIApp, owner: Any = None) -> ASGIApp:
        """Wrap ``app``. ``owner`` is the application assembling its stack (subclasses use it
        to read that app's config)."""
        return self.cls(app, *self.args, **self.kwargs)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"Middleware({getattr(self.cls, '__name__', self.cls)!r})"


__all__ = ["Middleware"]
