"""The benchmark runners keep working: every endpoint of every app answers correctly in process,
and the instruction counter's child mode serves requests (valgrind itself is not needed here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_the_in_process_runner_measures_every_endpoint(tmp_path: Path) -> None:
    out = tmp_path / "inprocess.json"
    finished = subprocess.run(
        [sys.executable, str(BENCH / "run_inprocess.py"), "--iterations", "20", "--rounds", "1",
         "--loop", "asyncio", "--json", str(out)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert finished.returncode == 0, finished.stderr
    results = json.loads(out.read_text())["apps"]
    for app in ("raw", "nexios"):
        assert results[app]["error"] is None
        for name, entry in results[app]["endpoints"].items():
            # A wrong answer would be reported instead of a time.
            assert entry.get("ns_per_request", 0) > 0, (app, name, entry)


def test_the_instruction_counter_child_serves_the_requests_it_is_asked_for() -> None:
    finished = subprocess.run(
        [sys.executable, str(BENCH / "count_instructions.py"), "--child", "nexios_app", "di", "10",
         "--loop", "asyncio"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    refused = subprocess.run(
        [sys.executable, str(BENCH / "count_instructions.py"), "--child", "nexios_app", "nope", "10"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert refused.returncode != 0


def test_the_middleware_floor_child_runs_both_chains() -> None:
    for chain in ("floor", "nexios"):
        finished = subprocess.run(
            [sys.executable, str(BENCH / "middleware_floor.py"), "--child", chain, "5", "10"],
            capture_output=True, text=True, timeout=120, check=False,
        )
        # The child exits non-zero when a chain does not hand back the response builder.
        assert finished.returncode == 0, (chain, finished.stdout + finished.stderr)
