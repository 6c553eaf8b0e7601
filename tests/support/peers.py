"""WebSocket stand-ins for channel-layer tests that need no server, and a polling helper."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import anyio

from nexios_core.types import Message
from nexios_core.websocket import WebSocket


class Peer:
    """The server side of one accepted WebSocket, recording what the app sends to it."""

    def __init__(self, gone: bool = False) -> None:
        self.sent: list[Message] = []
        self.gone = gone
        self.connected = False

    async def receive(self) -> Message:
        if not self.connected:  # the handshake; then the client stays silent
            self.connected = True
            return {"type": "websocket.connect"}
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async def send(self, message: Message) -> None:
        if self.gone and message["type"] == "websocket.send":
            raise ConnectionResetError("peer vanished")
        self.sent.append(message)

    def frames(self) -> list[Any]:
        return [m.get("text", m.get("bytes")) for m in self.sent if m["type"] == "websocket.send"]


async def connected(peer: Peer) -> WebSocket:
    """An accepted WebSocket talking to ``peer``."""
    ws = WebSocket({"type": "websocket", "path": "/", "headers": []}, peer.receive, peer.send)
    await ws.accept()
    return ws


async def eventually(check: Callable[[], Any], timeout: float = 10.0) -> None:
    """Wait until ``check()`` is true (deliveries are asynchronous); fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout}s: {check}")
        await anyio.sleep(0.02)


__all__ = ["Peer", "connected", "eventually"]
