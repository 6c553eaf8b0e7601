from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from nexios_core import WebSocket, WebSocketConsumer
from nexios_core.app import App
from nexios_core.channel_box import ChannelAddStatus, ChannelBox, ChannelRemoveStatus, GroupSendStatus
from nexios_core.channels import (
    Channel,
    ChannelLayer,
    ChannelLayerUnavailable,
    InMemoryChannelLayer,
    InMemoryTransport,
    InvalidGroupName,
    Transport,
)
from nexios_core.current_app import current_app, reset_current_app, set_current_app
from nexios_core.dispatch import HandlerDispatcher
from nexios_core.request import Request
from nexios_core.responses import Response
from nexios_core.testclient import TestClient
from nexios_core.types import Message


def ws_app(handler: Any, http: Any = None, **options: Any) -> App:
    return App(dispatcher=HandlerDispatcher(http=http, websocket=handler), **options)


@contextlib.contextmanager
def handling(app: App) -> Iterator[App]:
    """Run the block as if ``app`` were handling a request."""
    token = set_current_app(app)
    try:
        yield app
    finally:
        reset_current_app(token)


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


async def accepted_socket(transport: RecordingTransport, app: App | None = None) -> WebSocket:
    scope = {"type": "websocket", "path": "/", "headers": [], "app": app}
    ws = WebSocket(scope, transport.receive, transport.send)
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


class StuckTransport(RecordingTransport):
    """A peer that stopped reading: sends never complete."""

    async def send(self, message: Message) -> None:
        if message["type"] == "websocket.send":
            await anyio.sleep_forever()
        self.sent.append(message)


@pytest.mark.anyio
async def test_a_member_too_slow_to_take_a_message_is_dropped_and_closed() -> None:
    layer = InMemoryChannelLayer(send_timeout=0.2)
    healthy, stuck = RecordingTransport(), StuckTransport()
    good = Channel(await accepted_socket(healthy))
    slow = Channel(await accepted_socket(stuck))
    await layer.group_add("g", good)
    await layer.group_add("g", slow)
    with anyio.fail_after(5):  # the deadline bounds the broadcast, whatever one peer does
        assert await layer.group_send("g", {"n": 1}) == 1
    assert [c.id for c in await layer.channels("g")] == [good.id]
    assert healthy.frames() == ['{"n":1}']


@pytest.mark.anyio
async def test_a_stuck_member_does_not_hold_up_the_others() -> None:
    layer = InMemoryChannelLayer(send_timeout=3)
    stuck = [StuckTransport() for _ in range(3)]
    healthy = [RecordingTransport() for _ in range(200)]
    for transport in [*stuck, *healthy]:
        await layer.group_add("g", Channel(await accepted_socket(transport), payload_type="text"))
    async with anyio.create_task_group() as group:
        group.start_soon(layer.group_send, "g", "news")
        with anyio.fail_after(1):  # long before the deadline frees the stuck lanes
            while not all(t.frames() == ["news"] for t in healthy):
                await anyio.sleep(0.01)
    assert await layer.member_count("g") == 200  # the three stuck members were dropped at the deadline


@pytest.mark.anyio
async def test_send_reaches_one_member_by_id() -> None:
    layer = InMemoryChannelLayer()
    first, second = RecordingTransport(), RecordingTransport()
    a = Channel(await accepted_socket(first), payload_type="text")
    b = Channel(await accepted_socket(second), payload_type="text")
    await layer.group_add("g", a)
    await layer.group_add("g", b)
    assert await layer.send(b.id, "just you") is True
    assert await layer.send("0" * 32, "nobody") is False
    for hostile in (["a"], {"id": b.id}, 7, None):  # a client's JSON where an id was expected
        assert await layer.send(hostile, "hostile") is False  # type: ignore[arg-type]
    assert first.frames() == [] and second.frames() == ["just you"]
    assert await layer.member_count("g") == 2


@pytest.mark.anyio
async def test_group_names_are_bounded() -> None:
    layer = InMemoryChannelLayer()
    channel = Channel(await accepted_socket(RecordingTransport()))
    with pytest.raises(ValueError, match="at most 256"):
        await layer.group_add("x" * 257, channel)
    with pytest.raises(ValueError):
        await layer.group_add("", channel)
    with pytest.raises(InvalidGroupName, match="lone surrogate"):  # as on Redis, which needs UTF-8
        await layer.group_add("room\ud800", channel)
    assert await layer.groups() == []


