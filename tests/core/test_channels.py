from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from nexios_core.app import App
from nexios_core.channels import Channel, ChannelBox, ChannelLayer, InMemoryChannelLayer
from nexios_core.dispatch import HandlerDispatcher
from nexios_core.testclient import TestClient
from nexios_core.types import Message
from nexios_core.websocket import WebSocket, WebSocketConsumer


def ws_app(handler: Any) -> App:
    return App(dispatcher=HandlerDispatcher(websocket=handler))


@pytest.fixture
def fresh_default_layer() -> Iterator[InMemoryChannelLayer]:
    layer = InMemoryChannelLayer()
    previous = ChannelBox.use_layer(layer)
    try:
        yield layer
    finally:
        ChannelBox.use_layer(previous)


class RecordingTransport:
    """A minimal ASGI server side for one WebSocket: records what the app sends."""

    def __init__(self, fail_sends: bool = False) -> None:
        self.sent: list[Message] = []
        self.fail_sends = fail_sends

    async def receive(self) -> Message:
        return {"type": "websocket.connect"}

    async def send(self, message: Message) -> None:
        if self.fail_sends and message["type"] == "websocket.send":
            raise ConnectionResetError("peer vanished")
        self.sent.append(message)

    def frames(self) -> list[Any]:
        return [m.get("text", m.get("bytes")) for m in self.sent if m["type"] == "websocket.send"]


async def accepted_socket(transport: RecordingTransport) -> WebSocket:
    ws = WebSocket({"type": "websocket", "path": "/", "headers": []}, transport.receive, transport.send)
    await ws.accept()
    return ws


# ------------------------------------------------------------------------ the layer and channels
def test_in_memory_layer_implements_the_protocol() -> None:
    assert isinstance(InMemoryChannelLayer(), ChannelLayer)


@pytest.mark.anyio
async def test_channel_frames_payloads_by_type() -> None:
    transport = RecordingTransport()
    ws = await accepted_socket(transport)
    await Channel(ws, payload_type="json").send({"a": [1]})
    await Channel(ws, payload_type="text").send("plain")
    await Channel(ws, payload_type="bytes").send(b"\x01")
    assert transport.frames() == ['{"a":[1]}', "plain", b"\x01"]
    with pytest.raises(TypeError):
        await Channel(ws, payload_type="text").send({"not": "text"})
    with pytest.raises(TypeError):
        await Channel(ws, payload_type="bytes").send("not bytes")
    with pytest.raises(ValueError):
        Channel(ws, payload_type="xml")  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_group_add_send_discard_and_listing() -> None:
    layer = InMemoryChannelLayer()
    first, second = RecordingTransport(), RecordingTransport()
    a = Channel(await accepted_socket(first), payload_type="text")
    b = Channel(await accepted_socket(second), payload_type="text")
    await layer.group_add("room", a)
    await layer.group_add("room", b)
    await layer.group_add("room", b)  # adding twice keeps one membership
    await layer.group_add("other", b)
    assert sorted(await layer.groups()) == ["other", "room"]
    assert {c.id for c in await layer.channels("room")} == {a.id, b.id}

    assert await layer.group_send("room", "hello") == 2
    assert first.frames() == ["hello"] and second.frames() == ["hello"]

    await layer.group_discard("room", a)
    await layer.group_discard("room", a)  # absent members are ignored
    assert await layer.group_send("room", "again") == 1
    assert first.frames() == ["hello"]
    assert second.frames() == ["hello", "again"]

    await layer.group_discard("other", b)
    assert await layer.groups() == ["room"]  # empty groups disappear
    assert await layer.channels("missing") == []
    assert await layer.group_send("missing", "x") == 0


@pytest.mark.anyio
async def test_a_channel_whose_send_fails_is_removed_from_every_group() -> None:
    layer = InMemoryChannelLayer()
    healthy = RecordingTransport()
    broken = RecordingTransport(fail_sends=True)
    good = Channel(await accepted_socket(healthy))
    dead = Channel(await accepted_socket(broken))
    for group in ("room", "lobby"):
        await layer.group_add(group, good)
        await layer.group_add(group, dead)

    assert await layer.group_send("room", {"n": 1}) == 1
    assert [c.id for c in await layer.channels("room")] == [good.id]
    assert [c.id for c in await layer.channels("lobby")] == [good.id]
    assert healthy.frames() == ['{"n":1}']


