"""The examples of ``docs/channels.md`` do what the page says they do."""

from __future__ import annotations

import pytest

from nexios.exceptions import WebSocketDisconnect
from nexios.testclient import TestClient
from tests.support.doc_examples import load


def test_chat_rooms_reach_every_member_of_the_room_only() -> None:
    example = load("channels_chat.py")
    with TestClient(example.app) as http:
        with http.websocket_connect("/chat/a") as one, http.websocket_connect("/chat/a") as two, \
                http.websocket_connect("/chat/b") as other:
            for session, room in ((one, "a"), (two, "a"), (other, "b")):
                assert session.receive_json()["joined"] == room
            assert http.get("/rooms/a").json() == {"members": 2}
            one.send_json({"user": "ann", "text": "hi"})
            assert one.receive_json() == two.receive_json() == {"from": "ann", "text": "hi"}
            assert http.post("/rooms/b/announce", json={"text": "b only"}).json() == {"status": "group_send"}
            assert other.receive_json() == {"from": "system", "text": "b only"}
            assert http.post("/rooms/empty/announce", json={"text": "?"}).json() == {"status": "no_such_group"}
            one.send_json({"no": "text"})
            with pytest.raises(WebSocketDisconnect) as closed:
                one.receive_json()
            assert closed.value.code == 1007
        assert http.get("/rooms/a").json() == {"members": 0}  # members leave when they disconnect


def test_notifications_through_channel_box() -> None:
    example = load("channels_chat.py")
    with TestClient(example.app) as http, http.websocket_connect("/notifications") as ws:
        assert ws.receive_json() == {"subscribed": "notifications"}
        sent = http.post("/notify", json={"level": "info"})
        assert sent.json() == {"status": "group_send", "history": [{"level": "info"}]}
        assert ws.receive_json() == {"level": "info"}


def test_the_transport_fans_a_message_out_to_subscribers() -> None:
    example = load("channels_transport.py")
    with TestClient(example.app) as http:
        assert http.get("/prices").json() == {"coffee": 3}
        assert http.delete("/prices/coffee").json() == {"told": 1}
        assert http.get("/prices").json() == {}
