"""Tracking the open WebSocket connections of one app, so that shutdown can close them.

Separate from :mod:`.websocket` because it is the app's bookkeeping, not part of a connection: the
app owns one :class:`OpenWebSockets` and puts a :class:`ConnectionTracker` in each connection's
scope (under :data:`~nexios_core.websocket.OPEN_WEBSOCKETS_SCOPE_KEY`); an accepted
:class:`~nexios_core.websocket.WebSocket` registers itself there.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from .websocket import CLOSE_GOING_AWAY, WebSocket, WebSocketState


class OpenWebSockets:
    """The accepted WebSocket connections of one app that have not ended yet.

    The app gives each connection a :class:`ConnectionTracker` (in the scope); a ``WebSocket``
    registers there when it accepts, and the tracker forgets it when the connection's ASGI call
    returns, so a handler that never closes its socket leaks nothing. At shutdown the app calls
    :meth:`close_all` so that clients see 1001 (going away) rather than a dropped connection.
    """

    __slots__ = ("_sockets",)

    def __init__(self) -> None:
        self._sockets: set[WebSocket] = set()

    def tracker(self) -> ConnectionTracker:
        """A tracker for one new connection."""
        return ConnectionTracker(self._sockets)

    def __len__(self) -> int:
        return len(self._sockets)

    def __iter__(self) -> Iterator[WebSocket]:
        return iter(list(self._sockets))

    async def close_all(self, code: int = CLOSE_GOING_AWAY, reason: str = "Server shutting down") -> int:
        """Close every connection still open with ``code``; returns how many there were."""
        sockets = [ws for ws in self._sockets if ws.application_state is WebSocketState.CONNECTED]
        for websocket in sockets:
            # One connection failing to close (its transport already broken) must not keep the
            # others open or stop the shutdown.
            with contextlib.suppress(Exception):
                await websocket.close(code, reason)
        return len(sockets)


class ConnectionTracker:
    """Registers the WebSocket of one connection with its app's :class:`OpenWebSockets`."""

    __slots__ = ("_open", "_mine")

    def __init__(self, open_sockets: set[WebSocket]) -> None:
        self._open = open_sockets
        self._mine: list[WebSocket] = []

    def add(self, websocket: WebSocket) -> None:
        """Remember an accepted ``websocket`` until :meth:`release`."""
        self._open.add(websocket)
        self._mine.append(websocket)

    def release(self) -> None:
        """Forget this connection's sockets (its ASGI call has returned)."""
        for websocket in self._mine:
            self._open.discard(websocket)
        self._mine.clear()


__all__ = ["ConnectionTracker", "OpenWebSockets"]
