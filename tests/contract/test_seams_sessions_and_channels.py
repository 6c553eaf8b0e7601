"""Two seams served for real under uvicorn, each by a third-party-style implementation written
against the protocol alone: a session backend keeping sessions in a dict, behind nexios-session's
``SessionMiddleware``; and a channel layer keeping groups in a dict, used by ``ChannelBox``.

Both apps are core-only (``App`` with a ``HandlerDispatcher``): the seams need no router.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import httpx
from websockets.sync.client import connect

from nexios_core import (
    App,
    Channel,
    ChannelBox,
    ChannelLayer,
    GroupSendStatus,
    HandlerDispatcher,
    InMemoryTransport,
    MakeConfig,
    MessageHistory,
    Request,
    Response,
    SessionBackend,
    Transport,
    WebSocket,
    WebSocketDisconnect,
)
from nexios_session import SessionMiddleware
from tests.support.live_server import live_server


# ---------------------------------------------------------------------------------------- sessions
class DictSessionBackend:
    """Sessions in a dict, with their deadline: three async methods and no Nexios import."""

    def __init__(self) -> None:
        self.records: dict[str, tuple[float, dict[str, Any]]] = {}
        self.loaded: list[str] = []

    async def load(self, session_id: str) -> dict[str, Any] | None:
        self.loaded.append(session_id)
        record = self.records.get(session_id)
        if record is None or record[0] < time.monotonic():
            return None
        return dict(record[1])

    async def save(self, session_id: str, data: Mapping[str, Any], max_age: int) -> None:
        self.records[session_id] = (time.monotonic() + max_age, dict(data))

    async def delete(self, session_id: str) -> None:
        self.records.pop(session_id, None)


def session_app(store: SessionBackend) -> App:
    async def handler(request: Request, response: Response) -> Any:
        if request.path == "/logout":
            request.session.clear()
            return {"logged_out": True}
        request.session["visits"] = request.session.get("visits", 0) + 1
        return {"visits": request.session["visits"]}

    app = App(MakeConfig({"secret_key": "contract-test-secret-key"}), dispatcher=HandlerDispatcher(http=handler))
    app.add_middleware(SessionMiddleware(backend=store))
    return app


def test_a_dict_session_backend_serves_sessions_through_the_session_middleware() -> None:
    store = DictSessionBackend()
    assert isinstance(store, SessionBackend)
    with live_server(session_app(store)) as server, httpx.Client(base_url=server.base_url, timeout=10) as client:
        assert client.get("/visit").json() == {"visits": 1}
        cookie = client.cookies["session_id"]
        session_id = cookie.split(".")[0]  # the cookie holds the id, signed; the data stays in the store
        assert list(store.records) == [session_id]
        assert store.records[session_id][1] == {"visits": 1}

        assert client.get("/visit").json() == {"visits": 2}
        assert store.records[session_id][1] == {"visits": 2} and store.loaded[-1] == session_id

        # A cookie naming another id without its signature never reaches the store.
        forged = "A" * 43 + "." + cookie.split(".", 1)[1]
        loads = len(store.loaded)
        answer = httpx.get(server.base_url + "/visit", cookies={"session_id": forged}, timeout=10)
        assert answer.json() == {"visits": 1} and len(store.loaded) == loads
        assert "A" * 43 not in store.records

        assert client.get("/logout").json() == {"logged_out": True}
        assert session_id not in store.records


# ---------------------------------------------------------------------------------------- channels
class DictChannelLayer:
    """Groups in a dict: the channel-layer protocol implemented from its docstrings."""

    def __init__(self) -> None:
        self.members: dict[str, dict[str, Channel]] = {}
        self.history = MessageHistory()
        self.transport: Transport = InMemoryTransport()
        self.started = self.closed = False
        self.sent: list[tuple[str, Any]] = []

    async def start(self) -> None:
        self.started = True

    async def aclose(self) -> None:
        self.members.clear()
        self.closed = True

    async def group_add(self, group: str, channel: Channel) -> None:
        self.members.setdefault(group, {})[channel.id] = channel

    async def group_discard(self, group: str, channel: Channel) -> None:
        members = self.members.get(group, {})
        members.pop(channel.id, None)
        if not members:
            self.members.pop(group, None)

    async def group_send(self, group: str, payload: Any) -> int:
        self.sent.append((group, payload))
        members = list(self.members.get(group, {}).values())
        for channel in members:
            await channel.send(payload)
        return len(members)

    async def send(self, channel_id: str, payload: Any) -> bool:
        for members in self.members.values():
            if channel_id in members:
                await members[channel_id].send(payload)
                return True
        return False

    async def channels(self, group: str) -> list[Channel]:
        return list(self.members.get(group, {}).values())

    async def groups(self) -> list[str]:
        return list(self.members)

    async def member_count(self, group: str) -> int:
        return len(self.members.get(group, {}))

    async def flush(self) -> None:
        self.members.clear()


def channel_app(layer: ChannelLayer) -> App:
    async def broadcast(request: Request, response: Response) -> Any:
        status = await ChannelBox.group_send("room", {"news": request.query_params.get("text")})
        return {"status": status.value}

    async def member(websocket: WebSocket) -> None:
        await websocket.accept()
        channel = Channel(websocket)
        await ChannelBox.add_channel_to_group(channel, "room")
        await websocket.send_json({"joined": "room"})
        try:
            while True:
                await websocket.receive_text()
        except WebSocketDisconnect:
            await ChannelBox.remove_channel_from_group(channel, "room")

    return App(dispatcher=HandlerDispatcher(http=broadcast, websocket=member), channel_layer=layer)


def test_channel_box_works_on_a_third_party_channel_layer() -> None:
    layer = DictChannelLayer()
    assert isinstance(layer, ChannelLayer)
    with live_server(channel_app(layer)) as server:
        assert layer.started  # the app starts its layer with the lifespan
        nobody = httpx.get(server.base_url + "/", params={"text": "early"}, timeout=10).json()
        assert nobody == {"status": GroupSendStatus.NO_SUCH_GROUP.value}
        with connect(f"{server.ws_url}/ws", open_timeout=10) as client:
            assert json.loads(client.recv(timeout=10)) == {"joined": "room"}
            sent = httpx.get(server.base_url + "/", params={"text": "hello"}, timeout=10).json()
            assert sent == {"status": GroupSendStatus.GROUP_SEND.value}
            assert json.loads(client.recv(timeout=10)) == {"news": "hello"}
        assert layer.sent == [("room", {"news": "early"}), ("room", {"news": "hello"})]
    assert layer.closed  # and closes it at shutdown
