"""The upstream-style apps served by real uvicorn over a socket, as their authors would run them:
each module imported by uvicorn from its import string, unchanged."""

from __future__ import annotations

from collections.abc import Callable

import httpx


def test_middleware_and_csrf_guides_under_uvicorn(live_server: Callable[..., str]) -> None:
    base = live_server("tests.compat.apps.middleware_guide:app")
    with httpx.Client(base_url=base, cookies={"session_id": "abc"}) as client:
        home = client.get("/")
        assert home.text == "Hello, World! (timed: True)" and home.headers["x-raw"] == "arg1,arg2"
        assert client.get("/admin/dashboard", headers={"Admin-Token": "t"}).status_code == 200

    base = live_server("tests.compat.apps.csrf_guide:app")
    with httpx.Client(base_url=base) as client:
        assert client.post("/api/submit", data={"data": "x"}).status_code == 403
        # csrf_cookie_secure=True: over plain http the cookie is marked Secure, so read it from
        # the header as a browser on https would keep it.
        cookie = client.get("/api/csrf-token").headers["set-cookie"]
        token = cookie.split(";", 1)[0].split("=", 1)[1]
        client.cookies.set("csrftoken", token)
        accepted = client.post("/api/submit", data={"data": "x"}, headers={"X-CSRFToken": token})
        assert accepted.json() == {"success": True, "received_data": "x"}
