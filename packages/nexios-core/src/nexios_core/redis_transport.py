"""Publish/subscribe over Redis, for apps served by several worker processes.

:class:`RedisTransport` is the :class:`~nexios_core.channels.Transport` the Redis channel layer is
built on, and the seam other features fan out through: ``await transport.publish(topic, data)``
reaches the handlers every worker registered with ``await transport.subscribe(topic, handler)``.

One connection per process listens (Redis pub/sub); commands use a small pool. Every operation
has a bounded timeout and fails with :class:`~nexios_core.channels.ChannelLayerUnavailable`;
while the listener knows Redis is down, operations fail at once instead of waiting. The listener
reconnects by itself with exponential backoff, subscribes again to every topic, logs the outage
and the recovery, and then runs the ``on_reconnect`` callbacks (the channel layer registers its
members again: a Redis that restarted has forgotten them). Messages published while a worker was
disconnected are not replayed: pub/sub delivers at most once.

Needs the ``redis`` package: ``pip install 'nexios-core[redis]'``.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

try:
    import redis.asyncio as aioredis
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff
    from redis.exceptions import RedisError
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("The Redis channel layer needs the redis package: pip install 'nexios-core[redis]'") from exc

from .channels import ChannelLayerUnavailable, MessageHandler, Subscription
from .exceptions import ImproperlyConfigured

logger = logging.getLogger("nexios.channels.redis")

DEFAULT_PREFIX = "nexios:"
DEFAULT_OPERATION_TIMEOUT = 2.0
"""Seconds any one Redis operation may take before it counts as failed."""
DEFAULT_RECONNECT_DELAY = (0.1, 5.0)
"""The first and the longest wait between reconnection attempts (doubling, with jitter)."""
DEFAULT_PING_INTERVAL = 5.0
"""Seconds of silence after which the listener checks its connection is still alive."""

_CONNECTION_ERRORS = (RedisError, OSError, asyncio.TimeoutError)
_POLL = 1.0  # seconds one read waits for a message before the listener looks around
_RESERVED = "nexios.transport."


class RedisTransport:
    """Topics on Redis pub/sub, shared by every worker that uses the same Redis and ``prefix``.

    Give ``url`` (``redis://host:6379/0``; other keyword arguments go to
    ``redis.asyncio.from_url``) or ``client`` (a ``redis.asyncio.Redis`` you own and close).
    ``operation_timeout`` bounds every operation; ``reconnect_delay`` is ``(first, longest)``.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        client: aioredis.Redis | None = None,
        prefix: str = DEFAULT_PREFIX,
        operation_timeout: float = DEFAULT_OPERATION_TIMEOUT,
        reconnect_delay: tuple[float, float] = DEFAULT_RECONNECT_DELAY,
        ping_interval: float = DEFAULT_PING_INTERVAL,
        **client_options: Any,
    ) -> None:
        if (url is None) == (client is None):
            raise ImproperlyConfigured(
                "RedisTransport needs exactly one of url='redis://...' or client=redis.asyncio.Redis(...)"
            )
        if client is not None and client_options:
            raise ImproperlyConfigured("Client options apply only when RedisTransport builds the client from url")
        if operation_timeout <= 0 or reconnect_delay[0] <= 0 or reconnect_delay[1] < reconnect_delay[0]:
            raise ImproperlyConfigured("operation_timeout and reconnect_delay=(first, longest) must be positive")
        self.url = url
        self.prefix = prefix
        self.operation_timeout = operation_timeout
        self.reconnect_delay = reconnect_delay
        self.ping_interval = ping_interval
        self.on_reconnect: list[Callable[[], Awaitable[None]]] = []
        """Awaited (in a task of their own) each time the listener connects again after an outage."""
        self._client = client
        self._owns_client = client is None
        self._client_options = client_options
        self._handlers: dict[bytes, list[MessageHandler]] = {}
        self._confirmed: dict[bytes, asyncio.Event] = {}
        self._own_channel = (prefix + _RESERVED + uuid.uuid4().hex).encode()
        self._pubsub: Any = None
        self._listener: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._connected: asyncio.Event | None = None
        self._available = False
        self._down_since: float | None = None
        self._background: set[asyncio.Task[Any]] = set()

    # ---------------------------------------------------------------- state
    @property
    def available(self) -> bool:
        """Whether the listener is connected to Redis right now."""
        return self._available

    @property
    def client(self) -> aioredis.Redis:
        """The Redis client for commands (built from ``url`` on first use)."""
        if self._client is None:
            assert self.url is not None
            options: dict[str, Any] = {
                "socket_timeout": self.operation_timeout,
                "socket_connect_timeout": self.operation_timeout,
                "socket_keepalive": True,
                # One immediate retry, for a pooled connection that died with a restarted Redis;
                # beyond that, failing fast is the point: the listener retries, with backoff.
                "retry": Retry(NoBackoff(), 1),
                **self._client_options,
            }
            self._client = aioredis.from_url(self.url, **options)
        return self._client

    def key(self, name: str) -> str:
        """``prefix + name``: where a feature built on this transport keeps its own keys."""
        return self.prefix + name

    def unavailable(self, cause: BaseException | None = None) -> ChannelLayerUnavailable:
        """The error an operation raises while Redis cannot be reached."""
        where = self.url or "the configured client"
        detail = f"Redis ({where}) is unreachable" + (f": {type(cause).__name__}: {cause}" if cause else "")
        return ChannelLayerUnavailable(detail)

    async def call(self, operation: Awaitable[Any]) -> Any:
        """Await one Redis command with the operation timeout; failures become
        :class:`ChannelLayerUnavailable`. Fails at once while the listener knows Redis is down."""
        if not self._available:
            if asyncio.iscoroutine(operation):
                operation.close()
            raise self.unavailable()
        try:
            return await asyncio.wait_for(operation, self.operation_timeout)
        except _CONNECTION_ERRORS as exc:
            raise self.unavailable(exc) from exc

    # ---------------------------------------------------------------- life
    async def start(self) -> None:
        """Start the listener (idempotent) and wait up to ``operation_timeout`` for it to
        connect; a Redis that is down is logged, not raised: the listener keeps trying."""
        loop = asyncio.get_running_loop()
        if self._listener is not None and self._loop is loop and not self._listener.done():
            return
        if self._loop is not None and self._loop is not loop:
            self._forget_previous_loop()
        self._loop = loop
        self._connected = asyncio.Event()
        self._listener = loop.create_task(self._listen(), name="nexios-redis-transport")
        try:
            await asyncio.wait_for(self._connected.wait(), self.operation_timeout)
        except asyncio.TimeoutError:
            logger.warning("Redis (%s) is not reachable yet; the channel layer keeps trying in the background",
                           self.url or "client")

    def _forget_previous_loop(self) -> None:
        # The app was served by an event loop that has finished (a test client's): its tasks and
        # connections died with it. Start afresh on this one.
        self._listener = None
        self._pubsub = None
        self._available = False
        self._background.clear()
        if self._owns_client:
            self._client = None
        # Whoever subscribed did so for connections that are gone too (the layer forgets them).
        self._handlers.clear()
        self._confirmed.clear()

    async def aclose(self) -> None:
        """Stop listening and close the connections (a client passed in stays open)."""
        if self._loop is not None and self._loop is not asyncio.get_running_loop():
            self._forget_previous_loop()  # nothing of a finished event loop can be awaited here
        listener, self._listener = self._listener, None
        tasks = [t for t in (listener, *self._background) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            try:
                await task
            except BaseException:  # noqa: BLE001 - cancelled on purpose; errors were logged
                pass
        self._background.clear()
        self._available = False
        await self._drop_pubsub()
        if self._owns_client and self._client is not None:
            client, self._client = self._client, None
            try:
                await asyncio.wait_for(client.aclose(), self.operation_timeout)
            except _CONNECTION_ERRORS:
                pass
        self._handlers.clear()
        self._confirmed.clear()
        self._loop = None

    async def _ensure_started(self) -> None:
        if self._listener is None or self._loop is not asyncio.get_running_loop():
            await self.start()

    # ---------------------------------------------------------------- the Transport seam
    async def publish(self, topic: str, message: bytes) -> int:
        """Publish ``message`` on ``topic``; returns how many processes are subscribed to it."""
        await self._ensure_started()
        return int(await self.call(self.client.publish(self.prefix + topic, message)))

    async def subscribe(self, topic: str, handler: MessageHandler) -> Subscription:
        """Call ``handler(message)`` for each message on ``topic``; active when this returns.
        Raises :class:`ChannelLayerUnavailable` (and subscribes nothing) when Redis is down."""
        await self._ensure_started()
        name = (self.prefix + topic).encode()
        handlers = self._handlers.get(name)
        first = handlers is None
        if handlers is None:
            handlers = self._handlers[name] = []
            self._confirmed[name] = asyncio.Event()
        handlers.append(handler)
        try:
            if not self._available:
                raise self.unavailable()
            if first:
                await self.call(self._pubsub.subscribe(name))
            # The listener reads the confirmation: a message published after this returns is ours.
            await asyncio.wait_for(self._confirmed[name].wait(), self.operation_timeout)
        except (ChannelLayerUnavailable, asyncio.TimeoutError) as exc:
            self._remove_handler(name, handler)
            raise exc if isinstance(exc, ChannelLayerUnavailable) else self.unavailable(exc) from exc
        return _RedisSubscription(self, name, handler)

    def _remove_handler(self, name: bytes, handler: MessageHandler) -> bool:
        """Forget ``handler``; returns whether the topic has no handler left."""
        handlers = self._handlers.get(name)
        if handlers is None:
            return False
        if handler in handlers:
            handlers.remove(handler)
        if handlers:
            return False
        del self._handlers[name]
        self._confirmed.pop(name, None)
        return True

    async def _unsubscribe(self, name: bytes, handler: MessageHandler) -> None:
        if self._remove_handler(name, handler) and self._available and self._pubsub is not None:
            try:  # best effort: after an outage the topic is simply not subscribed again
                await asyncio.wait_for(self._pubsub.unsubscribe(name), self.operation_timeout)
            except _CONNECTION_ERRORS:
                pass

    # ---------------------------------------------------------------- the listener
    async def _listen(self) -> None:
        # Runs until cancelled by `aclose`: whatever goes wrong, it reconnects (a crash here
        # would silently end cross-worker delivery for the life of the worker).
        delay = self.reconnect_delay[0]
        while True:
            try:
                await self._connect()
            except Exception as exc:
                self._lost(exc)
                await asyncio.sleep(delay * random.uniform(0.8, 1.2))
                delay = min(delay * 2, self.reconnect_delay[1])
                continue
            delay = self.reconnect_delay[0]
            try:
                await self._read()
            except Exception as exc:
                self._lost(exc)
                await asyncio.sleep(delay)

    async def _connect(self) -> None:
        await self._drop_pubsub()
        pubsub = self.client.pubsub()
        self._pubsub = pubsub
        for event in self._confirmed.values():
            event.clear()
        # Always subscribed to one private channel: the connection is then a subscriber even
        # with no topic yet, which keeps reads and pings uniform.
        await asyncio.wait_for(pubsub.subscribe(self._own_channel, *self._handlers), self.operation_timeout)
        was_down = self._down_since
        self._available = True
        self._down_since = None
        assert self._connected is not None
        self._connected.set()
        if was_down is not None:
            logger.warning("Redis (%s) is reachable again after %.1fs; subscriptions restored",
                           self.url or "client", time.monotonic() - was_down)
            for callback in self.on_reconnect:
                self._in_background(callback())

    def _lost(self, exc: BaseException) -> None:
        if not isinstance(exc, _CONNECTION_ERRORS):
            logger.error("Unexpected error in the Redis listener; reconnecting", exc_info=exc)
        if self._down_since is None:
            self._down_since = time.monotonic()
            logger.warning("Redis (%s) connection lost (%s: %s); reconnecting with backoff",
                           self.url or "client", type(exc).__name__, exc)
        else:
            logger.debug("Redis still unreachable: %s", exc)
        self._available = False

    async def _read(self) -> None:
        pubsub = self._pubsub
        quiet_since = time.monotonic()
        ping_sent: float | None = None
        while True:
            message = await pubsub.get_message(timeout=_POLL)
            now = time.monotonic()
            if message is None:
                if ping_sent is not None and now - ping_sent > self.operation_timeout:
                    raise asyncio.TimeoutError("Redis did not answer a ping on the pub/sub connection")
                if ping_sent is None and now - quiet_since >= self.ping_interval:
                    await asyncio.wait_for(pubsub.ping(), self.operation_timeout)
                    ping_sent = now
                continue
            quiet_since, ping_sent = now, None
            kind = message["type"]
            if kind == "message":
                await self._dispatch(message["channel"], message["data"])
            elif kind == "subscribe":
                event = self._confirmed.get(message["channel"])
                if event is not None:
                    event.set()

    async def _dispatch(self, name: bytes, data: bytes) -> None:
        for handler in list(self._handlers.get(name, ())):
            try:
                await handler(data)
            except Exception:
                logger.exception("A handler of Redis topic %r failed", name.decode(errors="replace"))

    async def _drop_pubsub(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            try:
                await asyncio.wait_for(pubsub.aclose(), self.operation_timeout)
            except _CONNECTION_ERRORS:
                pass

    def _in_background(self, work: Awaitable[Any]) -> None:
        async def run() -> None:
            try:
                await work
            except ChannelLayerUnavailable as exc:  # Redis went away again: retried later
                logger.warning("A Redis reconnect callback could not finish: %s", exc.detail)
            except Exception:
                logger.exception("A Redis reconnect callback failed")

        task = asyncio.get_running_loop().create_task(run())
        self._background.add(task)
        task.add_done_callback(self._background.discard)


class _RedisSubscription:
    __slots__ = ("transport", "name", "handler")

    def __init__(self, transport: RedisTransport, name: bytes, handler: MessageHandler) -> None:
        self.transport, self.name, self.handler = transport, name, handler

    async def unsubscribe(self) -> None:
        await self.transport._unsubscribe(self.name, self.handler)


__all__ = ["DEFAULT_OPERATION_TIMEOUT", "DEFAULT_PREFIX", "DEFAULT_RECONNECT_DELAY", "RedisTransport"]
