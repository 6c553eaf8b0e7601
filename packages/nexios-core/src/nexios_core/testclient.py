"""Test clients that call an ASGI app in-process, without a server or a socket.

:class:`TestClient` is a synchronous ``httpx.Client``: the app runs in an event loop on a
background thread (an anyio blocking portal) and its response is handed over through a queue, so a
streaming response or server-sent events can be read piece by piece with ``client.stream(...)``.
``with TestClient(app) as client:`` drives the app's lifespan through ASGI lifespan messages, so
a failing start-up raises in the test. ``client.websocket_connect(path)`` opens a WebSocket session.

:class:`AsyncTestClient` is the ``httpx.AsyncClient`` counterpart that runs the app in the test's
own event loop.

Needs httpx (``pip install nexios-core[testclient]``).
"""

from __future__ import annotations

import base64
import contextlib
import os
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from types import TracebackType
from typing import Any

import anyio
import anyio.abc
import anyio.to_thread

try:
    import httpx
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("The Nexios test client needs httpx: pip install nexios-core[testclient]") from exc
from anyio.from_thread import BlockingPortal, start_blocking_portal

from ._testclient_exchange import (
    CLIENT_ADDRESS,
    GRACE_PERIOD,
    LifespanFailed,
    WebSocketDenied,
    _build_scope,
    _error_response,
    _HeaderTypes,
    _HTTPExchange,
    _LifespanDriver,
    _start_response,
)
from ._testclient_websocket import WebSocketTestSession
from .types import ASGIApp


def _client_headers(headers: _HeaderTypes | None) -> httpx.Headers:
    """The headers every test request carries: ``User-Agent: testclient`` unless overridden."""
    default_headers = httpx.Headers({"user-agent": "testclient"})
    if headers is not None:
        default_headers.update(headers)
    return default_headers


class _SyncResponseStream(httpx.SyncByteStream):
    def __init__(self, client: TestClient, portal: BlockingPortal, exchange: _HTTPExchange,
                 release: contextlib.ExitStack) -> None:
        self._client = client
        self._portal = portal
        self._exchange = exchange
        self._release = release
        self._closed = False
        client._open_streams.add(self)

    def __iter__(self) -> Iterator[bytes]:
        while True:
            chunk = self._portal.call(self._exchange.next_body)
            if chunk is None:
                return
            yield chunk

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._client._open_streams.discard(self)
        try:
            error = self._portal.call(self._exchange.finish, not self._exchange.body_complete)
        finally:
            self._release.close()
        if error is not None and self._client.raise_server_exceptions:
            raise error


class _SyncTransport(httpx.BaseTransport):
    def __init__(self, client: TestClient) -> None:
        self._client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        client = self._client
        scope = _build_scope(request, "http", client.root_path, client.lifespan_state)
        stream = request.stream
        body: bytes | Iterable[bytes]
        if isinstance(stream, httpx.ByteStream):
            body = b"".join(stream)
        elif isinstance(stream, httpx.SyncByteStream):
            body = stream
        else:
            raise TypeError("TestClient needs a synchronous request body")
        release = contextlib.ExitStack()
        portal = release.enter_context(client._portal())
        exchange: _HTTPExchange | None = None
        try:
            exchange = portal.call(_HTTPExchange, client.app, scope, body)
            portal.start_task_soon(exchange.serve)
            start = portal.call(exchange.response_start)
        except BaseException:  # e.g. KeyboardInterrupt while waiting: do not leave the app running
            try:
                if exchange is not None:
                    portal.call(exchange.finish, True)
            finally:
                release.close()
            raise
        if start is None:
            try:
                error = portal.call(exchange.finish, False)
            finally:
                release.close()
            if error is not None and client.raise_server_exceptions:
                raise error
            return _error_response()
        return _start_response(start, _SyncResponseStream(client, portal, exchange, release))

    def close(self) -> None:
        # Responses and WebSockets the test left open would otherwise keep their app running
        # (and keep the lifespan's event loop from stopping). Close them all, then report.
        errors: list[Exception] = []
        resources: list[_SyncResponseStream | WebSocketTestSession] = [
            *self._client._open_streams, *self._client._open_sessions
        ]
        for resource in resources:
            try:
                resource.close()
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise errors[0]


