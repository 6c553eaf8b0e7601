"""Broadcast fan-out: how fast one group message reaches 1,000 connected WebSocket clients.

Two set-ups, each served by real uvicorn processes on 127.0.0.1 (``broadcast_app.py``):

- ``redis``: two workers sharing a Redis channel layer (a redis-server this script starts),
  the clients split evenly between them, the broadcasts sent to each worker in turn;
- ``inprocess``: one worker with the in-process layer (the default), every client on it.

Client processes (``--client-processes``, default 2) hold the WebSockets and timestamp every
message they receive. Two measurements:

- **latency**: ``--messages`` broadcasts, one at a time ``--pause`` seconds apart; for each
  (message, client) pair, the time from just before the ``POST /send`` to the arrival at the
  client. Reported as p50/p99/max over all pairs.
- **throughput**: ``--burst`` broadcasts sent back to back (each ``POST`` awaited; with the
  in-process layer a ``POST`` returns once every member has the message, on Redis once it is
  published); deliveries per second from the first send to the last arrival.

    python bench/broadcast_fanout.py                          # both set-ups, 1,000 clients
    python bench/broadcast_fanout.py --layers redis --clients 200 --messages 10 --json out.json

Every figure depends on the machine and on what else runs on it; clients, server and Redis share
its cores. Report the interpreter and the machine's load with any figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

BENCH_DIR = Path(__file__).resolve().parent
LOCALHOST = "127.0.0.1"
STOP = -1


# ------------------------------------------------------------------------------------ processes
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOCALHOST, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection((LOCALHOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port} after {timeout}s")


@contextmanager
def started(command: list[str], port: int, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        wait_for_port(port, process)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(15)


def redis_server(stack: ExitStack) -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-redis-"))
    stack.enter_context(started([binary, "--port", str(port), "--bind", LOCALHOST, "--save", "",
                                 "--appendonly", "no", "--dir", workdir], port))
    return f"redis://{LOCALHOST}:{port}/0"


def uvicorn_worker(stack: ExitStack, env: dict[str, str]) -> str:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "broadcast_app:app", "--app-dir", str(BENCH_DIR),
               "--host", LOCALHOST, "--port", str(port), "--log-level", "warning", "--no-access-log"]
    stack.enter_context(started(command, port, env))
    return f"{LOCALHOST}:{port}"


# ------------------------------------------------------------------------------------ clients
def client_process(servers: list[str], count: int, ready: Any, results: Any) -> None:
    """Hold ``count`` WebSockets (spread over ``servers``) and report every arrival time."""
    asyncio.run(_clients(servers, count, ready, results))


async def _clients(servers: list[str], count: int, ready: Any, results: Any) -> None:
    from websockets.asyncio.client import connect

    arrivals: dict[int, list[float]] = {}
    connections = []
    opening = asyncio.Semaphore(50)

    async def open_one(n: int) -> Any:
        async with opening:
            connection = await connect(f"ws://{servers[n % len(servers)]}/ws", open_timeout=30,
                                       max_queue=None, ping_interval=None)
            if await connection.recv() != "ready":
                raise RuntimeError("the server did not confirm the join")
            return connection

    connections = await asyncio.gather(*(open_one(n) for n in range(count)))
    ready.put(count)

    async def read(connection: Any) -> None:
        async for frame in connection:
            arrived = time.time()
            seq = json.loads(frame)["seq"]
            if seq == STOP:
                return
            arrivals.setdefault(seq, []).append(arrived)

    await asyncio.gather(*(read(connection) for connection in connections))
    for connection in connections:
        await connection.close()
    results.put(arrivals)


# ------------------------------------------------------------------------------------ measuring
@dataclass
class Result:
    layer: str
    workers: int
    clients: int
    messages: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    burst: int
    deliveries_per_second: float
    missing: int
    overlapping_rounds: int


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run_setup(layer: str, clients: int, messages: int, burst: int, client_processes: int, pause: float) -> Result:
    with ExitStack() as stack:
        env = dict(os.environ)
        env.pop("REDIS_URL", None)
        workers = 1
        if layer == "redis":
            env["REDIS_URL"] = redis_server(stack)
            env["BENCH_PREFIX"] = f"bench:{uuid.uuid4().hex}:"
            workers = 2
        servers = [uvicorn_worker(stack, env) for _ in range(workers)]

        context = multiprocessing.get_context("spawn")
        ready, results = context.Queue(), context.Queue()
        shares = [clients // client_processes + (n < clients % client_processes) for n in range(client_processes)]
        processes = [context.Process(target=client_process, args=(servers, share, ready, results), daemon=True)
                     for share in shares]
        for process in processes:
            process.start()
        connected = sum(ready.get(timeout=120) for _ in processes)
        assert connected == clients

        sent: dict[int, float] = {}
        with httpx.Client(timeout=60) as http:
            def broadcast(seq: int) -> None:
                sent[seq] = time.time()
                answer = http.post(f"http://{servers[seq % workers]}/send", json={"seq": seq})
                if answer.status_code != 200 or answer.json() != {"status": "group_send"}:
                    raise RuntimeError(f"broadcast {seq} failed: {answer.status_code} {answer.text}")

            for seq in range(3):  # warm-up, not counted
                broadcast(1_000_000 + seq)
                time.sleep(pause)
            for seq in range(messages):
                broadcast(seq)
                time.sleep(pause)
            burst_seqs = list(range(10_000, 10_000 + burst))
            for seq in burst_seqs:
                broadcast(seq)
            # Members receive a group's messages in order: this one arrives after all the others.
            http.post(f"http://{servers[0]}/send", json={"seq": STOP})

        arrivals: dict[int, list[float]] = {}
        for _ in processes:
            for seq, times in results.get(timeout=120).items():
                arrivals.setdefault(seq, []).extend(times)
        for process in processes:
            process.join(30)

    latencies = [(t - sent[seq]) * 1000 for seq in range(messages) for t in arrivals.get(seq, [])]
    expected = clients * (messages + burst)
    got = sum(len(arrivals.get(seq, [])) for seq in [*range(messages), *burst_seqs])
    overlapping = sum(1 for seq in range(messages - 1) if max(arrivals.get(seq, [0.0])) > sent[seq + 1])
    burst_arrivals = [t for seq in burst_seqs for t in arrivals.get(seq, [])]
    span = max(burst_arrivals) - sent[burst_seqs[0]] if burst_arrivals else float("inf")
    return Result(
        layer=layer, workers=workers, clients=clients, messages=messages,
        p50_ms=round(statistics.median(latencies), 1), p99_ms=round(percentile(latencies, 0.99), 1),
        max_ms=round(max(latencies), 1), burst=burst,
        deliveries_per_second=round(len(burst_arrivals) / span), missing=expected - got,
        overlapping_rounds=overlapping,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--layers", nargs="+", choices=["redis", "inprocess"], default=["redis", "inprocess"])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=30, help="broadcasts timed one at a time")
    parser.add_argument("--burst", type=int, default=50, help="broadcasts sent back to back")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between timed broadcasts")
    parser.add_argument("--json", type=Path, help="also write the results here")
    options = parser.parse_args()

    print(f"Python {platform.python_version()} ({platform.python_implementation()}), {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f} before the run")
    results = [run_setup(layer, options.clients, options.messages, options.burst, options.client_processes,
                         options.pause) for layer in options.layers]
    header = ("layer", "workers", "clients", "p50 ms", "p99 ms", "max ms", "deliveries/s", "missing")
    rows = [(r.layer, r.workers, r.clients, r.p50_ms, r.p99_ms, r.max_ms, r.deliveries_per_second, r.missing)
            for r in results]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    for row in (header, *rows):
        print("  ".join(str(cell).rjust(width) for cell, width in zip(row, widths, strict=True)))
    for r in results:
        if r.overlapping_rounds:
            print(f"note: {r.overlapping_rounds} {r.layer} latency rounds were still arriving when the next began")
    print(f"load average {os.getloadavg()[0]:.2f} after the run")
    if options.json:
        options.json.write_text(json.dumps([asdict(r) for r in results], indent=2))


if __name__ == "__main__":
    main()
