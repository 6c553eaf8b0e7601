"""Class-style middleware with before/after hooks."""

from __future__ import annotations

from typing import Any

from ..request import Request
from ..responses import BaseResponse, Response
from .chain import CallNext


class BaseMiddleware:
    """Subclass and override :meth:`process_request` and/or :meth:`process_response`.

    ``process_request`` runs before the handler; returning a response (or anything a handler may
    return) from it answers immediately without calling the rest of the chain. It may also call
    ``await call_next()`` itself (as upstream Nexios's guides do, ``await call_next(req, res)``):
    the rest of the chain still runs once. ``process_response`` runs after, receives the response
    that will be sent and may return a replacement. Override ``__call__`` itself for full control
    (``await call_next()`` returns the response).

    Keyword arguments given to the constructor are kept in ``options`` for subclasses to read.
    """

    def __init__(self, **options: Any) -> None:
        self.options: dict[str, Any] = options
        """What the constructor was given (``BaseMiddleware(**options)``)."""

    def setup(self, app: Any) -> None:
        """Called once when the app assembles its middleware (at start-up): read config and
        refuse bad settings here, with a message saying how to fix them."""
        return None

    async def process_request(self, request: Request, response: Response, call_next: CallNext) -> Any:
        """Run before the handler. Return a value to short-circuit; ``None`` continues."""
        return None

    async def process_response(self, request: Request, response: BaseResponse) -> Any:
        """Run after the handler with the outgoing response. Return a replacement or ``None``."""
        return None

    async def __call__(self, request: Request, response: Response, call_next: CallNext) -> Any:
        if type(self).process_request is BaseMiddleware.process_request:
            outgoing = await call_next()
        else:
            produced: list[BaseResponse] = []

            async def once(*_: Any) -> BaseResponse:
                # `process_request` may run the rest of the chain itself: it runs once, and its
                # response is the one `process_response` sees.
                if not produced:
                    produced.append(await call_next())
                return produced[0]

            early = await self.process_request(request, response, once)
            if early is not None:
                return early
            outgoing = produced[0] if produced else await once()
        replaced = await self.process_response(request, outgoing)
        return outgoing if replaced is None else replaced


__all__ = ["BaseMiddleware"]
