"""A channel layer on Redis: WebSocket groups that span every worker process.

``app = get_application(channel_layer=RedisChannelLayer("redis://localhost:6379/0"))`` and every
worker's ``group_send`` reaches the members connected to every other worker.

How it works:

- **Delivery** uses Redis pub/sub (:class:`~nexios_core.redis_transport.RedisTransport`). A worker
  subscribes to a group's topic while it has members of that group, so a message travels once per
  worker that needs it, and each worker frames it once for all its members. Pub/sub rather than
  streams because group messages are live notifications: a member that was not connected when a
  message was sent has no use for it, and streams would need one reader position per worker, kept
  and trimmed forever, to offer a replay nobody here asks for.
- **Membership** lives in Redis too, for :meth:`RedisChannelLayer.member_count` and per-channel
  sends: a sorted set per group whose entries carry an expiry time (Redis's own clock), refreshed by
  each worker's heartbeat every third of ``membership_ttl``. A worker that dies stops refreshing,
  so its members stop counting after at most ``membership_ttl`` seconds: no ghost members.
- **Outages**: operations fail promptly with
  :class:`~nexios_core.channels.ChannelLayerUnavailable` (503 for an HTTP request, close 1013 for a
  WebSocket, if the caller lets it escape), leaving a member's connection untouched; the transport
  reconnects with backoff and this layer registers its members again.
- **Size**: a message larger than ``max_message_size`` (1 MiB by default, as the WebSocket message
  limit) raises :class:`~nexios_core.channels.ChannelMessageTooLarge` before anything is sent.

Needs the ``redis`` package: ``pip install 'nexios-core[redis]'``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import uuid
import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from . import jsoncodec
from ._channel_delivery import DEFAULT_SEND_TIMEOUT, deliver
from .channels import (
    Channel,
    ChannelLayerUnavailable,
    ChannelMessageTooLarge,
    LocalGroups,
    MessageHistory,
    Subscription,
    check_group_name,
)
from .exceptions import ImproperlyConfigured
from .limits import MIB
from .redis_transport import DEFAULT_OPERATION_TIMEOUT, DEFAULT_RECONNECT_DELAY, RedisTransport

if TYPE_CHECKING:
    import redis.asyncio as aioredis

logger = logging.getLogger("nexios.channels.redis")

DEFAULT_CHANNELS_PREFIX = "nexios:channels:"
DEFAULT_MEMBERSHIP_TTL = 30.0
"""Seconds a worker's members keep counting after its last heartbeat."""
DEFAULT_MAX_MESSAGE_SIZE = MIB

_REFRESH_BATCH = 500  # (group, channel) pairs per script call
_INBOX_SIZE = 10_000  # messages received and not yet delivered, beyond which new ones are dropped
_LOCK_STRIPES = 64
_CHANNEL_ID = re.compile(r"[0-9a-f]{32}")
_JSON, _BYTES, _DIRECT = b"j", b"b", b"d"

# Registers (or refreshes) members: KEYS are (group set, channel location) pairs, ARGV the TTL in
# ms, the worker id, then one channel id per pair. Redis's clock stamps the expiry, so workers on
# machines whose clocks disagree still agree on who is alive.
_REFRESH_SCRIPT = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local ttl = tonumber(ARGV[1])
for i = 1, #KEYS, 2 do
  local channel = ARGV[2 + (i + 1) / 2]
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now_ms)
  redis.call('ZADD', KEYS[i], now_ms + ttl, channel)
  redis.call('PEXPIRE', KEYS[i], ttl)
  redis.call('SET', KEYS[i + 1], ARGV[2], 'PX', ttl)
end
return #KEYS / 2
"""

# Members of KEYS[1] whose expiry has not passed.
_COUNT_SCRIPT = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], '(' .. now_ms, '+inf')
"""


