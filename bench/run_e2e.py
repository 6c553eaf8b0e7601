"""End-to-end throughput: each app under uvicorn, loaded by wrk over loopback.

The runner starts one ``uvicorn --http httptools --loop uvloop --workers 1`` per app (raw first,
then Nexios, then Starlette with ``--with-starlette``), pinned to CPU 0, waits for each to answer
and checks every endpoint's answer. Then, endpoint by endpoint, it warms each app up and runs
``wrk -t1 -c64 -d<N>s --latency`` pinned to CPU 1 against raw, Nexios, Starlette in turn (for
``--rounds`` rounds, keeping each app's best). It reports requests/second, p99 latency, the
server's resident memory after the endpoint's runs, and each app's throughput as a ratio to the raw
ASGI app measured in the same run. Servers are always stopped (their whole process group).

    python bench/run_e2e.py [--duration 10] [--rounds 1] [--endpoints plaintext json]
                            [--with-starlette] [--json results.json] [--check-targets]
                            [--python 3.11 3.12 3.13]

``--python`` runs on other interpreters (see ``pythons.py``), each run complete on its own.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

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
from pythons import add_python_option, run_on_requested  # noqa: E402
from report import format_table  # noqa: E402

HOST = "127.0.0.1"  # loopback only: the benchmark never listens on or calls another address
SERVER_CPU = "0"
CLIENT_CPU = "1"
STARTUP_TIMEOUT_SECONDS = 20.0
STOP_TIMEOUT_SECONDS = 5.0
WRK_GRACE_SECONDS = 30  # on top of wrk's own duration before it is considered hung
LATENCY_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class WrkResult:
    """What one wrk run measured."""

    requests_per_second: float
    p50_ms: float | None
    p99_ms: float | None
    requests: int
    non_2xx_3xx: int
    socket_errors: dict[str, int] = field(default_factory=dict)


@dataclass
class EndpointResult:
    """One endpoint on one app: a measurement, or why there is none."""

    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    rss_mib: float | None = None
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    skipped: str | None = None


@dataclass
class AppResult:
    """One app's run: whether it started, and its endpoints."""

    started: bool = False
    error: str | None = None
    rss_idle_mib: float | None = None
    endpoints: dict[str, EndpointResult] = field(default_factory=dict)


# --------------------------------------------------------------------------- tools


def ensure_wrk() -> str:
    """Path to wrk, installing it with apt-get when missing and running as root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.name != "posix" or os.geteuid() != 0:
        raise SystemExit("wrk is not installed. Install it (e.g. `sudo apt-get install -y wrk`) and run again.")
    for command in (["apt-get", "install", "-y", "wrk"], ["apt-get", "update"], ["apt-get", "install", "-y", "wrk"]):
        print(f"wrk is missing; running: {' '.join(command)}", file=sys.stderr, flush=True)
        subprocess.run(command, check=False, timeout=600)
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit("wrk is not installed and `apt-get install -y wrk` did not install it.")


def pinning_prefix(cpu: str) -> list[str]:
    """``taskset -c <cpu>`` when taskset exists and the CPU is ours to use, else nothing (with a warning)."""
    taskset = shutil.which("taskset")
    if taskset is None or int(cpu) not in os.sched_getaffinity(0):
        print(
            f"warning: cannot pin to CPU {cpu} (taskset missing or CPU unavailable); running unpinned", file=sys.stderr
        )
        return []
    return [taskset, "-c", cpu]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def rss_mib(pid: int) -> float | None:
    """Resident memory of a process from /proc/<pid>/status, in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


# --------------------------------------------------------------------------- server


