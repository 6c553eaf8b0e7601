"""``Context``: the per-request objects a dependency or handler can ask for in one parameter."""

from __future__ import annotations

from typing import Any


class Context:
    """What is at hand while a request is handled: ``request``, ``response``, ``app``, ``user``,
    ``state`` and ``path_params``. Ask for it by annotation (``ctx: Context``) or with a default
    (``context=Context()``); the placeholder default is replaced per request."""

    __slots__ = ("request", "response")

    def __init__(self, request: Any = None, response: Any = None) -> None:
        self.request = request
        self.response = response

    @property
    def app(self) -> Any:
        """The application."""
        return None if self.request is None else self.request.scope.get("app")

    @property
    def user(self) -> Any:
        """The authenticated user, when authentication middleware is installed."""
        return None if self.request is None else self.request.scope.get("user")

    @property
    def state(self) -> Any:
        """The request's state."""
        return None if self.request is None else self.request.state

    @property
    def path_params(self) -> dict[str, Any]:
        """The request's path parameters."""
        return {} if self.request is None else dict(self.request.scope.get("path_params") or {})

    def __repr__(self) -> str:
        return f"Context(request={self.request!r})"


__all__ = ["Context"]
