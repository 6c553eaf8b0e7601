"""``nexios.testing``: upstream Nexios's ``Client``, an async HTTP client calling the app in the
test's own event loop, without running its lifespan (use ``nexios.testclient`` for that)."""

from __future__ import annotations

from types import TracebackType

from nexios_core.testclient import AsyncTestClient


class Client(AsyncTestClient):
    """``async with Client(app) as client: await client.get("/")``: an ``httpx.AsyncClient``
    whose requests go straight to ``app``. Unlike ``AsyncTestClient``, entering it does not run the
    app's start-up and shutdown (upstream's ``Client`` did not), so it also works for an app whose
    start-up needs services a test does not have."""

    __test__ = False

    async def __aenter__(self) -> Client:
        await super(AsyncTestClient, self).__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await super(AsyncTestClient, self).__aexit__(exc_type, exc_value, traceback)


__all__ = ["Client"]
