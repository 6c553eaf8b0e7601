"""Fuzz WebSocket JSON messages: ``receive_json`` on text and binary frames.

Every message either decodes to a value or ends the connection with close code 1007 (invalid
payload) or 1009 (too big), seen by the handler as ``WebSocketDisconnect`` with that code: never
another exception. The first byte picks the frame kind (text or binary) and a small size limit,
so the limit is exercised as well as the decoder.
"""

from __future__ import annotations

from typing import Any

from _driver import instrumented, main

with instrumented():
    import anyio

    from nexios_core.exceptions import WebSocketDisconnect
    from nexios_core.limits import LIMITS_SCOPE_KEY, Limits
    from nexios_core.websocket import WebSocket

SEEDS = [b"\x00" + b'{"type": "chat", "text": "hi \\u00e9"}', b"\x01[1, 2, [3]]", b"\x02" + b"[" * 2000,
         b'\x03"\\ud800"', b"\x04NaN", b"\x05" + b'[' * 1025 + b'"' + b'\\"' * 50, b"\x06\xff\xfe"]
TOKENS = [b"[", b"]", b"{", b"}", b'"', b"\\", b'\\"', b"\\u", b"d800", b":", b",", b"NaN", b"1e999", b"\xff",
          b"\xed\xa0\x80", b"[" * 1025]


async def _receive_one(frame: bytes, as_text: bool, limit: int) -> tuple[Any, int | None]:
    sent: list[dict[str, Any]] = []
    incoming: list[dict[str, Any]] = [
        {"type": "websocket.connect"},
        {"type": "websocket.receive", "text": frame.decode("utf-8", "replace")} if as_text
        else {"type": "websocket.receive", "bytes": frame},
    ]

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "websocket.disconnect", "code": 1000}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    limits = Limits(max_websocket_message_size=limit)
    scope = {"type": "websocket", "path": "/", "headers": [], LIMITS_SCOPE_KEY: limits}
    websocket = WebSocket(scope, receive, send)
    await websocket.accept()
    try:
        return await websocket.receive_json(), None
    except WebSocketDisconnect as ended:
        closes = [m["code"] for m in sent if m["type"] == "websocket.close"]
        assert closes == [ended.code], (closes, ended.code)
        return None, ended.code


def test_one_input(data: bytes) -> None:
    if not data:
        return
    as_text = data[0] % 2 == 0
    limit = 64 + (data[0] % 16) * 4096
    value, code = anyio.run(_receive_one, data[1:], as_text, limit)
    if code is not None:
        assert code in (1007, 1009), code


if __name__ == "__main__":
    main(test_one_input, SEEDS, TOKENS)