@pytest.mark.anyio
async def test_closed_and_expired_channels_are_dropped_without_sending() -> None:
    layer = InMemoryChannelLayer()
    closed_transport, expired_transport = RecordingTransport(), RecordingTransport()
    closed_ws = await accepted_socket(closed_transport)
    await closed_ws.close()
    closed = Channel(closed_ws)
    expired = Channel(await accepted_socket(expired_transport), expires=0)
    lasting = Channel(await accepted_socket(RecordingTransport()), expires=3600)
    assert expired.is_expired and not lasting.is_expired
    for channel in (closed, expired, lasting):
        await layer.group_add("g", channel)

    assert await layer.group_send("g", "x") == 1
    assert [c.id for c in await layer.channels("g")] == [lasting.id]
    assert closed_transport.frames() == [] and expired_transport.frames() == []


@pytest.mark.anyio
async def test_wrong_payload_type_raises_after_serving_the_others() -> None:
    layer = InMemoryChannelLayer()
    text_transport, json_transport = RecordingTransport(), RecordingTransport()
    await layer.group_add("g", Channel(await accepted_socket(text_transport), payload_type="text"))
    await layer.group_add("g", Channel(await accepted_socket(json_transport), payload_type="json"))
    with pytest.raises(TypeError):
        await layer.group_send("g", {"not": "text"})
    assert json_transport.frames() == ['{"not":"text"}']
    assert len(await layer.channels("g")) == 2  # a programming error is not a dead connection


@pytest.mark.anyio
async def test_channel_box_uses_the_process_wide_default_layer(
    fresh_default_layer: InMemoryChannelLayer,
) -> None:
    transport = RecordingTransport()
    channel = Channel(await accepted_socket(transport), payload_type="text")
    await ChannelBox.add_channel_to_group(channel, "news")
    assert [c.id for c in await fresh_default_layer.channels("news")] == [channel.id]
    assert await ChannelBox.group_send("news", "one") == 1
    assert await ChannelBox.broadcast("news", "two") == 1
    assert transport.frames() == ["one", "two"]
    groups = await ChannelBox.groups()
    assert list(groups) == ["news"] and [c.id for c in groups["news"]] == [channel.id]
    await ChannelBox.remove_channel_from_group(channel, "news")
    assert await ChannelBox.groups() == {}


# ------------------------------------------------------------------------ consumers and groups
def test_consumer_group_broadcast_reaches_every_connection() -> None:
    layer = InMemoryChannelLayer()

    class Room(WebSocketConsumer):
        encoding = "json"
        channel_layer = layer

        async def on_connect(self, websocket: WebSocket) -> None:
            # Join before accepting, so the member is in the group once the client is connected.
            await self.join_group(websocket.query_params.get("room", "lobby"))
            await websocket.accept()

        async def on_receive(self, websocket: WebSocket, data: Any) -> None:
            delivered = await self.broadcast(data["room"], data["text"])
            await websocket.send_json({"delivered": delivered})

    with TestClient(ws_app(Room())) as client:
        with client.websocket_connect("/?room=a") as one, client.websocket_connect("/?room=a") as two:
            with client.websocket_connect("/?room=a") as three, client.websocket_connect("/?room=b") as other:
                one.send_json({"room": "a", "text": "hi all"})
                for session in (one, two, three):
                    assert session.receive_json() == "hi all"
                assert one.receive_json() == {"delivered": 3}

                other.send_json({"room": "b", "text": "only b"})
                assert other.receive_json() == "only b"
                assert other.receive_json() == {"delivered": 1}

            # three (and other) have disconnected: they left their groups on the way out.
            two.send_json({"room": "a", "text": "fewer now"})
            assert one.receive_json() == "fewer now"
            assert two.receive_json() == "fewer now"
            assert two.receive_json() == {"delivered": 2}
    assert anyio.run(layer.groups) == []


def test_consumer_uses_channel_box_layer_by_default_and_can_leave(
    fresh_default_layer: InMemoryChannelLayer,
) -> None:
    class Toggle(WebSocketConsumer):
        encoding = "text"

        async def on_receive(self, websocket: WebSocket, data: Any) -> None:
            if data == "join":
                await self.join_group("g")
            elif data == "leave":
                await self.leave_group("g")
            names = await self.layer.groups()
            await websocket.send_json(names)

    with TestClient(ws_app(Toggle())) as client, client.websocket_connect("/") as session:
        session.send_text("join")
        assert session.receive_json() == ["g"]
        session.send_text("leave")
        assert session.receive_json() == []
