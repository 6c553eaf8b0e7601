"""Middleware that can be added the documented Nexios way or the ASGI way.

``app.add_middleware(CORSMiddleware())`` reads its options from the app config section
(``config.cors``); ``app.add_middleware(CORSMiddleware, allow_origins=[...])`` and
``CORSMiddleware(asgi_app, allow_origins=[...])`` pass them directly.
"""

from __future__ import annotations

from typing import Any, ClassVar

from nexios_core import ASGIApp, Middleware


class ConfiguredMiddleware(Middleware):
    """Base for facade middleware classes wrapping a core ASGI middleware (``core``)."""

    core: ClassVar[Any]
    config_key: ClassVar[str | None] = None

    def __new__(cls, app: ASGIApp | None = None, **options: Any) -> Any:
        if app is not None:  # built by an ASGI stack: return the real middleware
            return cls.wrap(app, **options)
        return super().__new__(cls)

    def __init__(self, app: ASGIApp | None = None, **options: Any) -> None:
        super().__init__(self.core, **options)

    def build(self, app: ASGIApp, owner: Any = None) -> ASGIApp:
        """Build around ``app``, reading the owning app's config when given no options."""
        return type(self).wrap(app, getattr(owner, "config", None), **self.kwargs)

    @classmethod
    def wrap(cls, app: ASGIApp, config: Any = None, **options: Any) -> ASGIApp:
        """Build the core middleware around ``app``; no options means "read the config"."""
        if not options and cls.config_key:
            section = config.get(cls.config_key) if config is not None else None
            if section:
                from_config = getattr(cls.core, "from_config", None)
                if from_config is not None:
                    return from_config(app, dict(section))  # type: ignore[no-any-return]
                return cls.core(app, **dict(section))  # type: ignore[no-any-return]
        return cls.core(app, **options)  # type: ignore[no-any-return]


__all__ = ["ConfiguredMiddleware"]
