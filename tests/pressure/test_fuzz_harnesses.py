"""The short fuzzing run of CI (issue 5): every harness in ``fuzz/`` runs briefly through
``fuzz/run.py`` and finds no failing input; and the engine really does stop and report when a
harness fails, with either engine (atheris when installed, the random fallback always)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.live_server import REPO_ROOT

FUZZ = REPO_ROOT / "fuzz"
ENGINES = ["random"] + (["atheris"] if importlib.util.find_spec("atheris") is not None else [])


def test_every_harness_runs_briefly_without_a_failing_input(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, str(FUZZ / "run.py"), "--seconds", "1", "--artifacts", str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=REPO_ROOT,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    harnesses = sorted(path.stem.removeprefix("fuzz_") for path in FUZZ.glob("fuzz_*.py"))
    assert {"app", "cookies", "forms", "headers", "json", "query", "websocket_json"} <= set(harnesses)
    for name in harnesses:
        assert f"ok   {name}:" in finished.stdout


@pytest.mark.parametrize("engine", ENGINES)
def test_a_failing_input_stops_the_run_and_is_saved(tmp_path: Path, engine: str) -> None:
    harness = tmp_path / "fuzz_broken.py"
    harness.write_text(
        "from _driver import main\n"
        "def test_one_input(data: bytes) -> None:\n"
        "    if b'boom' in data:\n"
        "        raise ValueError('found it')\n"
        "main(test_one_input, [b'a boom'], [b'boom'])\n",
        encoding="utf-8",
    )
    env = dict(os.environ, NEXIOS_FUZZ_ENGINE=engine, PYTHONPATH=str(FUZZ))
    finished = subprocess.run(
        [sys.executable, str(harness), "-max_total_time=30", f"-artifact_prefix={tmp_path}/"],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert finished.returncode != 0
    assert "ValueError: found it" in finished.stderr + finished.stdout
    crashes = list(tmp_path.glob("crash-*"))
    assert len(crashes) == 1 and b"boom" in crashes[0].read_bytes()