class TestClient(httpx.Client):
    """A synchronous httpx client that calls ``app`` in-process.

    ``raise_server_exceptions`` re-raises in the test what the app raised (otherwise the test sees
    a 500). Use it as a context manager to run the app's lifespan; ``websocket_connect`` opens a
    WebSocket session.
    """

    __test__ = False  # not a pytest test class, despite the name

    def __init__(
        self,
        app: ASGIApp,
        base_url: str = "http://testserver",
        raise_server_exceptions: bool = True,
        root_path: str = "",
        headers: _HeaderTypes | None = None,
        cookies: httpx.Cookies | dict[str, str] | None = None,
        follow_redirects: bool = True,
        backend: str = "asyncio",
    ) -> None:
        self.app = app
        self.raise_server_exceptions = raise_server_exceptions
        self.root_path = root_path
        self.lifespan_state: dict[str, Any] = {}
        self._backend = backend
        self._shared_portal: BlockingPortal | None = None
        self._lifespan_stack: contextlib.ExitStack | None = None
        self._open_streams: set[_SyncResponseStream] = set()
        self._open_sessions: set[WebSocketTestSession] = set()
        super().__init__(
            base_url=base_url,
            headers=_client_headers(headers),
            cookies=cookies,
            follow_redirects=follow_redirects,
            transport=_SyncTransport(self),
        )

    @contextlib.contextmanager
    def _portal(self) -> Iterator[BlockingPortal]:
        """The lifespan's event loop inside ``with``; otherwise a loop for this one use."""
        if self._shared_portal is not None:
            yield self._shared_portal
        else:
            with start_blocking_portal(self._backend) as portal:
                yield portal

    def __enter__(self) -> TestClient:
        stack = contextlib.ExitStack()
        portal = stack.enter_context(start_blocking_portal(self._backend))
        driver = portal.call(_LifespanDriver, self.app, self.lifespan_state)
        stack.callback(portal.call, driver.stop)
        portal.start_task_soon(driver.serve)
        try:
            portal.call(driver.startup)
        except BaseException:
            stack.close()
            raise
        stack.callback(portal.call, driver.shutdown)
        self._shared_portal = portal
        self._lifespan_stack = stack
        try:
            super().__enter__()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        try:
            super().__exit__(exc_type, exc_value, traceback)
        finally:
            stack, self._lifespan_stack = self._lifespan_stack, None
            try:
                if stack is not None:
                    stack.close()  # shutdown, then stop the lifespan task, then the loop
            finally:
                self._shared_portal = None

    def websocket_connect(
        self,
        url: str,
        subprotocols: Sequence[str] | None = None,
        headers: _HeaderTypes | None = None,
    ) -> WebSocketTestSession:
        """Open a WebSocket to ``url`` and complete the handshake.

        Raises :class:`WebSocketDenied` if the app closes (or answers HTTP) instead of accepting.
        Use the session as a context manager so it is closed at the end.
        """
        request = self.build_request("GET", url, headers=headers)
        request.headers["connection"] = "upgrade"
        request.headers["upgrade"] = "websocket"
        request.headers["sec-websocket-version"] = "13"
        request.headers["sec-websocket-key"] = base64.b64encode(os.urandom(16)).decode("ascii")
        if subprotocols:
            request.headers["sec-websocket-protocol"] = ", ".join(subprotocols)
        scope = _build_scope(request, "websocket", self.root_path, self.lifespan_state)
        scope["subprotocols"] = list(subprotocols or ())
        return WebSocketTestSession(self, scope, portal=self._portal(), open_sessions=self._open_sessions)


# -------------------------------------------------------------------- WebSocket sessions
class _AsyncResponseStream(httpx.AsyncByteStream):
    def __init__(self, client: AsyncTestClient, exchange: _HTTPExchange) -> None:
        self._client = client
        self._exchange = exchange
        self._closed = False
        client._open_streams.add(self)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            chunk = await self._exchange.next_body()
            if chunk is None:
                return
            yield chunk

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._client._open_streams.discard(self)
        error = await self._exchange.finish(not self._exchange.body_complete)
        if error is not None and self._client.raise_server_exceptions:
            raise error