class Server:
    """A uvicorn subprocess in its own process group, so stopping it stops everything it started."""

    def __init__(self, spec: AppSpec, port: int, log_path: Path) -> None:
        self.spec = spec
        self.port = port
        self.log_path = log_path
        log = open(log_path, "wb")  # noqa: SIM115 - the child writes to it; closed once it is started
        command = pinning_prefix(SERVER_CPU) + [
            sys.executable, "-m", "uvicorn", spec.import_string,
            "--app-dir", str(BENCH_DIR),
            "--host", HOST, "--port", str(port),
            "--http", "httptools", "--loop", "uvloop", "--workers", "1",
            "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip
        # taskset execs the command, so this pid is uvicorn's own (its RSS is the server's).
        with log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_until_answering(self) -> str | None:
        """None once the server answers HTTP (any status), else why it never did."""
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return f"exited with code {self.process.returncode}: {self.log_tail()}"
            try:
                connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
                connection.request("GET", "/")
                connection.getresponse().read()
                connection.close()
                return None
            except OSError:
                time.sleep(0.1)
        return f"did not answer within {STARTUP_TIMEOUT_SECONDS:.0f}s: {self.log_tail()}"

    def log_tail(self, lines: int = 6) -> str:
        text = self.log_path.read_text(errors="replace").strip().splitlines()
        return " | ".join(text[-lines:]) or "(no output)"

    def stop(self) -> None:
        """SIGTERM the process group, then SIGKILL it if it lingers."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                pass
        try:  # children that outlived the leader still belong to its group
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.process.poll() is None:
            self.process.wait(STOP_TIMEOUT_SECONDS)


def probe(port: int, endpoint: Endpoint) -> str | None:
    """Send the endpoint's request once; None if the answer is right, else what is wrong."""
    headers = {"Content-Type": "application/json"} if endpoint.body else {}
    try:
        connection = http.client.HTTPConnection(HOST, port, timeout=10)
        connection.request(endpoint.method, endpoint.url_path, body=endpoint.body or None, headers=headers)
        response = connection.getresponse()
        body = response.read()
        connection.close()
    except OSError as exc:
        return f"request failed: {exc}"
    return endpoint.check(response.status, response.getheader("content-type", ""), body)


# --------------------------------------------------------------------------- wrk


def lua_script(endpoint: Endpoint, directory: Path) -> Path:
    """A wrk script that sends the endpoint's method and body."""
    body = endpoint.body.decode()
    if "]==]" in body:
        raise ValueError("the body would end the Lua long string early")
    script = directory / f"{endpoint.name}.lua"
    script.write_text(
        f'wrk.method = "{endpoint.method}"\n'
        f"wrk.body = [==[{body}]==]\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    return script


def parse_latency_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"unrecognised wrk latency {text!r}")
    return float(match.group(1)) * LATENCY_UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    """Pull throughput, latency percentiles and error counts out of wrk's report."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rps is None:
        raise ValueError(f"no Requests/sec in wrk output: {output.strip()[-300:]!r}")
    percentiles = {m.group(1): parse_latency_ms(m.group(2)) for m in re.finditer(r"^\s+(50|99)%\s+(\S+)", output, re.M)}
    total = re.search(r"(\d+) requests in", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors: dict[str, int] = {}
    if socket_errors is not None:
        counts = dict(zip(("connect", "read", "write", "timeout"), map(int, socket_errors.groups()), strict=True))
        errors = {kind: count for kind, count in counts.items() if count}
    return WrkResult(
        requests_per_second=float(rps.group(1)),
        p50_ms=percentiles.get("50"),
        p99_ms=percentiles.get("99"),
        requests=int(total.group(1)) if total else 0,
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=errors,
    )


def run_wrk(wrk: str, url: str, duration: int, connections: int, script: Path | None) -> WrkResult:
    command = pinning_prefix(CLIENT_CPU) + [wrk, "-t1", f"-c{connections}", f"-d{duration}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + WRK_GRACE_SECONDS, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"wrk exited with {completed.returncode}: {completed.stderr.strip() or completed.stdout.strip()}"
        )
    return parse_wrk(completed.stdout)


# --------------------------------------------------------------------------- one app


def skips_for(spec: AppSpec) -> tuple[dict[str, str], str | None]:
    """The endpoints an app declares it cannot serve yet, or why its module does not even import."""
    module, error = load_app_module(spec)
    if module is None:
        return {}, error
    return declared_skips(module), None


@dataclass
class RunningApp:
    """An app under test: its server (None if it never started), declared skips and results."""

    spec: AppSpec
    server: Server | None
    skips: dict[str, str]
    result: AppResult


def start_app(spec: AppSpec, workdir: Path, stack: contextlib.ExitStack) -> RunningApp:
    """Start one app's server; a failure is recorded in its result, not raised."""
    result = AppResult()
    skips, import_error = skips_for(spec)
    server = Server(spec, free_port(), workdir / f"{spec.label}.log")
    stack.callback(server.stop)
    failure = server.wait_until_answering()
    if failure is not None:
        result.error = f"failed to start: {import_error or failure}"
        server.stop()
        return RunningApp(spec, None, skips, result)
    result.started = True
    result.rss_idle_mib = rss_mib(server.process.pid)
    return RunningApp(spec, server, skips, result)


def measure_endpoint(
    apps: list[RunningApp], endpoint: Endpoint, args: argparse.Namespace, wrk: str, workdir: Path
) -> None:
    """Load one endpoint on every app, alternating apps round by round; keep each app's best round.

    Alternating means a burst of noise from elsewhere on the machine lands on every app alike
    instead of on whichever app happened to run during it, which keeps the ratios honest.
    """
    script = lua_script(endpoint, workdir) if endpoint.method != "GET" else None
    ready: list[tuple[RunningApp, EndpointResult]] = []
    for app in apps:
        if app.server is None:
            continue
        outcome = app.result.endpoints[endpoint.name] = EndpointResult()
        if endpoint.name in app.skips:
            outcome.skipped = app.skips[endpoint.name]
            continue
        problem = probe(app.server.port, endpoint)
        if problem is not None:
            outcome.errors.append(f"wrong response: {problem}")
            continue
        ready.append((app, outcome))
    for round_number in range(args.rounds):
        for app, outcome in ready:
            assert app.server is not None
            if outcome.errors:
                continue
            url = f"http://{HOST}:{app.server.port}{endpoint.url_path}"
            print(f"  {endpoint.name} round {round_number + 1}: {app.spec.label}", file=sys.stderr, flush=True)
            try:
                if round_number == 0 and args.warmup > 0:
                    run_wrk(wrk, url, args.warmup, args.connections, script)
                measured = run_wrk(wrk, url, args.duration, args.connections, script)
            except (RuntimeError, ValueError, subprocess.TimeoutExpired) as exc:
                outcome.errors.append(str(exc))
                continue
            record(outcome, measured, endpoint, app.server)
    for app, outcome in ready:
        assert app.server is not None
        outcome.rss_mib = rss_mib(app.server.process.pid)


def record(outcome: EndpointResult, measured: WrkResult, endpoint: Endpoint, server: Server) -> None:
    """Keep a round if it is the app's best so far; any sign of wrong behaviour is an error."""
    if measured.non_2xx_3xx and endpoint.expected_status < 400:
        outcome.errors.append(f"{measured.non_2xx_3xx} non-2xx/3xx responses")
    if measured.socket_errors:
        outcome.errors.append(f"socket errors {measured.socket_errors}")
    if server.process.poll() is not None:
        outcome.errors.append(f"server died: {server.log_tail()}")
    outcome.requests += measured.requests
    if outcome.rps is None or measured.requests_per_second > outcome.rps:
        outcome.rps = measured.requests_per_second
        outcome.p50_ms = measured.p50_ms
        outcome.p99_ms = measured.p99_ms


def run_all(
    specs: list[AppSpec], endpoints: list[Endpoint], args: argparse.Namespace, wrk: str
) -> dict[str, AppResult]:
    """Start every app's server, measure every endpoint, and stop the servers whatever happens."""
    with tempfile.TemporaryDirectory(prefix="nexios-bench-") as tmp, contextlib.ExitStack() as stack:
        workdir = Path(tmp)
        apps = []
        for spec in specs:
            print(f"starting {spec.label} ...", file=sys.stderr, flush=True)
            apps.append(start_app(spec, workdir, stack))
        if apps[0].server is not None:  # without the raw baseline there is nothing to compare
            for endpoint in endpoints:
                measure_endpoint(apps, endpoint, args, wrk, workdir)
        return {app.spec.label: app.result for app in apps}


# --------------------------------------------------------------------------- report


def ratio(raw: AppResult, other: AppResult, name: str) -> float | None:
    base = raw.endpoints.get(name)
    measured = other.endpoints.get(name)
    if base is None or measured is None or not base.rps or measured.rps is None or measured.errors:
        return None
    return measured.rps / base.rps


def fmt(value: float | None, pattern: str) -> str:
    return "n/a" if value is None else format(value, pattern)


def print_table(endpoints: list[Endpoint], results: dict[str, AppResult]) -> None:
    others = [label for label in results if label != "raw"]
    header = ["endpoint"] + [f"{label} req/s" for label in results]
    header += [f"{label}/raw" for label in others] + ["target"]
    header += [f"p99 ms {label}" for label in results] + [f"RSS MiB {label}" for label in results]
    rows = [header]
    for endpoint in endpoints:
        measured = {label: result.endpoints.get(endpoint.name, EndpointResult()) for label, result in results.items()}
        row = [endpoint.name]
        row += [fmt(m.rps if not m.errors else None, ",.0f") for m in measured.values()]
        row += [fmt(ratio(results["raw"], results[label], endpoint.name), ".2f") for label in others]
        row.append(fmt(endpoint.target, ".2f") if endpoint.target is not None else "-")
        row += [fmt(m.p99_ms, ".2f") for m in measured.values()]
        row += [fmt(m.rss_mib, ".1f") for m in measured.values()]
        rows.append(row)
    print(format_table(rows))
    for label, result in results.items():
        if result.error:
            print(f"{label}: {result.error}")
        for name, outcome in result.endpoints.items():
            if outcome.skipped:
                print(f"{label} {name}: n/a, skipped ({outcome.skipped})")
            for error in outcome.errors:
                print(f"{label} {name}: {error}")


def target_failures(endpoints: list[Endpoint], results: dict[str, AppResult]) -> list[str]:
    """Every way the Nexios app misses its targets; a declared skip is n/a, not a miss."""
    nexios = results.get("nexios")
    if nexios is None or not nexios.started:
        return [f"nexios app did not run: {nexios.error if nexios else 'not measured'}"]
    if not results["raw"].started:
        return [f"raw app did not run: {results['raw'].error}"]
    failures = []
    for endpoint in endpoints:
        if endpoint.target is None:
            continue
        outcome = nexios.endpoints[endpoint.name]
        if outcome.skipped:
            continue
        value = ratio(results["raw"], nexios, endpoint.name)
        if value is None:
            reason = "; ".join(outcome.errors + results["raw"].endpoints[endpoint.name].errors) or "not measured"
            failures.append(f"{endpoint.name}: no ratio ({reason})")
        elif value < endpoint.target:
            failures.append(f"{endpoint.name}: ratio {value:.2f} is below the target {endpoint.target:.2f}")
    return failures


def summarise_by_python(runs: dict[str, dict[str, Any]]) -> None:
    """One table of the runs made on several interpreters (``--python A B``): each keeps its own
    raw baseline, so the ratios compare interpreters fairly even though absolute numbers drift."""
    first = next(iter(runs.values()), None)
    if first is None:
        print("no run finished")
        return
    header = ["endpoint", "target"]
    for version in runs:
        header += [f"{version} raw req/s", f"{version} nexios req/s", f"{version} nexios/raw"]
    rows = [header]
    for name, target in first["targets"].items():
        row = [name, fmt(target, ".2f") if target is not None else "-"]
        for payload in runs.values():
            raw = payload["apps"]["raw"]["endpoints"].get(name) or {}
            nexios = payload["apps"].get("nexios", {}).get("endpoints", {}).get(name) or {}
            row += [fmt(raw.get("rps"), ",.0f"), fmt(nexios.get("rps") if not nexios.get("errors") else None, ",.0f"),
                    fmt(payload["ratios"].get("nexios", {}).get(name), ".2f")]
        rows.append(row)
    print(format_table(rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk load per endpoint (default 10)")
    parser.add_argument(
        "--warmup", type=int, default=2, help="seconds of wrk warm-up per endpoint, 0 for none (default 2)"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="rounds per endpoint, apps alternating; the best counts (default 1)"
    )
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    parser.add_argument("--endpoints", nargs="+", metavar="NAME", help="only these endpoints")
    parser.add_argument("--with-starlette", action="store_true", help="also run bench/starlette_app.py for reference")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON here")
    parser.add_argument("--check-targets", action="store_true", help="exit 1 if a Nexios ratio misses its target")
    add_python_option(parser)
    arguments = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(arguments)
    if min(args.duration, args.connections, args.rounds) < 1 or args.warmup < 0:
        parser.error("--duration, --connections and --rounds must be at least 1, --warmup at least 0")
    elsewhere = run_on_requested(str(Path(__file__).resolve()), args.python, arguments, args.json, summarise_by_python)
    if elsewhere is not None:
        return elsewhere
    if args.with_starlette:
        try:
            import starlette  # noqa: F401 - only checking that it is installed
        except ImportError:
            parser.error("--with-starlette needs starlette installed")

    endpoints = select_endpoints(args.endpoints)
    wrk = ensure_wrk()
    specs = [RAW, NEXIOS] + ([STARLETTE] if args.with_starlette else [])
    results = run_all(specs, endpoints, args, wrk)

    print(
        f"\ne2e: uvicorn httptools+uvloop 1 worker on CPU {SERVER_CPU}, wrk -t1 -c{args.connections} "
        f"-d{args.duration}s on CPU {CLIENT_CPU}, best of {args.rounds} round(s), python {sys.version.split()[0]}\n"
    )
    print_table(endpoints, results)
    failures = target_failures(endpoints, results) if args.check_targets else []
    if args.json:
        payload = {
            "kind": "e2e",
            "duration": args.duration,
            "warmup": args.warmup,
            "rounds": args.rounds,
            "connections": args.connections,
            "python": sys.version.split()[0],
            "apps": {label: asdict(result) for label, result in results.items()},
            "ratios": {
                label: {endpoint.name: ratio(results["raw"], results[label], endpoint.name) for endpoint in endpoints}
                for label in results
                if label != "raw"
            },
            "targets": {endpoint.name: endpoint.target for endpoint in endpoints},
            "target_failures": failures if args.check_targets else None,
        }
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n")
    if not results["raw"].started:
        print(f"\nthe raw app did not start, so there is no baseline: {results['raw'].error}", file=sys.stderr)
        return 1
    if failures:
        print("\ntargets missed:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    if args.check_targets:
        print("\nall measured targets met", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