def test_a_hostile_group_name_is_a_client_error_not_a_server_error(caplog: pytest.LogCaptureFixture) -> None:
    class Room(WebSocketConsumer):
        async def on_connect(self, websocket: WebSocket) -> None:
            await websocket.accept()
            await self.join_group(websocket.query_params["room"])
            await websocket.send_text("joined")

    async def http(request: Request, response: Response) -> Any:
        return {"status": (await ChannelBox.group_send(request.query_params["room"], "hi")).value}

    with TestClient(ws_app(Room(), http)) as client:
        refused = client.get("/?room=" + "r" * 300)
        assert refused.status_code == 400
        assert refused.json() == {"detail": "Group names are at most 256 characters, got 300"}
        with client.websocket_connect("/?room=" + "r" * 300) as session:
            with pytest.raises(Exception) as closed:
                session.receive_text()
        assert getattr(closed.value, "code", None) == 1008
        with client.websocket_connect("/?room=fine") as session:
            assert session.receive_text() == "joined"
    assert "Traceback" not in caplog.text and "ERROR" not in caplog.text


@pytest.mark.anyio
async def test_in_memory_transport_publishes_to_its_subscribers() -> None:
    transport = InMemoryTransport()
    assert isinstance(transport, Transport)
    received: list[bytes] = []

    async def handler(message: bytes) -> None:
        received.append(message)

    subscription = await transport.subscribe("events", handler)
    assert await transport.publish("events", b"one") == 1
    assert await transport.publish("other", b"none") == 0
    await subscription.unsubscribe()
    await subscription.unsubscribe()  # twice is harmless
    assert await transport.publish("events", b"two") == 0
    assert received == [b"one"]


def test_channel_layer_unavailable_answers_503_over_http_and_1013_over_websocket() -> None:
    exc = ChannelLayerUnavailable("Redis is down")
    assert (exc.status_code, exc.headers["Retry-After"], exc.detail) == (503, "5", "Redis is down")
    assert exc.code == 1013

    async def http(request: Request, response: Response) -> Any:
        raise ChannelLayerUnavailable()

    async def websocket(ws: WebSocket) -> None:
        await ws.accept()
        raise ChannelLayerUnavailable()

    with TestClient(ws_app(websocket, http)) as client:
        answer = client.get("/")
        assert (answer.status_code, answer.headers["retry-after"]) == (503, "5")
        with client.websocket_connect("/") as session:
            with pytest.raises(Exception) as closed:
                session.receive_text()
        assert getattr(closed.value, "code", None) == 1013


# ------------------------------------------------------------------------ ChannelBox, per app
@pytest.mark.anyio
async def test_channel_box_works_on_the_layer_of_the_channels_app() -> None:
    app, other = App(), App()
    transport = RecordingTransport()
    channel = Channel(await accepted_socket(transport, app), payload_type="text")
    assert await ChannelBox.add_channel_to_group(channel, "news") is ChannelAddStatus.CHANNEL_ADDED
    second = Channel(await accepted_socket(RecordingTransport(), app), payload_type="text")
    assert await ChannelBox.add_channel_to_group(second, "news") is ChannelAddStatus.CHANNEL_EXIST
    assert {c.id for c in await app.channel_layer.channels("news")} == {channel.id, second.id}
    assert await other.channel_layer.groups() == []  # each app has its own groups

    with handling(app):
        assert await ChannelBox.group_send("news", "one") is GroupSendStatus.GROUP_SEND
        assert await ChannelBox.group_send("missing", "x") is GroupSendStatus.NO_SUCH_GROUP
        groups = await ChannelBox.show_groups()
    assert transport.frames() == ["one"]
    assert list(groups) == ["news"] and {c.id for c in groups["news"]} == {channel.id, second.id}
    with handling(other):
        assert await ChannelBox.group_send("news", "elsewhere") is GroupSendStatus.NO_SUCH_GROUP
        assert await ChannelBox.show_groups() == {}

    stranger = Channel(await accepted_socket(RecordingTransport(), app))
    assert await ChannelBox.remove_channel_from_group(stranger, "news") is ChannelRemoveStatus.CHANNEL_DOES_NOT_EXIST
    assert await ChannelBox.remove_channel_from_group(channel, "nope") is ChannelRemoveStatus.GROUP_DOES_NOT_EXIST
    assert await ChannelBox.remove_channel_from_group(channel, "news") is ChannelRemoveStatus.CHANNEL_REMOVED
    assert await ChannelBox.remove_channel_from_group(second, "news") is ChannelRemoveStatus.GROUP_REMOVED
    assert await app.channel_layer.groups() == []


