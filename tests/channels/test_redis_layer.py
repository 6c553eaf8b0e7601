"""The Redis channel layer against a real redis-server. Two layer objects with the same prefix
stand for two worker processes here (each has its own connections and worker id); the process
level proof, with uvicorn workers, is in ``test_two_workers.py``."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest

from nexios_core.channels import (
    MAX_GROUP_NAME_LENGTH,
    Channel,
    ChannelLayer,
    ChannelLayerUnavailable,
    ChannelMessageTooLarge,
    InvalidGroupName,
)
from nexios_core.redis_channels import RedisChannelLayer
from tests.support.peers import Peer, connected, eventually
from tests.support.redis_server import RedisServer

pytestmark = pytest.mark.anyio


def layer(url: str, prefix: str, **options: Any) -> RedisChannelLayer:
    return RedisChannelLayer(url, prefix=prefix, reconnect_delay=(0.05, 0.5), **options)


@pytest.fixture
async def workers(redis_url: str, prefix: str) -> AsyncIterator[tuple[RedisChannelLayer, RedisChannelLayer]]:
    first, second = layer(redis_url, prefix), layer(redis_url, prefix)
    await first.start()
    await second.start()
    try:
        yield first, second
    finally:
        await first.aclose()
        await second.aclose()


async def member(layer: RedisChannelLayer, group: str, payload_type: Any = "json") -> tuple[Channel, Peer]:
    peer = Peer()
    channel = Channel(await connected(peer), payload_type=payload_type)
    await layer.group_add(group, channel)
    return channel, peer


async def test_the_redis_layer_implements_the_protocol(redis_url: str, prefix: str) -> None:
    assert isinstance(layer(redis_url, prefix), ChannelLayer)


async def test_a_group_message_reaches_members_on_every_worker(workers: Any) -> None:
    first, second = workers
    _, on_first = await member(first, "room")
    _, also_on_first = await member(first, "room", "text")
    _, on_second = await member(second, "room")
    _, elsewhere = await member(second, "other")

    assert await second.group_send("room", "hello") == 2  # two workers have members
    await eventually(lambda: on_first.frames() and also_on_first.frames() and on_second.frames())
    assert (on_first.frames(), also_on_first.frames(), on_second.frames()) == (['"hello"'], ["hello"], ['"hello"'])
    assert await first.member_count("room") == 3 and await second.member_count("other") == 1
    assert [c.payload_type for c in await first.channels("room")] == ["json", "text"]  # this worker's
    assert sorted(await second.groups()) == ["other", "room"]
    assert await first.group_send("nobody-here", {"x": 1}) == 0
    assert elsewhere.frames() == []


async def test_members_get_a_groups_messages_in_order_and_bytes_stay_bytes(workers: Any) -> None:
    first, second = workers
    _, peer = await member(first, "feed")
    _, raw = await member(first, "raw", "bytes")
    for n in range(50):
        await second.group_send("feed", {"n": n})
    await second.group_send("raw", b"\x00\xff")
    await eventually(lambda: len(peer.frames()) == 50 and raw.frames())
    assert peer.frames() == [f'{{"n":{n}}}' for n in range(50)]
    assert raw.frames() == [b"\x00\xff"]


async def test_a_message_can_be_sent_to_one_channel_wherever_it_is(workers: Any) -> None:
    first, second = workers
    target, peer = await member(first, "room", "text")
    _, bystander = await member(first, "room", "text")
    assert await second.send(target.id, "just you") is True
    await eventually(lambda: peer.frames())
    assert peer.frames() == ["just you"] and bystander.frames() == []
    assert await second.send("f" * 32, "nobody") is False
    assert await second.send("not an id" * 1000, "hostile") is False  # e.g. taken from a client
    for hostile in (["a"], {"id": target.id}, 7, None):  # a client's JSON where an id was expected
        assert await second.send(hostile, "hostile") is False
        assert await first.send(hostile, "hostile") is False


async def test_an_oversized_message_is_refused_before_anything_is_sent(redis_url: str, prefix: str) -> None:
    small, other = layer(redis_url, prefix, max_message_size=1024), layer(redis_url, prefix)
    await small.start()
    await other.start()
    try:
        _, peer = await member(other, "room", "text")
        with pytest.raises(ChannelMessageTooLarge, match="1024 bytes"):
            await small.group_send("room", "x" * 2000)
        with pytest.raises(ValueError):  # it is a ValueError too
            await small.group_send("room", b"x" * 1025)
        assert await small.group_send("room", "x" * 1000) == 1
        await eventually(lambda: peer.frames())
        assert peer.frames() == ["x" * 1000]
    finally:
        await small.aclose()
        await other.aclose()


async def test_odd_group_names_travel_between_workers_and_unencodable_ones_are_refused(workers: Any) -> None:
    # Names often come from clients: glob characters (pub/sub patterns), CRLF (protocol framing),
    # NUL and the longest name of multi-byte characters are names like any other.
    first, second = workers
    odd = ["a*?[b]", "x\r\nPUBLISH y z", "nul\x00byte", "\u00e9" * MAX_GROUP_NAME_LENGTH, "g:c:1"]
    peers = [(await member(first, name, "text"))[1] for name in odd]
    for name in odd:
        assert await second.group_send(name, name) == 1
        assert await second.member_count(name) == 1
    await eventually(lambda: all(p.frames() for p in peers))
    assert [p.frames() for p in peers] == [[name] for name in odd]
    for hostile in ("room\ud800", "r" * (MAX_GROUP_NAME_LENGTH + 1), ""):
        with pytest.raises(InvalidGroupName) as refused:
            await second.group_send(hostile, "x")
        assert refused.value.status_code == 400 and refused.value.code == 1008
        with pytest.raises(InvalidGroupName):
            await first.group_add(hostile, Channel(await connected(Peer())))
        with pytest.raises(InvalidGroupName):
            await first.member_count(hostile)
    assert sorted(await first.groups()) == sorted(odd)


async def test_a_payload_that_is_not_json_is_the_senders_error(workers: Any) -> None:
    first, _ = workers
    with pytest.raises(TypeError):
        await first.group_send("room", object())


async def test_a_member_whose_connection_died_is_dropped_everywhere(workers: Any) -> None:
    first, second = workers
    _, alive = await member(first, "room")
    dead_peer = Peer(gone=True)
    dead = Channel(await connected(dead_peer))
    await first.group_add("room", dead)
    assert await second.member_count("room") == 2
    await second.group_send("room", 1)
    await eventually(lambda: alive.frames())
    await eventually(lambda: len(first._local.members.get("room", {})) == 1)
    await eventually_async(lambda: second.member_count("room"), 1)


async def eventually_async(read: Any, expected: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while (value := await read()) != expected:
        if time.monotonic() > deadline:
            raise AssertionError(f"{value!r} != {expected!r} after {timeout}s")
        await anyio.sleep(0.05)


async def test_members_of_a_worker_that_stops_refreshing_expire(redis_url: str, prefix: str) -> None:
    doomed, survivor = layer(redis_url, prefix, membership_ttl=1.0), layer(redis_url, prefix, membership_ttl=1.0)
    await doomed.start()
    await survivor.start()
    try:
        await member(doomed, "room")
        await member(survivor, "room")
        assert await survivor.member_count("room") == 2
        await anyio.sleep(1.5)  # heartbeats keep live members counted past the TTL
        assert await survivor.member_count("room") == 2
        # The worker loses Redis for good (as if it died): no heartbeat reaches Redis any more.
        await doomed.transport.aclose()
        started = time.monotonic()
        await eventually_async(lambda: survivor.member_count("room"), 1, timeout=5)
        assert time.monotonic() - started < 2.5  # within about one TTL
    finally:
        await doomed.aclose()
        await survivor.aclose()


async def test_leaving_and_closing_remove_members_from_redis_at_once(workers: Any) -> None:
    first, second = workers
    channel, _ = await member(first, "room")
    await member(first, "room")
    await first.group_discard("room", channel)
    await first.group_discard("room", channel)  # absent members are ignored
    assert await second.member_count("room") == 1
    await first.aclose()  # a clean shutdown leaves every group
    assert await second.member_count("room") == 0


async def test_concurrent_joins_to_a_new_group_all_receive_the_first_message(workers: Any) -> None:
    first, second = workers
    peers: list[Peer] = []

    async def join() -> None:
        peers.append((await member(first, "fresh"))[1])

    async with anyio.create_task_group() as group:
        for _ in range(20):
            group.start_soon(join)
    await second.group_send("fresh", "first!")
    await eventually(lambda: all(p.frames() for p in peers))
    assert {tuple(p.frames()) for p in peers} == {('"first!"',)}


# ---------------------------------------------------------------------------------- outages
async def test_a_redis_outage_fails_fast_and_the_layer_recovers_when_it_returns(
    redis_server: RedisServer, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="nexios.channels.redis")
    first, second = layer(redis_server.url, prefix), layer(redis_server.url, prefix)
    await first.start()
    await second.start()
    try:
        _, peer = await member(first, "room", "text")
        redis_server.kill()
        await eventually(lambda: not first.transport.available and not second.transport.available)

        started = time.monotonic()
        with pytest.raises(ChannelLayerUnavailable) as raised:
            await second.group_send("room", "lost")
        assert raised.value.status_code == 503 and raised.value.code == 1013
        with pytest.raises(ChannelLayerUnavailable):
            await second.member_count("room")
        newcomer = Channel(await connected(Peer()))
        with pytest.raises(ChannelLayerUnavailable):
            await second.group_add("room", newcomer)
        assert await second.channels("room") == []  # a failed join adds nothing
        await first.group_discard("nowhere", newcomer)  # leaving never raises
        assert time.monotonic() - started < 1.0  # no waiting on a Redis known to be down
        assert "connection lost" in caplog.text

        redis_server.restart()  # empty: it has forgotten every member
        await eventually(lambda: first.transport.available and second.transport.available)
        await eventually_async(lambda: second.member_count("room"), 1)  # registered again
        assert "reachable again" in caplog.text
        assert await second.group_send("room", "back") == 1
        await eventually(lambda: peer.frames())
        assert peer.frames() == ["back"]
    finally:
        await first.aclose()
        await second.aclose()


async def test_a_hung_redis_makes_sends_fail_within_the_timeout_and_the_layer_recovers(
    redis_server: RedisServer, prefix: str
) -> None:
    # SIGSTOP: Redis keeps the connections open and never answers; only the timeouts end calls.
    sender, receiver = (layer(redis_server.url, prefix, operation_timeout=0.5) for _ in range(2))
    await sender.start()
    await receiver.start()
    assert redis_server.process is not None
    try:
        _, peer = await member(receiver, "room", "text")
        redis_server.process.send_signal(signal.SIGSTOP)
        try:
            started = time.monotonic()
            outcomes = await asyncio.gather(*(sender.group_send("room", "x") for _ in range(50)),
                                            return_exceptions=True)
            assert all(isinstance(o, ChannelLayerUnavailable) for o in outcomes), outcomes
            assert time.monotonic() - started < 0.5 + 2  # one timeout for the burst, not one each
        finally:
            redis_server.process.send_signal(signal.SIGCONT)
        with anyio.fail_after(15):
            while True:
                try:
                    if await sender.group_send("room", "back") == 1:
                        break
                except ChannelLayerUnavailable:
                    pass
                await anyio.sleep(0.1)
        await eventually(lambda: "back" in peer.frames())
    finally:
        await sender.aclose()
        await receiver.aclose()


async def test_a_layer_started_while_redis_is_down_starts_and_connects_later(
    redis_server: RedisServer, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="nexios.channels.redis")
    redis_server.kill()
    late = layer(redis_server.url, prefix, operation_timeout=0.5)
    started = time.monotonic()
    await late.start()  # logs, does not raise: the app still starts
    assert time.monotonic() - started < 2.0
    assert "not reachable yet" in caplog.text
    try:
        with pytest.raises(ChannelLayerUnavailable):
            await late.group_send("room", 1)
        redis_server.restart()
        await eventually(lambda: late.transport.available)
        _, peer = await member(late, "room", "text")
        assert await late.group_send("room", "works") == 1
        await eventually(lambda: peer.frames())
        assert await late.send(next(iter(late._local.by_id)), "direct") is True
    finally:
        await late.aclose()


# ---------------------------------------------------------------------------------- the transport
async def test_the_transport_carries_any_topic_between_workers(workers: Any) -> None:
    first, second = workers
    received: list[bytes] = []

    async def handler(message: bytes) -> None:
        received.append(message)

    subscription = await first.transport.subscribe("events.orders", handler)
    assert await second.transport.publish("events.orders", b"order 1") == 1
    assert await second.transport.publish("events.other", b"ignored") == 0
    await eventually(lambda: received)
    await subscription.unsubscribe()
    assert await second.transport.publish("events.orders", b"order 2") == 0
    assert received == [b"order 1"]


def test_a_layer_serves_one_event_loop_after_another(redis_url: str, prefix: str) -> None:
    # A test client runs each `with` block on an event loop of its own: the layer follows.
    shared, other = layer(redis_url, prefix), layer(redis_url, prefix)

    async def round_trip(text: str) -> list[Any]:
        _, peer = await member(shared, "room", "text")
        await other.group_send("room", text)
        await eventually(lambda: peer.frames())
        return peer.frames()

    assert anyio.run(round_trip, "one") == ["one"]
    assert anyio.run(round_trip, "two") == ["two"]

    async def close() -> None:
        await shared.aclose()
        await other.aclose()

    anyio.run(close)


def test_an_oversized_group_message_answers_413_or_closes_1009_and_logs_no_error(
    redis_url: str, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    # The payload often comes from a client: too big is the client's error, never a 500.
    from nexios import get_application
    from nexios.testclient import TestClient
    from nexios.websockets import WebSocket, WebSocketConsumer
    from nexios.websockets.channels import ChannelBox

    app = get_application(channel_layer=layer(redis_url, prefix, max_message_size=1024))

    @app.post("/say/{room}")
    async def say(request: Any, response: Any, room: str) -> Any:
        return {"status": (await ChannelBox.group_send(room, await request.json)).value}

    class Echo(WebSocketConsumer):
        encoding = "json"

        async def on_connect(self, websocket: WebSocket) -> None:
            await websocket.accept()
            await self.join_group("room")

        async def on_receive(self, websocket: WebSocket, data: Any) -> None:
            await self.broadcast(data, group_name="room")

    app.add_ws_route("/ws", Echo.as_handler())
    with TestClient(app) as client:
        refused = client.post("/say/room", json={"text": "x" * 2000})
        assert refused.status_code == 413
        assert refused.json() == {"detail": "A channel message is limited to 1024 bytes, this one has 2011"}
        with client.websocket_connect("/ws") as session:
            session.send_json({"text": "small"})
            assert session.receive_json() == {"text": "small"}
            assert client.post("/say/room", json={"text": "fits"}).json() == {"status": "group_send"}
            assert session.receive_json() == {"text": "fits"}
            session.send_json({"text": "x" * 2000})
            with pytest.raises(Exception) as closed:
                session.receive_json()
        assert getattr(closed.value, "code", None) == 1009
    assert "Traceback" not in caplog.text and "ERROR" not in caplog.text
