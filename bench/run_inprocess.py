"""Time each app's ASGI callable directly, without a server or sockets.

Every request gets a fresh scope shaped like uvicorn's, a receive that delivers the body once and
then waits for the response to finish (as a server's does), and a send that drops the messages.
The answer is checked once before timing. The result is nanoseconds per request and the
throughput ratio to the raw ASGI app (raw ns / app ns): the framework's own overhead, with no
network or HTTP parsing to dilute it.

    python bench/run_inprocess.py [--iterations 20000] [--endpoints plaintext json] [--with-starlette]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from endpoints import (  # noqa: E402 - the path above makes bench/ importable
    NEXIOS,
    RAW,
    STARLETTE,
    AppSpec,
    Endpoint,
    declared_skips,
    load_app_module,
    select_endpoints,
)
from report import format_table  # noqa: E402

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]
DISCONNECT = {"type": "http.disconnect"}
STARTUP_TIMEOUT_SECONDS = 10.0


class Exchange:
    """One request's receive and send, behaving like a server's for a client that waits politely."""

    __slots__ = ("_request", "_finished", "_response_done", "status", "headers", "body")

    def __init__(self, request_message: dict[str, Any]) -> None:
        self._request: dict[str, Any] | None = request_message
        self._finished = False
        self._response_done: asyncio.Event | None = None
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = b""

    async def receive(self) -> dict[str, Any]:
        message = self._request
        if message is not None:
            self._request = None
            return message
        # A second receive waits for the end of the response, as with a real server, so apps
        # that listen for disconnects are not told the client left mid-response.
        if not self._finished:
            if self._response_done is None:
                self._response_done = asyncio.Event()
            await self._response_done.wait()
        return DISCONNECT

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            self._finished = True
            if self._response_done is not None:
                self._response_done.set()

    async def send_and_keep(self, message: dict[str, Any]) -> None:
        """Like send, but keeps the response so it can be checked."""
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")
        await self.send(message)

    def content_type(self) -> str:
        for name, value in self.headers:
            if name.lower() == b"content-type":
                return value.decode("latin-1")
        return ""


def scope_template(endpoint: Endpoint) -> dict[str, Any]:
    """An HTTP scope shaped like the one uvicorn's httptools protocol builds."""
    headers = [
        (b"host", b"127.0.0.1:8000"),
        (b"user-agent", b"bench/1.0"),
        (b"accept", b"*/*"),
    ]
    if endpoint.body:
        headers.append((b"content-type", b"application/json"))
        headers.append((b"content-length", str(len(endpoint.body)).encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "root_path": "",
        "headers": headers,
        "method": endpoint.method,
        "path": endpoint.path,
        "raw_path": endpoint.path.encode(),
        "query_string": endpoint.query.encode(),
    }


async def start_lifespan(app: ASGIApp, state: dict[str, Any]) -> tuple[asyncio.Task[None], asyncio.Queue[Any]]:
    """Run the app's lifespan startup, tolerating apps without lifespan support."""
    inbox: asyncio.Queue[Any] = asyncio.Queue()
    outbox: asyncio.Queue[Any] = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": state}
    task = asyncio.ensure_future(app(scope, inbox.get, outbox.put))
    reply = asyncio.ensure_future(outbox.get())
    done, _ = await asyncio.wait({task, reply}, timeout=STARTUP_TIMEOUT_SECONDS, return_when=asyncio.FIRST_COMPLETED)
    if reply in done:
        message = reply.result()
        if message["type"] == "lifespan.startup.failed":
            raise RuntimeError(f"lifespan startup failed: {message.get('message', '')}")
    else:
        # The app returned or raised without answering: it does not do lifespan, and like
        # uvicorn's default "auto" mode we carry on without it.
        reply.cancel()
        if task.done() and not task.cancelled():
            task.exception()  # retrieved so asyncio does not warn about it
    return task, inbox


async def stop_lifespan(task: asyncio.Task[None], inbox: asyncio.Queue[Any]) -> None:
    if task.done():
        return
    await inbox.put({"type": "lifespan.shutdown"})
    try:
        await asyncio.wait_for(task, STARTUP_TIMEOUT_SECONDS)
    except Exception:  # shutdown problems do not change the timings already taken
        task.cancel()


async def check_once(app: ASGIApp, endpoint: Endpoint, template: dict[str, Any], state: dict[str, Any]) -> str | None:
    exchange = Exchange({"type": "http.request", "body": endpoint.body, "more_body": False})
    scope = dict(template)
    scope["state"] = state.copy()
    try:
        await app(scope, exchange.receive, exchange.send_and_keep)
    except Exception as exc:
        return f"raised {type(exc).__name__}: {exc}"
    return endpoint.check(exchange.status, exchange.content_type(), exchange.body)


async def time_requests(
    app: ASGIApp, endpoint: Endpoint, template: dict[str, Any], state: dict[str, Any], count: int
) -> int:
    """Total nanoseconds for `count` sequential requests."""
    body = endpoint.body
    start = time.perf_counter_ns()
    for _ in range(count):
        exchange = Exchange({"type": "http.request", "body": body, "more_body": False})
        scope = dict(template)
        scope["state"] = state.copy()
        await app(scope, exchange.receive, exchange.send)
    return time.perf_counter_ns() - start


async def measure_app(spec: AppSpec, endpoints: list[Endpoint], iterations: int, rounds: int) -> dict[str, Any]:
    """Per endpoint: ns/request (best of `rounds`) or why it was not measured."""
    module, error = load_app_module(spec)
    if module is None:
        return {"error": error, "endpoints": {}}
    app: ASGIApp = module.app
    skips = declared_skips(module)
    state: dict[str, Any] = {}
    try:
        lifespan_task, inbox = await start_lifespan(app, state)
    except Exception as exc:
        return {"error": f"startup failed: {exc}", "endpoints": {}}
    results: dict[str, Any] = {}
    try:
        for endpoint in endpoints:
            if endpoint.name in skips:
                results[endpoint.name] = {"skipped": skips[endpoint.name]}
                continue
            template = scope_template(endpoint)
            problem = await check_once(app, endpoint, template, state)
            if problem is not None:
                results[endpoint.name] = {"error": f"wrong response: {problem}"}
                continue
            await time_requests(app, endpoint, template, state, max(iterations // 10, 1))  # warm-up
            best = None
            for _ in range(rounds):
                gc.collect()
                elapsed = await time_requests(app, endpoint, template, state, iterations)
                best = elapsed if best is None else min(best, elapsed)
            assert best is not None
            results[endpoint.name] = {"ns_per_request": best / iterations}
    finally:
        await stop_lifespan(lifespan_task, inbox)
    return {"error": None, "endpoints": results}


def new_event_loop(kind: str) -> asyncio.AbstractEventLoop:
    if kind == "uvloop":
        try:
            import uvloop
        except ImportError:
            raise SystemExit("uvloop is not installed; use --loop asyncio") from None
        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


def cell(app_result: dict[str, Any], name: str) -> str:
    if app_result["error"]:
        return "failed"
    entry = app_result["endpoints"].get(name, {})
    if "ns_per_request" in entry:
        return f"{entry['ns_per_request']:,.0f}"
    return "n/a"


def ratio(raw: dict[str, Any], other: dict[str, Any], name: str) -> float | None:
    raw_ns = raw["endpoints"].get(name, {}).get("ns_per_request")
    other_ns = other["endpoints"].get(name, {}).get("ns_per_request")
    if raw_ns is None or other_ns is None:
        return None
    return float(raw_ns / other_ns)


def print_table(endpoints: list[Endpoint], results: dict[str, dict[str, Any]]) -> None:
    labels = list(results)
    header = ["endpoint"] + [f"{label} ns/req" for label in labels]
    header += [f"{label}/raw" for label in labels if label != "raw"] + ["e2e target"]
    rows = [header]
    for endpoint in endpoints:
        row = [endpoint.name] + [cell(results[label], endpoint.name) for label in labels]
        for label in labels:
            if label == "raw":
                continue
            value = ratio(results["raw"], results[label], endpoint.name)
            row.append("n/a" if value is None else f"{value:.2f}")
        row.append("-" if endpoint.target is None else f"{endpoint.target:.2f}")
        rows.append(row)
    print(format_table(rows))
    for label, app_result in results.items():
        if app_result["error"]:
            print(f"{label}: {app_result['error']}")
        for name, entry in app_result["endpoints"].items():
            if "skipped" in entry:
                print(f"{label} {name}: n/a, skipped ({entry['skipped']})")
            elif "error" in entry:
                print(f"{label} {name}: n/a, {entry['error']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=20000, help="requests per endpoint per round (default 20000)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per endpoint; the best counts (default 3)")
    parser.add_argument("--endpoints", nargs="+", metavar="NAME", help="only these endpoints")
    parser.add_argument(
        "--with-starlette", action="store_true", help="also measure bench/starlette_app.py for reference"
    )
    parser.add_argument(
        "--loop", choices=["uvloop", "asyncio"], default="uvloop", help="event loop (default uvloop, as uvicorn uses)"
    )
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON here")
    args = parser.parse_args(argv)
    if args.iterations < 1 or args.rounds < 1:
        parser.error("--iterations and --rounds must be at least 1")

    endpoints = select_endpoints(args.endpoints)
    specs = [RAW, NEXIOS] + ([STARLETTE] if args.with_starlette else [])
    results: dict[str, dict[str, Any]] = {}
    loop = new_event_loop(args.loop)
    try:
        for spec in specs:
            print(f"measuring {spec.label} ...", file=sys.stderr, flush=True)
            results[spec.label] = loop.run_until_complete(measure_app(spec, endpoints, args.iterations, args.rounds))
    finally:
        loop.close()

    python = sys.version.split()[0]
    print(f"\nin-process, {args.iterations} requests x best of {args.rounds}, python {python}, loop {args.loop}\n")
    print_table(endpoints, results)
    if args.json:
        payload = {
            "kind": "inprocess",
            "iterations": args.iterations,
            "rounds": args.rounds,
            "loop": args.loop,
            "python": sys.version.split()[0],
            "apps": results,
            "ratios": {
                label: {endpoint.name: ratio(results["raw"], results[label], endpoint.name) for endpoint in endpoints}
                for label in results
                if label != "raw"
            },
        }
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n")
    return 0 if results["raw"]["error"] is None else 1


if __name__ == "__main__":
    sys.exit(main())
