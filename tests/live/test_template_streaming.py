"""``response.render(..., stream=True)`` under real uvicorn: the first rows reach the client while
the rest of the page is still being rendered; an error before the first output is a clean 500, and
an error half-way aborts the transfer (the client never takes a cut page for a whole one), logged
with the template's name."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio.to_thread
import httpx
import pytest

from nexios import get_application
from nexios.templating import TemplateEngine

LiveServer = Callable[..., str]
TEMPLATES = Path(__file__).parents[1] / "facade" / "templates_fixture"


def streaming_app(release: threading.Event) -> Any:
    app = get_application()
    app.install(TemplateEngine(directory=TEMPLATES))

    async def rows() -> AsyncIterator[str]:
        yield "first row"
        await anyio.to_thread.run_sync(release.wait, 10)  # the rest only once the client saw row 1
        for number in range(2, 2000):
            yield f"row {number}"

    @app.get("/slow")
    async def slow(request: Any, response: Any) -> Any:
        return await response.render("long.html", {"rows": rows()}, stream=True)

    @app.get("/late-error")
    async def late_error(request: Any, response: Any) -> Any:
        return await response.render("fails_late.html", {"rows": range(5000)}, stream=True)

    @app.get("/early-error")
    async def early_error(request: Any, response: Any) -> Any:
        return await response.render("fails_early.html", stream=True)

    return app


def test_the_first_rows_arrive_before_the_page_is_rendered(live_server: LiveServer) -> None:
    release = threading.Event()
    base_url = live_server(streaming_app(release), log_config=None, log_level="warning")
    with httpx.stream("GET", f"{base_url}/slow", timeout=10) as answer:
        assert answer.status_code == 200 and answer.headers["content-type"] == "text/html; charset=utf-8"
        assert "content-length" not in answer.headers
        received = ""
        chunks = answer.iter_text()
        while "first row" not in received:
            received += next(chunks)  # a page rendered whole first would never get here: it waits
        release.set()
        received += "".join(chunks)
    assert received.count("<li>") == 1999 and received.rstrip().endswith("<li>row 1999</li>")


def test_errors_while_streaming(live_server: LiveServer, caplog: pytest.LogCaptureFixture) -> None:
    base_url = live_server(streaming_app(threading.Event()), log_config=None, log_level="warning")
    with caplog.at_level(logging.ERROR):
        early = httpx.get(f"{base_url}/early-error", timeout=10)
        assert early.status_code == 500 and early.json()["detail"] == "Internal Server Error"
        with pytest.raises(httpx.RemoteProtocolError), httpx.stream("GET", f"{base_url}/late-error",
                                                                     timeout=10) as late:
            assert late.status_code == 200  # sent before the error...
            late.read()  # ...which then cuts the transfer short
    assert "Error in template 'fails_early.html', line 1" in caplog.text
    assert "Error in template 'fails_late.html', line 1: UndefinedError" in caplog.text