class RedisChannelLayer:
    """A :class:`~nexios_core.channels.ChannelLayer` whose groups span every worker sharing one
    Redis (and ``prefix``).

    Give ``url`` (other keyword arguments go to ``redis.asyncio.from_url``) or ``client``.
    ``membership_ttl``: seconds a dead worker's members keep counting; ``max_message_size``: the
    largest encoded message; ``send_timeout``: how long a member may take to receive one before it
    is dropped (closed with 1013); ``operation_timeout`` bounds every Redis operation.
    ``transport`` (a :class:`~nexios_core.redis_transport.RedisTransport`) is the pub/sub it is
    built on, open to other features.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        client: aioredis.Redis | None = None,
        prefix: str = DEFAULT_CHANNELS_PREFIX,
        membership_ttl: float = DEFAULT_MEMBERSHIP_TTL,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
        send_timeout: float = DEFAULT_SEND_TIMEOUT,
        operation_timeout: float = DEFAULT_OPERATION_TIMEOUT,
        reconnect_delay: tuple[float, float] = DEFAULT_RECONNECT_DELAY,
        history_bytes: int = MessageHistory.DEFAULT_MAX_BYTES,
        **client_options: Any,
    ) -> None:
        if membership_ttl <= 0 or max_message_size <= 0 or send_timeout <= 0:
            raise ImproperlyConfigured("membership_ttl, max_message_size and send_timeout must be positive")
        self.transport = RedisTransport(
            url, client=client, prefix=prefix, operation_timeout=operation_timeout,
            reconnect_delay=reconnect_delay, **client_options,
        )
        self.transport.on_reconnect.append(self._register_everything)
        self.membership_ttl = membership_ttl
        self.max_message_size = max_message_size
        self.send_timeout = send_timeout
        self.history = MessageHistory(history_bytes)
        self.worker_id = uuid.uuid4().hex
        """This process's id in Redis (per-channel sends are addressed to it)."""
        self._local = LocalGroups()
        self._subscriptions: dict[str, Subscription] = {}
        self._direct: Subscription | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._started: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._deliverer: asyncio.Task[None] | None = None
        self._inbox: asyncio.Queue[tuple[str | None, bytes]] | None = None
        self._locks: list[asyncio.Lock] = []
        self._scripts: tuple[Any, Any, Any] | None = None  # (client, refresh, count)

    # ---------------------------------------------------------------- names
    def _group_topic(self, group: str) -> str:
        return "nexios.group." + group

    def _worker_topic(self, worker_id: str) -> str:
        return "nexios.worker." + worker_id

    def _group_key(self, group: str) -> str:
        return self.transport.key("g:" + group)

    def _channel_key(self, channel_id: str) -> str:
        return self.transport.key("c:" + channel_id)

    def _lock_for(self, group: str) -> asyncio.Lock:
        return self._locks[zlib.crc32(group.encode("utf-8", "surrogatepass")) % _LOCK_STRIPES]

    # ---------------------------------------------------------------- life
    async def start(self) -> None:
        """Connect (idempotent). A Redis that is down is logged; the layer keeps trying."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            if self._loop is not None:
                self._forget_previous_loop()
            self._loop = loop
            self._locks = [asyncio.Lock() for _ in range(_LOCK_STRIPES)]
            self._inbox = asyncio.Queue(_INBOX_SIZE)
            self._started = loop.create_task(self._start())
        assert self._started is not None
        await asyncio.shield(self._started)

    async def _start(self) -> None:
        await self.transport.start()
        try:
            self._direct = await self.transport.subscribe(self._worker_topic(self.worker_id), self._on_direct)
        except ChannelLayerUnavailable:
            self._direct = None  # subscribed on reconnect (`_register_everything`)
        assert self._loop is not None
        self._heartbeat = self._loop.create_task(self._beat(), name="nexios-channels-heartbeat")
        self._deliverer = self._loop.create_task(self._deliver_received(), name="nexios-channels-delivery")

    def _forget_previous_loop(self) -> None:
        # The previous event loop (a test client's) has finished: its connections are gone.
        self._local.clear()
        self._subscriptions.clear()
        self._direct = None
        self._heartbeat = self._deliverer = None
        self._scripts = None

    async def aclose(self) -> None:
        """Leave every group (members stop counting at once) and close the connections."""
        if self._loop is not None and self._loop is not asyncio.get_running_loop():
            self._forget_previous_loop()
        tasks = [task for task in (self._heartbeat, self._deliverer) if task is not None]
        self._heartbeat = self._deliverer = None
        for task in tasks:
            task.cancel()
        for task in tasks:
            try:
                await task
            except BaseException:  # noqa: BLE001 - cancelled on purpose
                pass
        if self._loop is asyncio.get_running_loop():
            await self.flush()
        await self.transport.aclose()
        self._direct = None
        self._loop = self._started = None
        self._scripts = None

    async def _ensure_started(self) -> None:
        started = self._started
        if started is None or self._loop is not asyncio.get_running_loop() or not started.done():
            await self.start()

    # ---------------------------------------------------------------- membership
    async def group_add(self, group: str, channel: Channel) -> None:
        """Add ``channel`` to ``group``. Raises :class:`ChannelLayerUnavailable` (and adds
        nothing) when Redis is unreachable."""
        check_group_name(group)
        await self._ensure_started()
        async with self._lock_for(group):
            if group not in self._subscriptions:
                self._subscriptions[group] = await self.transport.subscribe(
                    self._group_topic(group), functools.partial(self._on_group_message, group)
                )
            self._local.add(group, channel)
        try:
            await self._refresh([(group, channel.id)])
        except ChannelLayerUnavailable:
            await self._forget(group, channel.id, remote=False)
            raise

    async def group_discard(self, group: str, channel: Channel) -> None:
        """Remove ``channel`` from ``group``. Never raises for Redis: a member Redis could not be
        told about stops counting when its entry expires."""
        await self._forget(group, channel.id, remote=True)

    async def _forget(self, group: str, channel_id: str, *, remote: bool) -> None:
        if self._loop is not asyncio.get_running_loop():
            return  # nothing was added in this event loop
        async with self._lock_for(group):
            if channel_id not in self._local.members.get(group, {}):
                return
            if self._local.discard(group, channel_id):
                subscription = self._subscriptions.pop(group, None)
                if subscription is not None:
                    await subscription.unsubscribe()
        if remote:
            await self._unregister([(group, channel_id)])

    async def _refresh(self, pairs: Sequence[tuple[str, str]]) -> None:
        refresh = self._scripts_for_client()[1]
        ttl_ms = str(int(self.membership_ttl * 1000))
        for start in range(0, len(pairs), _REFRESH_BATCH):
            batch = pairs[start:start + _REFRESH_BATCH]
            keys: list[str] = []
            for group, channel_id in batch:
                keys += [self._group_key(group), self._channel_key(channel_id)]
            await self.transport.call(refresh(keys=keys, args=[ttl_ms, self.worker_id, *(c for _, c in batch)]))

    async def _unregister(self, pairs: Sequence[tuple[str, str]]) -> None:
        if not pairs or not self.transport.available:
            return
        pipeline = self.transport.client.pipeline(transaction=False)
        for group, channel_id in pairs:
            pipeline.zrem(self._group_key(group), channel_id)
            if channel_id not in self._local.by_id:  # in no other group of this worker
                pipeline.delete(self._channel_key(channel_id))
        try:
            await self.transport.call(pipeline.execute())
        except ChannelLayerUnavailable:
            logger.debug("Could not unregister %d member(s); their entries will expire", len(pairs))

    def _scripts_for_client(self) -> tuple[Any, Any, Any]:
        client = self.transport.client
        if self._scripts is None or self._scripts[0] is not client:
            self._scripts = (client, client.register_script(_REFRESH_SCRIPT), client.register_script(_COUNT_SCRIPT))
        return self._scripts

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.membership_ttl / 3)
            try:
                await self._register_everything()
            except ChannelLayerUnavailable:
                pass  # the transport logs the outage, and re-registers everyone when it ends
            except Exception:
                logger.exception("The channel layer heartbeat failed")

    async def _register_everything(self) -> None:
        if self._direct is None:
            self._direct = await self.transport.subscribe(self._worker_topic(self.worker_id), self._on_direct)
        await self._refresh(self._all_pairs())

    def _all_pairs(self) -> list[tuple[str, str]]:
        return [(group, channel_id) for group, members in self._local.members.items() for channel_id in members]

    # ---------------------------------------------------------------- sending
    def _encode(self, payload: Any) -> bytes:
        if isinstance(payload, (bytes, bytearray, memoryview)):
            body = bytes(payload)
            kind = _BYTES
        else:
            body = jsoncodec.dumps(payload)  # a TypeError here is the sender's to see
            kind = _JSON
        if len(body) > self.max_message_size:
            raise ChannelMessageTooLarge(
                f"A channel message is limited to {self.max_message_size} bytes, this one has {len(body)}"
            )
        return kind + body

    async def group_send(self, group: str, payload: Any) -> int:
        """Publish ``payload`` to ``group``; returns how many worker processes have members of
        it (0: nobody is in the group). Raises :class:`ChannelLayerUnavailable` when Redis is
        unreachable and :class:`ChannelMessageTooLarge` for an oversized message."""
        check_group_name(group)
        message = self._encode(payload)
        await self._ensure_started()
        return await self.transport.publish(self._group_topic(group), message)

    async def send(self, channel_id: str, payload: Any) -> bool:
        """Send ``payload`` to the channel ``channel_id`` on whichever worker it is connected."""
        message = self._encode(payload)
        if not isinstance(channel_id, str):
            return False  # not an id this layer hands out (it may come from a client's JSON)
        local = self._local.by_id.get(channel_id)
        if local is not None and self._loop is asyncio.get_running_loop():
            return await self._deliver_here([local], payload) == 1
        if _CHANNEL_ID.fullmatch(channel_id) is None:
            return False  # not an id this layer hands out (it may come from a client)
        await self._ensure_started()
        worker = await self.transport.call(self.transport.client.get(self._channel_key(channel_id)))
        if worker is None:
            return False
        topic = self._worker_topic(worker.decode("ascii", "replace"))
        return await self.transport.publish(topic, _DIRECT + channel_id.encode("ascii") + message) > 0

    # ---------------------------------------------------------------- receiving
    def _decode(self, data: bytes) -> Any:
        kind, body = data[:1], data[1:]
        if len(body) > self.max_message_size:
            raise ValueError(f"an oversized message ({len(body)} bytes)")
        if kind == _BYTES:
            return bytes(body)
        if kind == _JSON:
            return jsoncodec.loads(body)
        raise ValueError(f"an unknown message kind {kind!r}")

    # The transport's listener calls these: they only queue the message, so the listener is
    # always free to read (subscription confirmations, pings) while slow connections are served.
    async def _on_group_message(self, group: str, data: bytes) -> None:
        self._receive(group, data)

    async def _on_direct(self, data: bytes) -> None:
        self._receive(None, data)

    def _receive(self, group: str | None, data: bytes) -> None:
        assert self._inbox is not None
        try:
            self._inbox.put_nowait((group, data))
        except asyncio.QueueFull:
            logger.warning("Dropped a channel message: %d received messages are still being delivered", _INBOX_SIZE)

    async def _deliver_received(self) -> None:
        # One message at a time: members get a group's messages in the order they were published.
        assert self._inbox is not None
        while True:
            group, data = await self._inbox.get()
            try:
                await self._deliver_message(group, data)
            except Exception:
                logger.exception("Delivering a channel message failed")

    async def _deliver_message(self, group: str | None, data: bytes) -> None:
        if group is None:  # addressed to one channel: b"d" + its id + the message
            channel = self._local.by_id.get(data[1:33].decode("ascii", "replace"))
            members = [channel] if channel is not None and data[:1] == _DIRECT else []
            data = data[33:]
        else:
            members = list(self._local.members.get(group, {}).values())
        if not members:
            return
        try:
            payload = self._decode(data)
        except Exception as exc:  # a foreign publisher on our prefix: ignore, loudly
            logger.warning("Ignored a channel message: %s", exc)
            return
        await self._deliver_here(members, payload)

    async def _deliver_here(self, members: list[Channel], payload: Any) -> int:
        outcome = await deliver(members, payload, self.send_timeout)
        for channel in outcome.dead:
            for group in self._local.groups_of(channel.id):
                await self._forget(group, channel.id, remote=True)
        if outcome.error is not None:
            # The sender may be another worker: it cannot be told, so say it here.
            logger.warning("A channel message could not be framed for some members: %s", outcome.error)
        return outcome.delivered

    # ---------------------------------------------------------------- reading
    async def channels(self, group: str) -> list[Channel]:
        """The members of ``group`` connected to this worker."""
        return list(self._local.members.get(group, {}).values())

    async def groups(self) -> list[str]:
        """The groups with members connected to this worker."""
        return list(self._local.members)

    async def member_count(self, group: str) -> int:
        """Live members of ``group`` on every worker (Redis's view: a member added or removed
        while Redis was unreachable is counted once the layer could tell it)."""
        check_group_name(group)
        await self._ensure_started()
        count = self._scripts_for_client()[2]
        return int(await self.transport.call(count(keys=[self._group_key(group)], args=[])))

    async def flush(self) -> None:
        """Remove this worker's members from every group."""
        pairs = self._all_pairs()
        subscriptions = list(self._subscriptions.values())
        self._subscriptions.clear()
        self._local.clear()
        for subscription in subscriptions:
            await subscription.unsubscribe()
        await self._unregister(pairs)


__all__ = ["DEFAULT_CHANNELS_PREFIX", "DEFAULT_MAX_MESSAGE_SIZE", "DEFAULT_MEMBERSHIP_TTL", "RedisChannelLayer"]
