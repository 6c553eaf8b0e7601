"""`--python` on the benchmark runners: a run on another supported interpreter replaces the
current one, several interpreters give one comparison, and a missing one is named in one line.

The end-to-end runner is the one run for real here (a second of wrk per app), on the running
interpreter and one other, each from its environment of hatch.toml's `all` matrix. The
instruction counters spend minutes under valgrind even for a handful of requests, so for them
this checks that `--python` reaches the same interpreter discovery.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
RUNNING = f"{sys.version_info.major}.{sys.version_info.minor}"


def _supported() -> tuple[str, ...]:
    spec = importlib.util.spec_from_file_location("nexios_dev_interpreters", ROOT / "scripts" / "interpreters.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SUPPORTED  # type: ignore[no-any-return]


SUPPORTED = _supported()
OTHER = SUPPORTED[-1] if RUNNING != SUPPORTED[-1] else SUPPORTED[0]


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@pytest.fixture
def wrk() -> None:
    if shutil.which("wrk") is None:
        if _in_ci():
            pytest.fail("wrk is not installed; CI must install it (see .ci/run)")
        pytest.skip("wrk is not installed (apt-get install wrk)")


def _e2e(*arguments: str, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH / "run_e2e.py"), "--duration", "1", "--warmup", "0", "--json", str(out),
         *arguments],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def _version_of(payload: dict[str, object]) -> str:
    return str(payload["python"]).rsplit(".", 1)[0]


@pytest.mark.usefixtures("wrk")
def test_the_e2e_runner_reruns_itself_on_the_interpreter_asked_for(tmp_path: Path) -> None:
    out = tmp_path / "e2e.json"
    finished = _e2e("--python", OTHER, "--endpoints", "users", out=out)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    payload = json.loads(out.read_text())
    assert _version_of(payload) == OTHER
    assert f"python {OTHER}." in finished.stdout
    # Both apps ran on that interpreter and answered correctly under load.
    assert payload["ratios"]["nexios"]["users"] > 0
    assert payload["apps"]["nexios"]["endpoints"]["users"]["errors"] == []


@pytest.mark.usefixtures("wrk")
def test_the_e2e_runner_compares_several_interpreters_run_by_run(tmp_path: Path) -> None:
    out = tmp_path / "e2e.json"
    finished = _e2e("--python", RUNNING, OTHER, "--endpoints", "plaintext", "missing", out=out)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    runs = json.loads(out.read_text())["by_python"]
    assert list(runs) == [RUNNING, OTHER]
    for version, run in runs.items():
        assert _version_of(run) == version
        for endpoint in ("plaintext", "missing"):
            assert run["ratios"]["nexios"][endpoint] > 0, (version, endpoint)
    summary = finished.stdout.split(f"by interpreter ({RUNNING}, {OTHER}):", 1)[1].strip().splitlines()
    assert summary[0].split()[:5] == ["endpoint", "target", RUNNING, "raw", "req/s"]
    assert f"{OTHER} nexios/raw" in summary[0]
    assert [line.split()[0] for line in summary[2:]] == ["plaintext", "missing"]
    # Each row carries each interpreter's own ratio, as measured in that interpreter's run.
    plaintext = summary[2].split()
    assert plaintext[4] == f"{runs[RUNNING]['ratios']['nexios']['plaintext']:.2f}"
    assert plaintext[7] == f"{runs[OTHER]['ratios']['nexios']['plaintext']:.2f}"


@pytest.mark.parametrize("runner", ["run_e2e.py", "count_instructions.py", "middleware_floor.py"])
def test_every_runner_names_a_missing_interpreter_in_one_line(tmp_path: Path, runner: str) -> None:
    finished = subprocess.run(
        [sys.executable, str(BENCH / runner), "--python", RUNNING, OTHER],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PATH": str(tmp_path), "PYENV_ROOT": str(tmp_path / "no-pyenv")},
    )  # fmt: skip
    assert finished.returncode == 1
    # Nothing ran: both interpreters are looked for before the first (long) run starts.
    assert finished.stdout == ""
    assert finished.stderr.strip().splitlines() == [
        f"[dev] Python {version} not found: no working python{version} on PATH and none under "
        f"{tmp_path / 'no-pyenv' / 'versions'} (looked for {version}.*); install it, e.g. "
        f"`pyenv install {version}`, and run again"
        for version in (RUNNING, OTHER)
    ]


@pytest.mark.parametrize("runner", ["run_e2e.py", "count_instructions.py", "middleware_floor.py"])
def test_every_runner_refuses_an_unsupported_version_by_listing_the_supported_ones(runner: str) -> None:
    finished = subprocess.run(
        [sys.executable, str(BENCH / runner), "--python", "3.9"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert finished.returncode == 2
    assert "argument --python: invalid choice: '3.9'" in finished.stderr
    assert all(f"'{version}'" in finished.stderr for version in SUPPORTED)
    assert "Traceback" not in finished.stderr
