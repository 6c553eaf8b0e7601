"""Upstream's static files guide and WebSocket consumer/channel guides (``apps/static_guide.py``,
``apps/consumers_guide.py``) run on the facade; static files stay inside their directories."""

from __future__ import annotations

from nexios.testclient import TestClient
from tests.compat.apps import consumers_guide, static_guide


def test_static_files_handler_routes_directories_and_registered_static_files() -> None:
    with TestClient(static_guide.app) as client:
        css = client.get("/static/css/style.css")
        assert css.status_code == 200 and css.text.strip() == "body { color: teal; }"
        assert css.headers["content-type"].startswith("text/css")
        assert client.get("/assets/css/style.css").status_code == 200  # first directory
        assert client.get("/assets/app.js").text.strip() == "console.log('assets');"  # second one
        assert client.get("/public/assets/app.js").status_code == 200
        for hostile in ("/static/../static_guide.py", "/static/%2e%2e/static_guide.py", "/static/.env",
                        "/assets/..%2f..%2fconftest.py", "/static/css/missing.css"):
            assert client.get(hostile).status_code == 404, hostile


def test_consumer_as_route_groups_and_broadcast() -> None:
    with TestClient(consumers_guide.app) as client:
        with client.websocket_connect("/chat") as ada, client.websocket_connect("/chat") as bob:
            hello = ada.receive_json()
            assert len(hello["channel"]) == 36 and hello["expires"] is None
            bob.receive_json()
            ada.send_json({"message": "hi all"})
            assert ada.receive_json() == {"message": "hi all"}
            assert bob.receive_json() == {"message": "hi all"}


def test_consumer_without_encoding_gets_messages_as_sent() -> None:
    with TestClient(consumers_guide.app) as client:
        with client.websocket_connect("/raw") as ws:
            ws.send_text("text")
            assert ws.receive_json() == {"type": "str"}
            ws.send_bytes(b"\x00\x01")
            assert ws.receive_json() == {"type": "bytes"}


def test_a_channel_made_with_payload_type_enum() -> None:
    with TestClient(consumers_guide.app) as client:
        with client.websocket_connect("/channel") as ws:
            ws.send_json({"q": 1})
            assert ws.receive_json() == {"response": {"q": 1}, "expires": 1800}
