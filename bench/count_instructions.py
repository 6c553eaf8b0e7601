"""Count the CPU instructions each app spends per request, with valgrind's callgrind.

Timings move with whatever else the machine is doing; instruction counts do not. For the same
code, inputs and interpreter the count repeats (the hash seed is fixed, and what start-up left on
the heap is frozen out of the garbage collector's reach after the warm-up), even on a busy
machine, so it shows the effect of a small change to the hot path that timings would drown in
noise. It is the tool for profiling work; the e2e runner stays the judge of the targets.

For each app and endpoint the runner starts this file as a child under
``valgrind --tool=callgrind`` twice: once with a small and once with a large number of requests
(after the same warm-up). The difference divided by the difference in requests is the cost of
one request, with warm-up cancelled out; only what runs inside asyncio task steps is counted,
so the interpreter's start-up and the imports (whose count varies by millions) are left out. The child drives the app in
process exactly as ``run_inprocess.py`` does (same scopes, receive and send).

    python bench/count_instructions.py                       # every endpoint, raw and nexios
    python bench/count_instructions.py --endpoints plaintext mw --requests 500 1500
    python bench/count_instructions.py --python 3.11 3.12 3.13      # one table, three interpreters

``--python`` counts on other interpreters (see ``pythons.py``). Needs valgrind
(``apt-get install valgrind``). Expect about ten seconds per app and endpoint.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from endpoints import NEXIOS, RAW, STARLETTE, AppSpec, Endpoint, declared_skips, load_app_module, select_endpoints  # noqa: E402
from pythons import add_python_option, run_on_requested  # noqa: E402
from report import format_table  # noqa: E402
from run_inprocess import check_once, new_event_loop, scope_template, start_lifespan, stop_lifespan, time_requests  # noqa: E402

WARM_UP_REQUESTS = 200
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")
TASK_STEP_FUNCTION = "task_step_impl"
"""The C function of CPython's ``_asyncio`` that runs one step of a task (3.10 to 3.13)."""


async def _child(spec: AppSpec, endpoint: Endpoint, count: int) -> str | None:
    """Serve ``WARM_UP_REQUESTS`` then ``count`` requests; return why not, if it cannot."""
    module, error = load_app_module(spec)
    if module is None:
        return error
    if endpoint.name in declared_skips(module):
        return f"skipped ({declared_skips(module)[endpoint.name]})"
    state: dict[str, Any] = {}
    task, inbox = await start_lifespan(module.app, state)
    try:
        template = scope_template(endpoint)
        problem = await check_once(module.app, endpoint, template, state)
        if problem is not None:
            return f"wrong response: {problem}"
        await time_requests(module.app, endpoint, template, state, WARM_UP_REQUESTS)
        # What start-up left on the heap is moved out of the collector's reach: otherwise when a
        # full collection falls, and how much it has to walk, depends on the process's history
        # and moves the count by thousands of instructions per request from run to run.
        # Collections of what the requests themselves allocate are still counted.
        gc.collect()
        gc.freeze()
        await time_requests(module.app, endpoint, template, state, count)
    finally:
        await stop_lifespan(task, inbox)
    return None


def callgrind_total(arguments: list[str]) -> int:
    """Instructions that ``python <arguments>`` executes inside asyncio task steps, under callgrind.
    Raises ``RuntimeError`` with the child's last words when it fails."""
    # Only what runs inside an asyncio task step is counted (the child serves every request in
    # its main task): start-up and imports, some billions of instructions whose count moves by
    # millions from run to run (memory layout), would otherwise drown the difference.
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", "--collect-atstart=no",
               f"--toggle-collect={TASK_STEP_FUNCTION}", sys.executable, *arguments]
    # A fixed hash seed: string hashing (and with it every dict) is otherwise randomised per
    # process, which moves the count by a few hundred instructions from run to run.
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    finished = subprocess.run(command, capture_output=True, text=True, check=False, env=environment)
    if finished.returncode != 0:
        reason = finished.stdout.strip().splitlines()[-1:] or finished.stderr.strip().splitlines()[-1:]
        raise RuntimeError(reason[0] if reason else f"exit status {finished.returncode}")
    found = _COLLECTED.search(finished.stderr)
    if found is None:
        raise RuntimeError("valgrind printed no instruction count")
    return int(found.group(1))


