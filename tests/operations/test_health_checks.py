"""Health endpoints: liveness always answers; readiness follows the lifespan (not ready before
start-up finished, not ready while draining) and the added checks."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest

from nexios import get_application
from nexios.testclient import TestClient
from nexios_core import App, HandlerDispatcher, ImproperlyConfigured
from nexios_core.health import HealthChecks

pytestmark = pytest.mark.anyio


def test_liveness_answers_even_before_start_up_and_readiness_does_not() -> None:
    app = get_application()
    app.install(HealthChecks())
    client = TestClient(app)  # not entered: the lifespan never ran
    live, ready = client.get("/health/live"), client.get("/health/ready")
    assert (live.status_code, live.json()) == (200, {"status": "alive"})
    assert (ready.status_code, ready.json()) == (503, {"status": "idle"})
    assert ready.headers["cache-control"] == "no-store"


def test_ready_once_started_and_every_check_passes() -> None:
    app = get_application()
    health = app.install(HealthChecks(checks={"cache": lambda: True}))

    async def database() -> bool:
        return True

    health.add_check("database", database)
    with TestClient(app) as client:
        ready = client.get("/health/ready")
        assert "/health/ready" not in client.get("/openapi.json").text  # kept out of the docs
    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "checks": {"cache": "ok", "database": "ok"}})


def test_a_failing_raising_or_slow_check_makes_it_unready_without_saying_why(caplog: pytest.LogCaptureFixture) -> None:
    async def slow() -> bool:
        await anyio.sleep(5)
        return True

    def raising() -> bool:
        raise ConnectionError("db password rejected: hunter2")

    app = get_application()
    app.install(HealthChecks(checks={"false": lambda: False, "raising": raising, "slow": slow}, timeout=0.2))
    with TestClient(app) as client:
        ready = client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json() == {"status": "failing", "checks": {"false": "failed", "raising": "failed", "slow": "timeout"}}
    assert "hunter2" not in ready.text and any("raising" in r.getMessage() for r in caplog.records)


async def test_not_ready_during_start_up_nor_while_draining_at_shutdown() -> None:
    app = get_application()
    app.install(HealthChecks())
    seen: dict[str, int] = {}

    async def ask(label: str) -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            seen[label] = (await client.get("/health/ready")).status_code
            seen[label + " live"] = (await client.get("/health/live")).status_code

    app.on_startup(lambda: ask("starting"))
    app.on_shutdown(lambda: ask("draining"))
    async with app.run_lifespan():
        await ask("ready")
        assert app.lifespan_state == "ready"
    assert app.lifespan_state == "stopped"
    assert seen == {"starting": 503, "starting live": 200, "ready": 200, "ready live": 200,
                    "draining": 503, "draining live": 200}


def test_paths_can_be_chosen_or_left_out() -> None:
    app = get_application()
    app.install(HealthChecks(live_path="/livez", ready_path=None))
    with TestClient(app) as client:
        assert client.get("/livez").status_code == 200
        assert client.get("/health/ready").status_code == 404


def test_mistakes_are_refused_where_they_are_made() -> None:
    with pytest.raises(ImproperlyConfigured, match="dispatcher has no add_route"):
        App(dispatcher=HandlerDispatcher()).install(HealthChecks())
    with pytest.raises(ImproperlyConfigured, match="positive"):
        HealthChecks(timeout=0)
    health = HealthChecks(checks={"db": lambda: True})
    with pytest.raises(ImproperlyConfigured, match="already added"):
        health.add_check("db", lambda: True)
    with pytest.raises(ImproperlyConfigured, match="callable"):
        health.add_check("x", "not callable")  # type: ignore[arg-type]


def test_a_core_app_routes_the_handlers_itself_after_attach() -> None:
    health = HealthChecks()

    async def handler(request: Any, response: Any) -> Any:
        return await health.ready(request, response)

    app = App(dispatcher=HandlerDispatcher(handler))
    health.attach(app)
    with TestClient(app) as client:
        assert client.get("/anything").json() == {"status": "ready"}


def test_under_uvicorn_ready_follows_the_servers_lifespan() -> None:
    from tests.support.live_server import run_live_server

    for lifespan, expected in (("on", (200, "ready")), ("off", (503, "idle"))):
        app = get_application()
        app.install(HealthChecks())
        with run_live_server(app, lifespan=lifespan) as base_url:
            ready = httpx.get(base_url + "/health/ready", timeout=5)
            live = httpx.get(base_url + "/health/live", timeout=5)
        assert (ready.status_code, ready.json()["status"]) == expected
        assert live.status_code == 200 and ready.headers["cache-control"] == "no-store"
        assert ready.headers["x-request-id"]


def test_a_dependency_that_never_answers_cannot_hang_readiness_under_uvicorn() -> None:
    """A database that accepts connections and never answers, asked by a blocking (sync) driver
    call without its own timeout and by an async one: every probe answers 503 within the check's
    timeout, concurrent probes too, and the hung sync call holds one thread, not one per probe."""
    import socket
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from tests.support.live_server import run_live_server

    blackhole = socket.create_server(("127.0.0.1", 0), backlog=64)  # accepts, never answers
    host, port = blackhole.getsockname()[:2]
    release = threading.Event()
    calls = 0

    def blocking_driver() -> bool:
        nonlocal calls
        calls += 1
        with socket.create_connection((host, port)) as conn:
            conn.settimeout(0.05)  # only so the test can end it: to the app, it never returns
            while not release.is_set():
                try:
                    conn.recv(1)
                except TimeoutError:
                    continue
        return True

    async def async_driver() -> bool:
        async with await anyio.connect_tcp(host, port) as stream:
            await stream.receive(1)
        return True

    app = get_application()
    app.install(HealthChecks(checks={"sync-db": blocking_driver, "async-db": async_driver}, timeout=0.5))
    try:
        with run_live_server(app) as base_url:
            started = time.monotonic()
            first = httpx.get(base_url + "/health/ready", timeout=10)
            assert time.monotonic() - started < 3
            with ThreadPoolExecutor(8) as pool:
                probes = list(pool.map(lambda _: httpx.get(base_url + "/health/ready", timeout=10), range(8)))
            elapsed = time.monotonic() - started
            assert httpx.get(base_url + "/health/live", timeout=5).status_code == 200
            release.set()
    finally:
        release.set()
        blackhole.close()
    timed_out = {"status": "failing", "checks": {"sync-db": "timeout", "async-db": "timeout"}}
    assert (first.status_code, first.json()) == (503, timed_out)
    assert all(p.status_code == 503 and p.json()["checks"]["sync-db"] == "timeout" for p in probes)
    assert elapsed < 6  # nine probes, each bounded by the 0.5 s timeout, not by the dependency
    assert calls == 1  # later probes found the first call still running and did not start another


def test_start_up_pays_for_anyios_backend_so_the_first_probe_does_not() -> None:
    # The first task group a process starts imports anyio's event loop backend (about 0.2 s on
    # a busy machine, once): HealthChecks has it done during start-up, not in the first probe.
    import subprocess
    import sys

    code = """
