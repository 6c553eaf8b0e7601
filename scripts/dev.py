"""Run a Nexios dev task on a machine that has only Python 3.10+ and git.

    python3 scripts/dev.py test [pytest args]               # set everything up, run the test suite
    python3 scripts/dev.py test-all [--full] [pytest args]  # the suite on every supported Python
    python3 scripts/dev.py demo                             # set everything up, serve the demo on :8000
    python3 scripts/dev.py example NAME                     # serve examples/NAME.py on :8000
    python3 scripts/dev.py <script> [args]                  # any script of the `dev` env in hatch.toml

Hatch is installed into .venv-tools/ (a private venv, because Debian's system pip refuses to
install packages), then the task runs as `hatch run dev:<script>` on the interpreter hatch runs
on. `test-all` finds CPython 3.10 to 3.13 (PATH, then pyenv: see interpreters.py) and runs the
suite in each one's environment of hatch.toml's `all` matrix (`.hatch/py3.X/`), then says which
passed; the two longest load tests run on the newest interpreter only, unless --full. Uses only
the standard library.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

from interpreters import SUPPORTED, InterpreterNotFound, find_python, path_with

HATCH_REQUIREMENT = "hatch>=1.18,<1.19"
ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".venv-tools"
BIN = TOOLS / ("Scripts" if os.name == "nt" else "bin")
# Written last, so an interrupted install is redone on the next run instead of half-used.
READY_MARKER = TOOLS / f"ready-{HATCH_REQUIREMENT}"
# The two longest tests load a live server for minutes (20,000 mixed requests; the fuzz harnesses).
# On the shared 2-core machine they take about 2.5 of each interpreter's 6 to 8 minutes, so
# test-all runs them on one interpreter only, the newest (the default one runs them in every
# `dev.py test`), which keeps CI under 30 minutes. `test-all --full` runs them everywhere.
LONG_TESTS = ("tests/pressure/test_soak.py", "tests/pressure/test_fuzz_harnesses.py")
LONG_TESTS_ON = SUPPORTED[-1]


def ensure_hatch() -> Path:
    """Return the path of a working hatch, installing it into .venv-tools/ on first use."""
    hatch = BIN / ("hatch.exe" if os.name == "nt" else "hatch")
    if READY_MARKER.exists() and hatch.exists():
        return hatch
    print(f"[dev] installing {HATCH_REQUIREMENT} into {TOOLS.name}/ (first run only)", flush=True)
    try:
        venv.create(TOOLS, with_pip=True, clear=True)
    except subprocess.CalledProcessError:
        sys.exit("[dev] could not create a venv with pip; on Debian/Ubuntu: apt-get install python3-venv")
    python = BIN / ("python.exe" if os.name == "nt" else "python")
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, HATCH_REQUIREMENT], check=True)
    READY_MARKER.touch()
    return hatch


def matrix_env(version: str) -> str:
    """The hatch environment of the `all` matrix for Python ``version``."""
    return f"all.py{version}"


def find_or_exit(versions: tuple[str, ...] | list[str]) -> dict[str, Path]:
    """Each version's interpreter; if any is missing, one line per missing version, then exit 1."""
    found: dict[str, Path] = {}
    missing: list[str] = []
    for version in versions:
        try:
            found[version] = find_python(version)
        except InterpreterNotFound as exc:
            missing.append(f"[dev] {exc}")
    if missing:
        sys.exit("\n".join(missing))
    return found


def hatch_environment(python: Path) -> dict[str, str]:
    """The environment to run hatch in so that it builds a matrix env on ``python``. Hatch
    looks for interpreters on PATH; a virtualenv we might be running in must not stand in."""
    environment = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "HATCH_ENV_ACTIVE")}
    environment["PATH"] = path_with(python)
    return environment


def matrix_python(version: str) -> Path:
    """The Python executable of the `all` matrix env for ``version``, creating and syncing the
    env first (the benchmark runners' ``--python`` re-run themselves with it)."""
    python = find_or_exit([version])[version]
    hatch = ensure_hatch()
    command = [str(hatch), "run", f"{matrix_env(version)}:python", "-c", "import sys; print(sys.executable)"]
    # stderr (hatch's progress while it creates the env) goes to the user's terminal.
    finished = subprocess.run(command, cwd=ROOT, env=hatch_environment(python), stdout=subprocess.PIPE,
                              text=True, check=False)
    lines = finished.stdout.strip().splitlines()
    if finished.returncode != 0 or not lines:
        sys.exit(f"[dev] could not set up the {matrix_env(version)} environment (hatch exit {finished.returncode})")
    return Path(lines[-1])


def pytest_runs(arguments: list[str]) -> list[tuple[str, list[str]]]:
    """Each test-all run: the interpreter's version and its pytest arguments. ``--full`` also runs
    :data:`LONG_TESTS` on every interpreter; every other argument goes to every run."""
    full = "--full" in arguments
    pytest_args = [argument for argument in arguments if argument != "--full"]
    # --deselect, not --ignore: pytest collects an explicitly named file even when it is ignored.
    cut = [f"--deselect={path}" for path in LONG_TESTS]
    return [(version, [*([] if full or version == LONG_TESTS_ON else cut), *pytest_args]) for version in SUPPORTED]


def outcome(status: int) -> str:
    """How test-all reports a pytest exit status."""
    # pytest exits 5 when it collected nothing: a run that tested nothing did not pass.
    return "passed" if status == 0 else "FAILED: no tests collected" if status == 5 else f"FAILED (exit {status})"


def test_all(arguments: list[str]) -> int:
    """Run the suite on every supported interpreter in turn; 0 only if every run passed."""
    interpreters = find_or_exit(SUPPORTED)  # all checked first: no half-run ends in a missing one
    hatch = ensure_hatch()
    outcomes: dict[str, str] = {}
    for version, pytest_args in pytest_runs(arguments):
        python = interpreters[version]
        print(f"[dev] Python {version} ({python}): hatch run {matrix_env(version)}:test", flush=True)
        if version != LONG_TESTS_ON and "--full" not in arguments:
            print(f"[dev] {' and '.join(LONG_TESTS)} run on Python {LONG_TESTS_ON} only (--full: everywhere)",
                  flush=True)
        try:
            status = subprocess.call([str(hatch), "run", f"{matrix_env(version)}:test", *pytest_args],
                                     cwd=ROOT, env=hatch_environment(python))
        except KeyboardInterrupt:  # pytest got the Ctrl-C too and has stopped
            print(f"\n[dev] test-all interrupted during Python {version}", file=sys.stderr)
            return 130
        outcomes[version] = outcome(status)
    print("[dev] test-all: " + ", ".join(f"{version} {result}" for version, result in outcomes.items()), flush=True)
    return 0 if all(result == "passed" for result in outcomes.values()) else 1


def main(argv: list[str]) -> int:
    """Bootstrap hatch, then hand the process over to `hatch run dev:<script> <args>`."""
    # Checked here because this script is the first thing a contributor runs.
    if sys.version_info < (3, 10):  # noqa: UP036
        sys.exit("[dev] Nexios needs Python 3.10 or newer")
    if not argv:
        sys.exit(__doc__)
    script, *args = argv
    if script == "test-all":
        return test_all(args)
    command = [str(ensure_hatch()), "run", f"dev:{script}", *args]
    os.chdir(ROOT)
    if os.name == "nt":
        return subprocess.call(command)
    # exec, so Ctrl-C and the exit code go straight to and from the task (uvicorn, pytest).
    os.execv(command[0], command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
