"""``--python VERSION [VERSION ...]``: run a benchmark runner on any supported CPython (3.10 to 3.13).

With one version, a runner started on another interpreter runs itself again, with the same
arguments, on that version's environment of hatch.toml's ``all`` matrix (``.hatch/py3.X/``,
created on first use). ``scripts/dev.py`` finds the interpreter (PATH, then pyenv) and says in
one line which version is missing, if one is. Everything the runner starts (uvicorn, callgrind's
children) then runs on that interpreter, raw app and Nexios alike, so each ratio compares like
with like.

With several versions, the runner runs once per version, one complete run after the other, and
then prints one table comparing them (``--json`` gets every run's results).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import dev  # noqa: E402 - scripts/ is not a package; the path above makes it importable
from interpreters import SUPPORTED  # noqa: E402

# Set for the process a runner re-runs itself as, so a mismatch can never loop.
_RERUN_FOR = "NEXIOS_BENCH_RERUN_FOR"

Summary = Callable[[dict[str, dict[str, Any]]], None]


def add_python_option(parser: Any) -> None:
    """Add ``--python`` to a runner's ``argparse`` parser."""
    parser.add_argument(
        "--python", nargs="+", metavar="VERSION", choices=SUPPORTED,
        help=f"run on these CPython versions ({', '.join(SUPPORTED)}), one after the other; "
             "default: the interpreter running this script",
    )  # fmt: skip


def running_version() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def run_on_requested(
    script: str, versions: list[str] | None, argv: list[str], json_path: str | None, summarise: Summary
) -> int | None:
    """Honour ``--python``: ``None`` when this process is the one to measure with; otherwise the
    exit status of the runs made on the requested interpreters (a single one replaces this
    process and does not return).

    ``argv`` are the runner's own arguments, passed on unchanged; a run for several versions adds
    ``--python V --json FILE`` after them (argparse keeps the last), and ``summarise`` prints the
    table from the runs' JSON results, keyed by version.
    """
    if not versions:
        return None
    versions = list(dict.fromkeys(versions))
    if len(versions) == 1:
        version = versions[0]
        if version == running_version():
            return None
        if os.environ.get(_RERUN_FOR) == version:
            raise SystemExit(f"asked for Python {version}, but its environment runs Python {running_version()}"
                             f" ({sys.executable}); delete .hatch/py{version}/ and run again")
        python = dev.matrix_python(version)
        os.environ[_RERUN_FOR] = version
        os.execv(python, [str(python), script, *argv])
    dev.find_or_exit(versions)  # every interpreter is there before the first long run starts
    results: dict[str, dict[str, Any]] = {}
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="nexios-bench-") as tmp:
        for version in versions:
            print(f"=== Python {version} ===", file=sys.stderr, flush=True)
            python = dev.matrix_python(version)
            out = Path(tmp) / f"{version}.json"
            status = subprocess.call([str(python), script, *argv, "--python", version, "--json", str(out)])
            if out.exists():
                results[version] = json.loads(out.read_text())
            if status != 0:
                failures.append(f"Python {version}: the run exited with status {status}")
    print(f"\nby interpreter ({', '.join(results)}):\n")
    summarise(results)
    if json_path:
        Path(json_path).write_text(json.dumps({"by_python": results}, indent=2) + "\n")
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0
