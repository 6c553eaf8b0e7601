"""Run every fuzz harness in ``fuzz/`` for a bounded time; exit 1 if any input made one fail.

    python fuzz/run.py --seconds 60               # each harness for 60 s
    python fuzz/run.py --seconds 5 --only json,forms
    python fuzz/run.py --engine random            # without atheris (also the automatic fallback)
    python fuzz/fuzz_forms.py fuzz/artifacts/forms-crash-...   # replay one failing input

Each harness runs in its own process (libFuzzer exits the process on the first failure). With
atheris installed the run is coverage-guided; otherwise a random driver mutates the harness's
seeds (see ``_driver.py``). A failing input is written to ``--artifacts`` (``fuzz/artifacts/`` by
default) with the harness's name as a prefix.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
HARNESSES = sorted(path.stem.removeprefix("fuzz_") for path in HERE.glob("fuzz_*.py"))


def _dictionary(tokens: list[bytes], path: Path) -> None:
    """Write ``tokens`` in libFuzzer's dictionary format (one quoted, escaped entry a line)."""
    lines = []
    for token in tokens:
        escaped = "".join(chr(b) if 0x20 <= b < 0x7F and b not in b'"\\' else f"\\x{b:02x}" for b in token)
        lines.append(f'"{escaped}"')
    path.write_text("\n".join(lines) + "\n", encoding="ascii")


def run_harness(name: str, seconds: int, engine: str, artifacts: Path, work: Path) -> tuple[bool, str]:
    """Run one harness; returns whether it passed and the tail of its output."""
    harness = HERE / f"fuzz_{name}.py"
    corpus = work / name
    corpus.mkdir()
    env = dict(os.environ, NEXIOS_FUZZ_ENGINE=engine, PYTHONUNBUFFERED="1")
    # Seeds and tokens come from the harness itself, so they are written by a helper run.
    subprocess.run(
        [sys.executable, "-c",
         "import sys, pathlib; sys.path.insert(0, sys.argv[1]); import importlib; "
         "h = importlib.import_module('fuzz_' + sys.argv[2]); d = pathlib.Path(sys.argv[3]); "
         "[(d / f'seed-{i}').write_bytes(s) for i, s in enumerate(h.SEEDS)]; "
         "(d.parent / (sys.argv[2] + '.tokens')).write_bytes(b'\\n'.join(t.hex().encode() for t in h.TOKENS))",
         str(HERE), name, str(corpus)],
        check=True, env=dict(env, NEXIOS_FUZZ_ENGINE="random"),
    )
    tokens = [bytes.fromhex(line) for line in (work / f"{name}.tokens").read_text().split()]
    dictionary = work / f"{name}.dict"
    _dictionary(tokens, dictionary)
    command = [sys.executable, str(harness), str(corpus), f"-max_total_time={seconds}", "-timeout=10",
               f"-artifact_prefix={artifacts}/{name}-", "-rss_limit_mb=2048", f"-dict={dictionary}"]
    started = time.monotonic()
    try:
        finished = subprocess.run(command, env=env, capture_output=True, text=True, errors="replace",
                                  timeout=seconds + 120)
    except subprocess.TimeoutExpired as expired:
        return False, f"harness did not stop within {seconds + 120}s\n{expired.stderr or ''}"
    output = (finished.stdout + finished.stderr).strip()
    # Keep the failure report, or the engine's closing "Done N runs" line when it passed.
    if "=== Uncaught" in output:
        report = output[output.find("=== Uncaught"):]
    elif finished.returncode != 0:
        report = "\n".join(output.splitlines()[-30:])
    else:
        report = next((line for line in reversed(output.splitlines()) if "Done " in line or "DONE" in line), "")
    elapsed = time.monotonic() - started
    return finished.returncode == 0, f"[{elapsed:.0f}s] {report}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30, help="time per harness (default 30)")
    parser.add_argument("--only", default="", help=f"comma-separated harnesses among: {', '.join(HARNESSES)}")
    parser.add_argument("--engine", choices=["auto", "atheris", "random"], default="auto",
                        help="atheris when installed (auto), or the random fallback")
    parser.add_argument("--artifacts", type=Path, default=HERE / "artifacts", help="where failing inputs go")
    options = parser.parse_args(argv)
    chosen = [name.strip() for name in options.only.split(",") if name.strip()] or HARNESSES
    unknown = sorted(set(chosen) - set(HARNESSES))
    if unknown:
        parser.error(f"unknown harness(es): {', '.join(unknown)}")
    if options.engine == "atheris":
        try:
            import atheris  # noqa: F401
        except ImportError:
            parser.error("atheris is not installed (pip install atheris), use --engine random")
    options.artifacts.mkdir(parents=True, exist_ok=True)
    ignore = options.artifacts / ".gitignore"
    if not ignore.exists():  # failing inputs are for replaying locally, not for committing
        ignore.write_text("*\n", encoding="ascii")
    failed = []
    with tempfile.TemporaryDirectory(prefix="nexios-fuzz-") as work:
        for name in chosen:
            passed, report = run_harness(name, options.seconds, options.engine, options.artifacts, Path(work))
            print(f"{'ok  ' if passed else 'FAIL'} {name}: {report}", flush=True)
            if not passed:
                failed.append(name)
    if failed:
        print(f"{len(failed)} harness(es) found a failing input: {', '.join(failed)} "
              f"(inputs in {options.artifacts})", file=sys.stderr)
        return 1
    print(f"all {len(chosen)} harnesses ran {options.seconds}s each without a failing input")
    return 0


if __name__ == "__main__":
    sys.exit(main())