def _instructions(spec: AppSpec, endpoint: Endpoint, count: int, loop: str) -> int:
    return callgrind_total([__file__, "--child", spec.module, endpoint.name, str(count), "--loop", loop])


def per_request(spec: AppSpec, endpoint: Endpoint, small: int, large: int, loop: str) -> int | str:
    """Instructions per request, or why it could not be counted."""
    try:
        return (_instructions(spec, endpoint, large, loop) - _instructions(spec, endpoint, small, loop)) // (
            large - small
        )
    except RuntimeError as exc:
        return str(exc)


def _cell(count: int | str) -> str:
    return f"{count:,}" if isinstance(count, int) else f"n/a ({count})"


def summarise_by_python(runs: dict[str, dict[str, Any]]) -> None:
    """One table of the counts made on several interpreters (``--python A B``)."""
    header = ["endpoint"]
    for version in runs:
        header += [f"{version} raw", f"{version} nexios", f"{version} nexios - raw"]
    rows = [header]
    endpoints = list(dict.fromkeys(name for payload in runs.values() for name in payload["counts"]))
    for name in endpoints:
        row = [name]
        for payload in runs.values():
            counts = payload["counts"].get(name, {})
            raw, nexios = counts.get("raw", "not counted"), counts.get("nexios", "not counted")
            both = isinstance(raw, int) and isinstance(nexios, int)
            row += [_cell(raw), _cell(nexios), f"{int(nexios) - int(raw):+,}" if both else "n/a"]
        rows.append(row)
    print(format_table(rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoints", nargs="+", metavar="NAME", help="only these endpoints")
    parser.add_argument("--requests", nargs=2, type=int, default=[500, 1500], metavar=("SMALL", "LARGE"),
                        help="request counts of the two runs (default 500 1500)")
    parser.add_argument("--with-starlette", action="store_true", help="also count bench/starlette_app.py")
    parser.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop")
    parser.add_argument("--json", metavar="PATH", help="write the counts as JSON here")
    add_python_option(parser)
    parser.add_argument("--child", nargs=3, metavar=("MODULE", "ENDPOINT", "COUNT"), help=argparse.SUPPRESS)
    arguments = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(arguments)

    if args.child:
        module_name, endpoint_name, count = args.child
        spec = next(s for s in (RAW, NEXIOS, STARLETTE) if s.module == module_name)
        loop = new_event_loop(args.loop)
        try:
            problem = loop.run_until_complete(_child(spec, select_endpoints([endpoint_name])[0], int(count)))
        finally:
            loop.close()
        if problem is not None:
            print(problem)
            return 1
        return 0

    small, large = args.requests
    if not 0 < small < large:
        parser.error("--requests needs 0 < SMALL < LARGE")
    elsewhere = run_on_requested(str(Path(__file__).resolve()), args.python, arguments, args.json, summarise_by_python)
    if elsewhere is not None:
        return elsewhere
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    specs = [RAW, NEXIOS] + ([STARLETTE] if args.with_starlette else [])
    rows = [["endpoint"] + [f"{spec.label} instr/req" for spec in specs]
            + [f"{spec.label} - raw" for spec in specs[1:]]]
    results: dict[str, dict[str, int | str]] = {}
    for endpoint in select_endpoints(args.endpoints):
        print(f"counting {endpoint.name} ...", file=sys.stderr, flush=True)
        counts = [per_request(spec, endpoint, small, large, args.loop) for spec in specs]
        results[endpoint.name] = {spec.label: count for spec, count in zip(specs, counts, strict=True)}
        row = [endpoint.name] + [_cell(c) for c in counts]
        raw_count = counts[0]
        for count in counts[1:]:
            both = isinstance(count, int) and isinstance(raw_count, int)
            row.append(f"{int(count) - int(raw_count):+,}" if both else "n/a")
        rows.append(row)
    print(f"\ninstructions per request (callgrind), python {sys.version.split()[0]}, loop {args.loop}\n")
    print(format_table(rows))
    if args.json:
        payload = {"kind": "instructions", "python": sys.version.split()[0], "loop": args.loop,
                   "requests": [small, large], "counts": results}
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
