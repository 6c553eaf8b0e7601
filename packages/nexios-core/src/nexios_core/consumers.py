"""Class-based WebSocket handlers: subclass :class:`WebSocketConsumer` and override its hooks.

Separate from :mod:`.websocket` because it is a way of writing handlers on top of the connection
object (with channel-layer groups), not part of the connection itself.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Literal

from .channel_box import layer_of
from .channels import Channel, ChannelLayer, PayloadType
from .exceptions import WebSocketDisconnect, WebSocketException
from .websocket import CLOSE_INTERNAL_ERROR, CLOSE_NORMAL, WebSocket

Encoding = Literal["text", "bytes", "json"]


class WebSocketConsumer:
    """A class-based WebSocket handler.

    Subclass it and override the hooks; use an instance (``HandlerDispatcher(websocket=Chat())``)
    or ``Chat.as_handler()`` as the handler. Each connection runs on its own shallow copy of the
    instance, so attributes set in the hooks belong to that connection only.

    ``encoding`` decides what ``on_receive`` gets: ``"text"`` (str), ``"bytes"``, ``"json"``
    (parsed; malformed JSON closes with 1007) or ``None`` (each message as the client sent it:
    ``str`` for a text frame, ``bytes`` for a binary one). Group helpers use ``channel_layer`` when the class
    sets one, otherwise the channel layer of the app (``app.channel_layer``: in process by default,
    Redis for several workers); groups joined are left automatically when the connection ends, and
    a channel layer that cannot reach its broker closes the connection with 1013 (try again
    later). Raising :class:`WebSocketException` in a hook closes
    with its code; any other exception closes with 1011 and propagates to the server.
    """

    encoding: ClassVar[Encoding | None] = "text"
    channel_layer: ClassVar[ChannelLayer | None] = None

    websocket: WebSocket
    channel: Channel

    async def on_connect(self, websocket: WebSocket) -> None:
        """Called first; accepts the connection. Override to check or refuse it."""
        await websocket.accept()

    async def on_receive(self, websocket: WebSocket, data: Any) -> None:
        """Called for every message, decoded according to ``encoding``."""

    async def on_disconnect(self, websocket: WebSocket, close_code: int) -> None:
        """Called once when the connection has ended, however it ended."""

    @classmethod
    def as_handler(cls, *args: Any, **kwargs: Any) -> Callable[[WebSocket], Awaitable[None]]:
        """A handler that serves each connection with a fresh ``cls(*args, **kwargs)``."""

        async def handler(websocket: WebSocket) -> None:
            await cls(*args, **kwargs)._serve(websocket)

        handler.__name__ = handler.__qualname__ = cls.__name__
        return handler

    async def __call__(self, websocket: WebSocket) -> None:
        await copy.copy(self)._serve(websocket)

    # ---------------------------------------------------------------- groups
    @property
    def layer(self) -> ChannelLayer:
        """The channel layer in use: ``channel_layer`` if the class sets one, else the layer of the
        app serving this connection (``app.channel_layer``)."""
        if self.channel_layer is not None:
            return self.channel_layer
        return layer_of(self.channel)

    async def join_group(self, group_name: str) -> None:
        """Add this connection to group ``group_name``."""
        await self.layer.group_add(group_name, self.channel)
        self._groups.add(group_name)

    async def leave_group(self, group_name: str) -> None:
        """Remove this connection from group ``group_name``."""
        await self.layer.group_discard(group_name, self.channel)
        self._groups.discard(group_name)

    async def broadcast(self, payload: Any, group_name: str = "default", save_history: bool = False) -> int:
        """Send ``payload`` to every connection in group ``group_name``, on every worker. Returns
        how many received it (connections in process; worker processes with members, on Redis)."""
        layer = self.layer
        received = await layer.group_send(group_name, payload)
        if save_history:
            layer.history.record(group_name, payload)
        return received

    async def send_to(self, channel_id: str | uuid.UUID, payload: Any) -> bool:
        """Send ``payload`` to one channel (a member of some group) by its id, wherever it is
        connected; returns whether it was found."""
        key = channel_id.hex if isinstance(channel_id, uuid.UUID) else channel_id
        return await self.layer.send(key, payload)

    async def group(self, group_name: str) -> list[Channel]:
        """The members of ``group_name`` connected to this process."""
        return await self.layer.channels(group_name)

    # ---------------------------------------------------------------- the connection's life
    async def _serve(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self.channel = Channel(websocket, payload_type=_PAYLOAD_TYPES[self.encoding or "text"])
        self._groups: set[str] = set()
        close_code = CLOSE_NORMAL
        try:
            await self.on_connect(websocket)
            while True:
                await self.on_receive(websocket, await self._receive(websocket))
        except WebSocketDisconnect as exc:
            close_code = exc.code
        except WebSocketException as exc:
            close_code = exc.code
            await websocket.close(exc.code, exc.reason)
        except Exception:
            close_code = CLOSE_INTERNAL_ERROR
            await websocket.close(CLOSE_INTERNAL_ERROR)
            raise
        finally:
            for name in list(self._groups):
                await self.leave_group(name)
            await self.on_disconnect(websocket, close_code)

    async def _receive(self, websocket: WebSocket) -> Any:
        if self.encoding is None:
            return await websocket.receive_data()
        if self.encoding == "json":
            return await websocket.receive_json()
        if self.encoding == "bytes":
            return await websocket.receive_bytes()
        return await websocket.receive_text()


_PAYLOAD_TYPES: dict[Encoding, PayloadType] = {"text": "text", "bytes": "bytes", "json": "json"}


__all__ = ["Encoding", "WebSocketConsumer"]