import asyncio, sys
from nexios import get_application
from nexios_core.health import HealthChecks

app = get_application()
app.install(HealthChecks())

async def main():
    inbox = asyncio.Queue()
    outbox = []
    await inbox.put({"type": "lifespan.startup"})
    async def receive():
        return await inbox.get()
    async def send(message):
        outbox.append(message["type"])
        if message["type"] == "lifespan.startup.complete":
            print("anyio._backends._asyncio" in sys.modules)
            await inbox.put({"type": "lifespan.shutdown"})
    await app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
    assert outbox == ["lifespan.startup.complete", "lifespan.shutdown.complete"], outbox

print("anyio._backends._asyncio" in sys.modules)
asyncio.run(main())
"""
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.split() == ["False", "True"]


def test_behind_trusted_hosts_a_probe_must_send_an_allowed_host() -> None:
    # What docs/operations.md tells Kubernetes users: the kubelet sends the pod's address as Host.
    from nexios_core import TrustedHostMiddleware

    app = get_application()
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=["shop.example.com"])
    app.install(HealthChecks())
    with TestClient(app) as client:
        by_pod_address = client.get("/health/ready", headers={"host": "10.1.2.3:8000"})
        with_host_header = client.get("/health/ready", headers={"host": "shop.example.com"})
    assert by_pod_address.status_code == 400
    assert (with_host_header.status_code, with_host_header.json()) == (200, {"status": "ready"})


async def test_concurrent_and_repeated_probes_share_one_run_of_the_checks() -> None:
    # Readiness is unauthenticated: without sharing, anyone could make the app query its
    # database at the rate they send probes.
    calls = 0

    async def database() -> bool:
        nonlocal calls
        calls += 1
        await anyio.sleep(0.2)
        return True

    app = get_application()
    app.install(HealthChecks(checks={"database": database}, cache_for=0.5))
    transport = httpx.ASGITransport(app=app)
    async with app.run_lifespan(), httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answers: list[httpx.Response] = []

        async def probe() -> None:
            answers.append(await client.get("/health/ready"))

        async with anyio.create_task_group() as group:
            for _ in range(50):
                group.start_soon(probe)
        assert calls == 1  # fifty probes at once, one run
        assert (await client.get("/health/ready")).status_code == 200
        assert calls == 1  # within cache_for of that run: its results
        await anyio.sleep(0.6)
        assert (await client.get("/health/ready")).status_code == 200
        assert calls == 2  # later: a new run
    assert [answer.json() for answer in answers] == [{"status": "ready", "checks": {"database": "ok"}}] * 50


async def test_cache_for_zero_runs_the_checks_for_every_probe_and_a_failure_shows_at_once() -> None:
    healthy = True

    def database() -> bool:
        return healthy

    app = get_application()
    app.install(HealthChecks(checks={"database": database}, cache_for=0))
    transport = httpx.ASGITransport(app=app)
    async with app.run_lifespan(), httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/health/ready")).status_code == 200
        healthy = False
        assert (await client.get("/health/ready")).status_code == 503
    with pytest.raises(ImproperlyConfigured, match="cache_for"):
        HealthChecks(cache_for=-1)