@pytest.mark.anyio
async def test_channel_box_history_flush_and_close_all() -> None:
    app = App()
    first, second = RecordingTransport(), RecordingTransport()
    a = Channel(await accepted_socket(first, app))
    b = Channel(await accepted_socket(second, app))
    with handling(app):
        await ChannelBox.add_channel_to_group(a, "room")
        await ChannelBox.add_channel_to_group(b, "lobby")
        await ChannelBox.group_send("room", {"n": 1}, save_history=True)
        await ChannelBox.group_send("room", {"n": 2})
        await ChannelBox.group_send(group_name="lobby", payload="hi", save_history=True)
        await ChannelBox.group_send("lobby")  # the upstream default payload: {}
        assert await ChannelBox.show_history("room") == [{"n": 1}]
        assert await ChannelBox.show_history() == {"room": [{"n": 1}], "lobby": ["hi"]}
        await ChannelBox.flush_history()
        assert await ChannelBox.show_history() == {}
        assert second.frames() == ['"hi"', "{}"]

        await ChannelBox.close_all_connections()
        assert await ChannelBox.show_groups() == {}
        await ChannelBox.add_channel_to_group(Channel(await accepted_socket(RecordingTransport(), app)), "x")
        await ChannelBox.flush_groups()
        assert await ChannelBox.show_groups() == {}
    assert [m["type"] for m in first.sent][-1] == "websocket.close"
    assert [m["type"] for m in second.sent][-1] == "websocket.close"


@pytest.mark.anyio
async def test_history_keeps_within_its_byte_budget() -> None:
    layer = InMemoryChannelLayer(history_bytes=100)
    for n in range(50):
        layer.history.record("g", {"n": n})
    kept = layer.history.of("g")
    assert kept[-1] == {"n": 49} and len(kept) < 50
    assert sum(len(f'{{"n":{item["n"]}}}') for item in kept) <= 100


@pytest.mark.anyio
async def test_channel_box_outside_any_app_says_what_to_use() -> None:
    assert current_app() is None
    with pytest.raises(RuntimeError, match="app.channel_layer"):
        await ChannelBox.group_send("room", {})


def test_channel_box_in_an_http_handler_reaches_the_websockets_of_the_same_app() -> None:
    async def websocket(ws: WebSocket) -> None:
        await ws.accept()
        await ChannelBox.add_channel_to_group(Channel(ws, payload_type="text"), "alerts")
        await ws.send_text("joined")
        await ws.receive_text()  # until the client leaves

    async def http(request: Request, response: Response) -> Any:
        status = await ChannelBox.group_send("alerts", request.query_params["say"])
        return {"status": status.value}

    first, second = ws_app(websocket, http), ws_app(websocket, http)
    with TestClient(first) as one, TestClient(second) as two:
        with one.websocket_connect("/") as listener, two.websocket_connect("/") as bystander:
            assert listener.receive_text() == "joined" and bystander.receive_text() == "joined"
            assert one.get("/?say=fire").json() == {"status": "group_send"}
            assert listener.receive_text() == "fire"
            assert two.get("/?say=only-here").json() == {"status": "group_send"}
            assert bystander.receive_text() == "only-here"


def test_the_app_starts_and_closes_its_layer_with_the_lifespan() -> None:
    events: list[str] = []

    class Layer(InMemoryChannelLayer):
        async def start(self) -> None:
            events.append("start")

        async def aclose(self) -> None:
            events.append("close")

    app = App(channel_layer=Layer(), on_startup=[lambda: events.append("startup hook")],
              on_shutdown=[lambda: events.append("shutdown hook")])
    with TestClient(app):
        assert events == ["start", "startup hook"]
    assert events == ["start", "startup hook", "shutdown hook", "close"]


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
            delivered = await self.broadcast(data["text"], data["room"])
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


def test_consumer_uses_the_apps_layer_by_default_and_has_the_upstream_helpers() -> None:
    class Toggle(WebSocketConsumer):
        encoding = "text"

        async def on_receive(self, websocket: WebSocket, data: Any) -> None:
            command, _, argument = data.partition(" ")
            if command == "join":
                await self.join_group("g")
            elif command == "leave":
                await self.leave_group("g")
            elif command == "me":
                await self.send_to(self.channel.uuid, "hello me")
            elif command == "say":
                await self.broadcast(argument, group_name="g", save_history=True)
            names = [c.id for c in await self.group("g")]
            await websocket.send_json({"groups": await self.layer.groups(), "members": len(names)})

    app = ws_app(Toggle())
    with TestClient(app) as client, client.websocket_connect("/") as session:
        session.send_text("join")
        assert session.receive_json() == {"groups": ["g"], "members": 1}
        session.send_text("me")
        assert session.receive_text() == "hello me"
        session.receive_json()
        session.send_text("say hi")
        assert session.receive_text() == "hi"
        session.receive_json()
        assert app.channel_layer.history.of("g") == ["hi"]
        session.send_text("leave")
        assert session.receive_json() == {"groups": [], "members": 0}
