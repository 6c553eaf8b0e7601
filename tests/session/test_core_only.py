"""``nexios-session`` works on ``nexios-core`` alone (no ``nexios`` facade, no router), and
``nexios_core`` never imports it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib.metadata import requires

CORE_ONLY_APP = textwrap.dedent(
    """
    import asyncio
    import sys

    import httpx

    from nexios_core.app import App
    from nexios_core.dispatch import HandlerDispatcher
    from nexios_session import SessionMiddleware


    async def handler(request, response):
        if request.method == "POST":
            request.session["visits"] = request.session.get("visits", 0) + 1
        return {"visits": request.session.get("visits", 0)}


    app = App({"secret_key": "core-only"}, dispatcher=HandlerDispatcher(handler),
              middlewares=[SessionMiddleware()])


    async def main():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            await client.post("/")
            second = await client.post("/")
            assert second.json() == {"visits": 2}, second.text
            assert "HttpOnly" in second.headers["set-cookie"]
            read = await client.get("/")
            assert read.json() == {"visits": 2}, read.text
            assert read.headers.get("set-cookie") is None


    asyncio.run(main())
    loaded = sorted(m for m in sys.modules if m == "nexios" or m.startswith(("nexios.", "nexios_routing")))
    assert not loaded, loaded
    print("ok")
    """
)


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_sessions_work_on_a_core_only_app_without_the_facade() -> None:
    result = run_python(CORE_ONLY_APP)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_nexios_core_imports_no_session_code() -> None:
    code = (
        "import sys, nexios_core, nexios_core.app, nexios_core.request, nexios_core.responses, "
        "nexios_core.middleware.base, nexios_core.testclient\n"
        "print(sorted(m for m in sys.modules if m.startswith(('nexios_session', 'itsdangerous', 'redis'))))"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_nexios_session_imports_neither_redis_nor_the_facade_until_asked() -> None:
    code = (
        "import sys, nexios_session\n"
        "print(sorted(m for m in sys.modules if m == 'nexios' or m.startswith(('nexios.', 'redis'))))\n"
        "nexios_session.RedisSessionManager\n"
        "print('redis' in sys.modules)"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["[]", "True"]


def test_the_distribution_depends_on_nexios_core_not_the_facade() -> None:
    from packaging.requirements import Requirement  # pytest's own dependency

    parsed = [Requirement(line) for line in requires("nexios-session") or []]
    always = {r.name for r in parsed if r.marker is None}
    with_redis = {r.name for r in parsed if r.marker is not None and r.marker.evaluate({"extra": "redis"})}
    assert always == {"nexios-core", "itsdangerous"}
    assert with_redis == {"redis"}
