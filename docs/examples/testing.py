"""Testing a Nexios app (docs/testing.md): an app, and the pytest tests that check it.

``tests/docs/test_testing_examples.py`` imports the ``test_*`` functions and the ``client`` fixture
below, so pytest runs them exactly as written here.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from nexios import Depend, get_application
from nexios.exceptions import NotFoundException
from nexios.http import Request, Response
from nexios.testclient import AsyncTestClient, TestClient
from nexios.websockets import WebSocket


# --- The app under test --------------------------------------------------------------------------
class PaymentGateway:
    """Talks to a real payment provider: never in tests."""

    async def charge(self, cents: int) -> str:
        raise ConnectionError("no network in tests")


async def get_gateway() -> AsyncIterator[PaymentGateway]:
    yield PaymentGateway()


@contextlib.asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[dict[str, Any]]:
    yield {"prices": {"coffee": 250}}


app = get_application(lifespan=lifespan)


@app.post("/buy/{product}")
async def buy(request: Request, response: Response, product: str,
              gateway: PaymentGateway = Depend(get_gateway)) -> Response:
    price = request.app.state.prices.get(product)
    if price is None:
        raise NotFoundException(detail=f"No product {product!r}")
    receipt = await gateway.charge(price)
    return response.status(201).json({"product": product, "receipt": receipt})


@app.get("/ping")
async def ping(request: Request, response: Response) -> dict[str, bool]:
    return {"pong": True}


@app.get("/broken")
async def broken(request: Request, response: Response) -> dict[str, Any]:
    raise RuntimeError("a bug")


@app.websocket("/ws/echo")
async def echo(ws: WebSocket) -> None:
    await ws.accept()
    async for text in ws.iter_text():
        await ws.send_text(text.upper())


# --- The tests -----------------------------------------------------------------------------------
class FakeGateway:
    async def charge(self, cents: int) -> str:
        return f"fake-receipt-{cents}"


@pytest.fixture
def client() -> Iterator[TestClient]:
    app.dependency_overrides[get_gateway] = FakeGateway
    with TestClient(app) as test_client:  # `with` runs start-up and shutdown
        yield test_client
    app.dependency_overrides.clear()


def test_ping() -> None:
    response = TestClient(app).get("/ping")  # no `with`: requests only, no lifespan
    assert response.status_code == 200
    assert response.json() == {"pong": True}


def test_buy_uses_the_fake_gateway(client: TestClient) -> None:
    response = client.post("/buy/coffee")
    assert response.status_code == 201
    assert response.json() == {"product": "coffee", "receipt": "fake-receipt-250"}


def test_a_crashing_handler_is_a_500(client: TestClient) -> None:
    response = client.get("/broken")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal Server Error",
                               "request_id": response.headers["x-request-id"]}


def test_websocket_echo(client: TestClient) -> None:
    with client.websocket_connect("/ws/echo") as ws:
        ws.send_text("hello")
        assert ws.receive_text() == "HELLO"


@pytest.mark.anyio
async def test_with_the_async_client() -> None:
    app.dependency_overrides[get_gateway] = FakeGateway
    try:
        async with AsyncTestClient(app) as client:
            response = await client.post("/buy/coffee")
    finally:
        app.dependency_overrides.clear()
    assert response.json()["receipt"] == "fake-receipt-250"
