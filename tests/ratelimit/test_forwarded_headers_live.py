"""A per-address limit under real uvicorn, against clients that forge ``X-Forwarded-For``.

``by_client_ip()`` reads the address in the ASGI scope. uvicorn itself rewrites that address from
``X-Forwarded-For`` for connections that come from ``--forwarded-allow-ips`` (127.0.0.1 unless
told otherwise), so what a forged header can do depends on where the connection comes from: from
any other address it changes nothing; from the trusted address it is believed, which is why
docs/rate-limiting.md says to run ``--no-proxy-headers`` when a same-host forwarder (a TCP proxy, a
tunnel) does not write the header itself. The clients here connect from 127.0.0.2 (an address of
the loopback network that uvicorn does not trust) and from 127.0.0.1.
"""

from __future__ import annotations

from typing import Any

import httpx

from nexios import get_application
from nexios.middleware import RateLimitMiddleware
from tests.support.live_server import live_server

UNTRUSTED_PEER = "127.0.0.2"


def limited_app() -> Any:
    app = get_application()
    app.add_middleware(RateLimitMiddleware(limit=2, window=3600))

    @app.get("/")
    async def home(request: Any, response: Any) -> Any:
        return {"client": request.client.host}

    return app


def statuses(base_url: str, local_address: str, forged: list[str]) -> list[tuple[int, str]]:
    transport = httpx.HTTPTransport(local_address=local_address)
    with httpx.Client(transport=transport, base_url=base_url, timeout=10) as client:
        answers = [client.get("/", headers={"X-Forwarded-For": value}) for value in forged]
    return [(a.status_code, a.json().get("client", "")) for a in answers]


def test_a_forged_forwarded_header_from_an_untrusted_peer_does_not_dodge_the_limit() -> None:
    forged = ["203.0.113.1", "203.0.113.2", "203.0.113.3, 198.51.100.4", "garbage", "::1"]
    with live_server(limited_app()) as server:  # uvicorn's defaults: proxy headers on, 127.0.0.1 trusted
        answers = statuses(server.base_url, UNTRUSTED_PEER, forged)
    assert [status for status, _ in answers] == [200, 200, 429, 429, 429]
    assert {client for _, client in answers[:2]} == {UNTRUSTED_PEER}


def test_without_uvicorn_proxy_headers_no_peer_can_choose_its_address() -> None:
    forged = [f"203.0.113.{n}" for n in range(1, 5)]
    with live_server(limited_app(), proxy_headers=False) as server:
        answers = statuses(server.base_url, "127.0.0.1", forged)
    assert [status for status, _ in answers] == [200, 200, 429, 429]
    assert {client for _, client in answers[:2]} == {"127.0.0.1"}


def test_uvicorn_believes_the_header_from_its_trusted_address_as_the_docs_warn() -> None:
    # What the docs warn about: with the defaults, a connection from 127.0.0.1 names its client.
    forged = [f"203.0.113.{n}" for n in range(1, 5)]
    with live_server(limited_app()) as server:
        answers = statuses(server.base_url, "127.0.0.1", forged)
    assert answers == [(200, value) for value in forged]
