"""Streamed responses: a body sent chunk by chunk as it is produced, and server-sent events.

Separate from :mod:`.responses` because streaming brings its own machinery (a task watching for
the client leaving, sync producers run in a thread, SSE keep-alive pings) that the in-memory
responses on the hot path never need. The classes are still importable from ``responses``.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable, Mapping
from typing import Any

import anyio

from . import jsoncodec
from .background import BackgroundTask
from .concurrency import iterate_in_threadpool
from .responses import BaseResponse
from .types import Receive, Scope, Send

ContentStream = AsyncIterable[Any] | Iterable[Any]


class StreamingResponse(BaseResponse):
    """Send ``content`` chunk by chunk as it is produced; sync iterables run in a thread.

    If the client disconnects, the producer is cancelled (its ``finally`` blocks run).
    """

    __slots__ = ("content",)

    def __init__(
        self,
        content: ContentStream,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        super().__init__(None, status_code=status_code, headers=headers, media_type=media_type,
                         background=background)
        self.content = content

    async def _chunks(self) -> AsyncIterable[Any]:
        content = self.content
        if isinstance(content, AsyncIterable):
            async for chunk in content:
                yield chunk
        else:  # a blocking iterator: each `next()` runs in a worker thread
            async for chunk in iterate_in_threadpool(content):
                yield chunk

    async def _stream(self, send: Send, head_only: bool) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code,
             "headers": self._start_headers(None)}
        )
        if not head_only:
            async for chunk in self._chunks():
                if isinstance(chunk, str):
                    chunk = chunk.encode("utf-8")
                if chunk:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        head_only = scope.get("method") == "HEAD"
        disconnected = False
        async with anyio.create_task_group() as group:

            async def watch_disconnect() -> None:
                nonlocal disconnected
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        disconnected = True
                        group.cancel_scope.cancel()
                        return

            async def produce() -> None:
                try:
                    await self._stream(send, head_only)
                except OSError:
                    # The server's transport reports a closed connection this way.
                    pass
                group.cancel_scope.cancel()

            group.start_soon(watch_disconnect)
            group.start_soon(produce)
        if not disconnected and self.background is not None:
            await self.background()


class ServerSentEvent:
    """One server-sent event. ``data`` that is not a str is sent as JSON."""

    __slots__ = ("data", "event", "id", "retry", "comment")

    def __init__(
        self, data: Any = None, *, event: str | None = None, id: str | None = None,
        retry: int | None = None, comment: str | None = None,
    ) -> None:
        self.data = data
        self.event = event
        self.id = id
        self.retry = retry
        self.comment = comment

    def encode(self) -> bytes:
        """The event in the ``text/event-stream`` wire format."""
        lines: list[str] = []
        if self.comment is not None:
            lines.extend(f": {line}" for line in self.comment.splitlines() or [""])
        for field, value in (("event", self.event), ("id", self.id)):
            if value is not None:
                if "\n" in value or "\r" in value:
                    raise ValueError(f"SSE {field} must be a single line")
                lines.append(f"{field}: {value}")
        if self.retry is not None:
            lines.append(f"retry: {int(self.retry)}")
        if self.data is not None:
            data = self.data if isinstance(self.data, str) else jsoncodec.dumps(self.data).decode()
            lines.extend(f"data: {line}" for line in data.splitlines() or [""])
        return ("\n".join(lines) + "\n\n").encode("utf-8")


class EventSourceResponse(StreamingResponse):
    """Server-sent events. Items may be :class:`ServerSentEvent`, str (data) or dict (JSON data).

    A comment line is sent every ``ping_interval`` seconds while the producer is idle so that
    proxies keep the connection open; ``None`` disables it.
    """

    __slots__ = ("ping_interval",)

    def __init__(
        self,
        content: ContentStream,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        ping_interval: float | None = 15.0,
        background: BackgroundTask | None = None,
    ) -> None:
        super().__init__(content, status_code=status_code, headers=headers,
                         media_type="text/event-stream", background=background)
        self.ping_interval = ping_interval
        self.headers.setdefault("cache-control", "no-cache")
        self.headers.setdefault("x-accel-buffering", "no")

    async def _chunks(self) -> AsyncIterable[Any]:
        async for item in super()._chunks():
            yield item.encode() if isinstance(item, ServerSentEvent) else ServerSentEvent(item).encode()

    async def _stream(self, send: Send, head_only: bool) -> None:
        interval = self.ping_interval
        if head_only or interval is None:
            await super()._stream(send, head_only)
            return
        # Pings come from a separate task: cancelling the producer's pending ``__anext__`` to make
        # room for a ping would close the user's generator and end the stream early.
        await send(
            {"type": "http.response.start", "status": self.status_code,
             "headers": self._start_headers(None)}
        )
        lock = anyio.Lock()  # ASGI ``send`` must not be called from two tasks at once
        last_sent = anyio.current_time()

        async def ping() -> None:
            nonlocal last_sent
            while True:
                await anyio.sleep(max(0.0, last_sent + interval - anyio.current_time()))
                async with lock:
                    # Judged while holding the lock: an event sent while this task waited for
                    # it has just reset the clock, and a ping now would come after it for nothing.
                    if anyio.current_time() - last_sent >= interval:
                        await send({"type": "http.response.body", "body": b": ping\n\n",
                                    "more_body": True})
                        last_sent = anyio.current_time()

        async with anyio.create_task_group() as group:
            group.start_soon(ping)
            async for chunk in self._chunks():
                async with lock:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                    last_sent = anyio.current_time()
            group.cancel_scope.cancel()
        await send({"type": "http.response.body", "body": b"", "more_body": False})


__all__ = ["ContentStream", "EventSourceResponse", "ServerSentEvent", "StreamingResponse"]
