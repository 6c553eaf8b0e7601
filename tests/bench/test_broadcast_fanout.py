"""The broadcast fan-out benchmark keeps working: a small run of both set-ups delivers every
message to every client and reports figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.redis_server import redis_binary

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_a_small_fan_out_run_delivers_everything_on_both_layers(tmp_path: Path) -> None:
    redis_binary()  # skips (or fails under CI) without redis-server, as the Redis tests do
    out = tmp_path / "fanout.json"
    finished = subprocess.run(
        [sys.executable, str(BENCH / "broadcast_fanout.py"), "--clients", "20", "--messages", "2",
         "--burst", "3", "--pause", "0.1", "--json", str(out)],
        capture_output=True, text=True, timeout=240, check=False,
    )
    assert finished.returncode == 0, finished.stderr
    results = {entry["layer"]: entry for entry in json.loads(out.read_text())}
    assert set(results) == {"redis", "inprocess"}
    assert (results["redis"]["workers"], results["inprocess"]["workers"]) == (2, 1)
    for entry in results.values():
        assert entry["missing"] == 0 and entry["clients"] == 20
        assert 0 < entry["p50_ms"] <= entry["p99_ms"] <= entry["max_ms"]
        assert entry["deliveries_per_second"] > 0
    assert "deliveries/s" in finished.stdout
