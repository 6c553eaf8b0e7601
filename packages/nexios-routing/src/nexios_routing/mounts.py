"""Handing a request over to a mounted ASGI app."""

from __future__ import annotations

from nexios_core import ASGIApp, BaseResponse, Receive, Request, Scope, Send, routed_path


class MountedAppResponse(BaseResponse):
    """Not a response of its own: sending it runs the mounted app, which answers directly.

    Middleware sees this object like any response but cannot change what the mounted app sends
    (short-circuiting before ``call_next`` still works, e.g. for an authentication check).
    """

    __slots__ = ("app", "prefix", "request")

    def __init__(self, app: ASGIApp, prefix: str, request: Request) -> None:
        super().__init__(None)
        self.app = app
        self.prefix = prefix
        self.request = request

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        child = dict(scope)
        child["root_path"] = (scope.get("root_path") or "") + self.prefix
        child["nexios.mount_path"] = routed_path(scope)[len(self.prefix):] or "/"
        # `request.base_app` in the mounted app is the app it is mounted in (the outermost).
        child.setdefault("nexios.base_app", scope.get("app"))
        # If middleware already read the body, the request replays it to the mounted app.
        await self.app(child, self.request.receive, send)


async def websocket_close(receive: Receive, send: Send, code: int) -> None:
    """Refuse a WebSocket handshake (the server answers 403)."""
    await receive()  # websocket.connect
    await send({"type": "websocket.close", "code": code})


__all__ = ["MountedAppResponse", "websocket_close"]