class _AsyncTransport(httpx.AsyncBaseTransport):
    def __init__(self, client: AsyncTestClient) -> None:
        self._client = client

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        client = self._client
        scope = _build_scope(request, "http", client.root_path, client.lifespan_state)
        stream = request.stream
        body: bytes | AsyncIterator[bytes]
        if isinstance(stream, httpx.ByteStream):
            body = b"".join(stream)
        elif isinstance(stream, httpx.AsyncByteStream):
            body = stream.__aiter__()
        else:
            raise TypeError("AsyncTestClient needs an asynchronous request body")
        exchange = _HTTPExchange(client.app, scope, body)
        task_group = client._task_group
        if task_group is None:
            return await self._buffered(exchange)
        task_group.start_soon(exchange.serve)
        start = await exchange.response_start()
        if start is None:
            return await self._no_response(exchange)
        return _start_response(start, _AsyncResponseStream(client, exchange))

    async def _buffered(self, exchange: _HTTPExchange) -> httpx.Response:
        # Outside `async with` there is no task group that outlives this call, so the app runs to
        # completion here and the body is collected before returning.
        chunks: list[bytes] = []
        async with anyio.create_task_group() as task_group:
            task_group.start_soon(exchange.serve)
            start = await exchange.response_start()
            if start is not None:
                while (chunk := await exchange.next_body()) is not None:
                    chunks.append(chunk)
            error = await exchange.finish(False)
        if error is not None and self._client.raise_server_exceptions:
            raise error
        if start is None:
            return _error_response()
        return _start_response(start, httpx.ByteStream(b"".join(chunks)))

    async def _no_response(self, exchange: _HTTPExchange) -> httpx.Response:
        error = await exchange.finish(False)
        if error is not None and self._client.raise_server_exceptions:
            raise error
        return _error_response()

    async def aclose(self) -> None:
        for stream in list(self._client._open_streams):
            await stream.aclose()


class AsyncTestClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` that calls ``app`` in the test's own event loop.

    ``async with AsyncTestClient(app) as client:`` runs the lifespan and lets responses stream
    incrementally (``client.stream(...)``); without ``async with`` each request runs the app to
    completion before returning, so an endless stream would never return.
    """

    __test__ = False

    def __init__(
        self,
        app: ASGIApp,
        base_url: str = "http://testserver",
        raise_server_exceptions: bool = True,
        root_path: str = "",
        headers: _HeaderTypes | None = None,
        cookies: httpx.Cookies | dict[str, str] | None = None,
        follow_redirects: bool = True,
    ) -> None:
        self.app = app
        self.raise_server_exceptions = raise_server_exceptions
        self.root_path = root_path
        self.lifespan_state: dict[str, Any] = {}
        self._task_group: anyio.abc.TaskGroup | None = None
        self._lifespan_stack: contextlib.AsyncExitStack | None = None
        self._open_streams: set[_AsyncResponseStream] = set()
        super().__init__(
            base_url=base_url,
            headers=_client_headers(headers),
            cookies=cookies,
            follow_redirects=follow_redirects,
            transport=_AsyncTransport(self),
        )

    async def __aenter__(self) -> AsyncTestClient:
        stack = contextlib.AsyncExitStack()
        task_group = await stack.enter_async_context(anyio.create_task_group())
        driver = _LifespanDriver(self.app, self.lifespan_state)
        stack.push_async_callback(driver.stop)
        task_group.start_soon(driver.serve)
        try:
            await driver.startup()
        except BaseException:
            await stack.aclose()
            raise
        stack.push_async_callback(driver.shutdown)
        self._task_group = task_group
        self._lifespan_stack = stack
        await super().__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        try:
            await super().__aexit__(exc_type, exc_value, traceback)
        finally:
            stack, self._lifespan_stack = self._lifespan_stack, None
            self._task_group = None
            if stack is not None:
                await stack.aclose()


__all__ = [
    "CLIENT_ADDRESS",
    "GRACE_PERIOD",
    "AsyncTestClient",
    "LifespanFailed",
    "TestClient",
    "WebSocketDenied",
    "WebSocketTestSession",
]
