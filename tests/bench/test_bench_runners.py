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


def test_the_profile_summary_groups_samples_by_whose_code_ran() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        from profile_server import short_name, summarise
    finally:
        sys.path.remove(str(BENCH))
    root = "/srv/venv/lib/python3.11/site-packages"
    server = f"RequestResponseCycle.run_asgi ({root}/uvicorn/protocols/http/httptools_impl.py:422)"
    app_call = "App.__call__ (/repo/packages/nexios-core/src/nexios_core/app.py:332)"
    chain = "run (/repo/packages/nexios-core/src/nexios_core/middleware/chain.py:{line})"
    user = "pass_through (/repo/bench/nexios_app.py:{line})"
    lines = [
        f"{server};{app_call};{chain.format(line=80)};{user.format(line=47)} 3",
        f"{server};{app_call};{chain.format(line=81)} 5",  # same function, other line
        f"{server};{app_call} 2",
        f"{server};send ({root}/uvicorn/protocols/http/httptools_impl.py:560) 10",
        "garbage without a count",
    ]
    profile = summarise(lines, "nexios_app.py")
    assert profile.total == 20
    assert profile.group_samples == {"app": 3, "framework": 7, "server": 10}
    chain_frame = "run (/repo/packages/nexios-core/src/nexios_core/middleware/chain.py)"
    assert profile.self_samples[chain_frame] == 5
    assert profile.inclusive_samples[chain_frame] == 8
    assert profile.inclusive_samples[server.replace(":422", "")] == 20
    assert short_name(chain_frame) == "run (nexios_core/middleware/chain.py)"
    assert short_name(server.replace(":422", "")) == (
        "RequestResponseCycle.run_asgi (uvicorn/protocols/http/httptools_impl.py)"
    )
