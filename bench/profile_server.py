"""Where a server under load spends its CPU: py-spy samples of one app serving one endpoint.

The app runs under uvicorn exactly as in ``run_e2e.py`` (httptools, uvloop, one worker, pinned to
CPU 0) while wrk loads one endpoint from CPU 1. py-spy samples the server's Python stacks and this
script sums them per function, in three groups: the framework (``nexios_*`` packages), the app's
own module (its handlers and middleware), and everything else (uvicorn, asyncio, the event loop).
A sample counts for the innermost Python function on the stack ("self"), so time in C called from
Python (writing to the socket, say) counts for the function that called it.

    python bench/profile_server.py                          # the mw endpoint of the nexios app
    python bench/profile_server.py --endpoint di --seconds 20 --raw di-stacks.txt

Needs py-spy (in the dev environment) and permission to trace the server (root, or
``kernel.yama.ptrace_scope=0``). ``--raw`` keeps the collapsed stacks, which flame-graph tools read.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from endpoints import NEXIOS, RAW, AppSpec, select_endpoints  # noqa: E402
from run_e2e import HOST, Server, ensure_wrk, free_port, lua_script, probe, run_wrk  # noqa: E402

LOAD_HEADSTART_SECONDS = 2
"""wrk runs this much longer than py-spy on each side, so that every sample is taken under load."""


@dataclass
class Profile:
    """Samples summed per function (``name (file)``) and per group."""

    total: int
    self_samples: Counter[str]
    inclusive_samples: Counter[str]
    group_samples: Counter[str]

    def share(self, samples: int) -> float:
        return 100.0 * samples / self.total if self.total else 0.0


_SHORTEN_AFTER = ("/site-packages/", "/src/", "/lib/python")


def group_of(frame: str, app_file: str) -> str:
    """``framework``, ``app`` or ``server`` for one frame, ``f (/full/path/file.py)``."""
    filename = frame.rpartition(" (")[2].rstrip(")")
    if filename == app_file or filename.endswith("/" + app_file):
        return "app"
    if "/nexios_" in filename:  # the import packages: nexios_core, nexios_routing, nexios_di...
        return "framework"
    return "server"


def short_name(frame: str) -> str:
    """``f (nexios_core/app.py)`` for ``f (/.../src/nexios_core/app.py)``: the path from the
    import root on."""
    function, _, filename = frame.rpartition(" (")
    for marker in _SHORTEN_AFTER:
        if marker in filename:
            filename = filename.rsplit(marker, 1)[1]
            if marker == "/lib/python":  # ".../lib/python3.11/asyncio/runners.py"
                filename = filename.partition("/")[2]
            break
    else:
        filename = filename.rsplit("/", 1)[-1]
    return f"{function} ({filename}"


def _without_line(frame: str) -> str:
    head, colon, line = frame.rpartition(":")
    return head + ")" if colon and line.rstrip(")").isdigit() else frame


def summarise(collapsed_lines: Iterable[str], app_file: str) -> Profile:
    """Sum py-spy's raw (collapsed) output: one ``frame;frame;...;frame count`` line per stack."""
    self_samples: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    groups: Counter[str] = Counter()
    total = 0
    for line in collapsed_lines:
        stack, _, count_text = line.strip().rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        # Line numbers split one function into many rows; the function is what matters here.
        frames = [_without_line(frame) for frame in stack.split(";")]
        total += count
        self_samples[frames[-1]] += count
        groups[group_of(frames[-1], app_file)] += count
        for frame in set(frames):
            inclusive[frame] += count
    return Profile(total, self_samples, inclusive, groups)


def report(profile: Profile, top: int) -> str:
    lines = [f"{profile.total:,} samples"]
    for group in ("framework", "app", "server"):
        lines.append(f"  {group:<10} {profile.share(profile.group_samples[group]):5.1f} %  (self)")
    lines.append(f"\ntop {top} functions by self samples")
    for frame, samples in profile.self_samples.most_common(top):
        lines.append(f"  {profile.share(samples):5.1f} %  {short_name(frame)}")
    return "\n".join(lines)


def record(spec: AppSpec, endpoint_name: str, seconds: int, rate: int, raw_path: Path | None) -> Profile:
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        raise SystemExit("py-spy is not installed (pip install py-spy; the dev environment has it)")
    endpoint = select_endpoints([endpoint_name])[0]
    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory() as workdir, contextlib.ExitStack() as stack:
        server = Server(spec, free_port(), Path(workdir) / "server.log")
        stack.callback(server.stop)
        failure = server.wait_until_answering() or probe(server.port, endpoint)
        if failure is not None:
            raise SystemExit(f"{spec.label} app: {failure}")
        script = lua_script(endpoint, Path(workdir)) if endpoint.body else None
        url = f"http://{HOST}:{server.port}{endpoint.path}"
        load = threading.Thread(
            target=run_wrk, args=(wrk, url, seconds + 2 * LOAD_HEADSTART_SECONDS, 64, script), daemon=True
        )
        load.start()
        load.join(LOAD_HEADSTART_SECONDS)
        out = raw_path or Path(workdir) / "stacks.txt"
        sampled = subprocess.run(
            [py_spy, "record", "--pid", str(server.process.pid), "--duration", str(seconds),
             "--rate", str(rate), "--format", "raw", "--nonblocking", "--full-filenames",
             "--output", str(out)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        load.join()
        if sampled.returncode != 0 or not out.exists():
            raise SystemExit(f"py-spy failed: {sampled.stderr.strip()[-500:]}")
        return summarise(out.read_text().splitlines(), spec.module + ".py")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", default="mw", help="the endpoint to load (default mw)")
    parser.add_argument("--app", choices=["nexios", "raw"], default="nexios")
    parser.add_argument("--seconds", type=int, default=10, help="seconds of sampling (default 10)")
    parser.add_argument("--rate", type=int, default=400, help="samples per second (default 400)")
    parser.add_argument("--top", type=int, default=15, help="functions to list (default 15)")
    parser.add_argument("--raw", type=Path, metavar="PATH", help="keep py-spy's collapsed stacks here")
    args = parser.parse_args(argv)
    spec = NEXIOS if args.app == "nexios" else RAW
    profile = record(spec, args.endpoint, args.seconds, args.rate, args.raw)
    print(f"py-spy, {spec.label} app, endpoint {args.endpoint}, {args.seconds} s at {args.rate} Hz under wrk -c64")
    print(report(profile, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
