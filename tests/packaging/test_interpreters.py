"""Every supported CPython is declared the same way everywhere, and `scripts/dev.py` finds each one
as a contributor's machine has it (PATH, then pyenv) or says in one line which is missing.

The discovery tests build small PATH and pyenv trees in a temporary directory. Interpreters in
them either hand over to the real interpreter running the tests, or answer the probe the way a
stranger would (a pyenv shim for a version that is not selected, another version, PyPy).
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, as pytest itself uses it there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
RUNNING = f"{sys.version_info.major}.{sys.version_info.minor}"


def _load_interpreters() -> ModuleType:
    spec = importlib.util.spec_from_file_location("nexios_dev_interpreters", ROOT / "scripts" / "interpreters.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


interpreters = _load_interpreters()
SUPPORTED: tuple[str, ...] = interpreters.SUPPORTED


def _executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


def _handing_over(path: Path) -> Path:
    """A ``pythonX.Y`` that runs the interpreter running these tests."""
    return _executable(path, f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')


def _answering(path: Path, answer: str, status: int = 0) -> Path:
    """A ``pythonX.Y`` that prints ``answer`` whatever it is asked, and exits with ``status``."""
    return _executable(path, f"#!/bin/sh\necho '{answer}'\nexit {status}\n")


# --------------------------------------------------------------------------- one list, everywhere


def test_the_matrix_the_packages_and_this_run_agree_on_the_supported_versions() -> None:
    hatch = tomllib.loads((ROOT / "hatch.toml").read_text())
    assert hatch["envs"]["all"]["matrix"] == [{"python": list(SUPPORTED)}]
    assert RUNNING in SUPPORTED
    pyprojects = sorted((ROOT / "packages").glob("*/pyproject.toml"))
    assert len(pyprojects) == 8
    for pyproject in pyprojects:
        project = tomllib.loads(pyproject.read_text())["project"]
        assert project["requires-python"] == f">={SUPPORTED[0]}", pyproject
        declared = [c.rpartition(" :: ")[2] for c in project["classifiers"]
                    if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]
        assert declared == list(SUPPORTED), pyproject
        assert "Programming Language :: Python :: Implementation :: CPython" in project["classifiers"]


def test_every_package_module_compiles_on_this_interpreter() -> None:
    # Run on every interpreter of the matrix, so on 3.10 this refuses newer syntax (`except*`,
    # `type X = ...`, PEP 695 generics) even in a module no other test imports.
    sources = sorted((ROOT / "packages").glob("*/src/**/*.py"))
    assert len(sources) > 50
    for source in sources:
        compile(source.read_text(encoding="utf-8"), str(source), "exec", dont_inherit=True)


# --------------------------------------------------------------------------- discovery


def test_a_python_on_path_is_found_and_named_by_its_real_executable(tmp_path: Path) -> None:
    _handing_over(tmp_path / "bin" / f"python{RUNNING}")
    found = interpreters.find_python(RUNNING, search_path=str(tmp_path / "bin"), pyenv_root=tmp_path / "none")
    # The probe asks the interpreter itself, so a wrapper or symlink resolves to what really runs.
    assert found == Path(sys.executable)


def test_path_comes_before_pyenv(tmp_path: Path) -> None:
    _handing_over(tmp_path / "bin" / f"python{RUNNING}")
    _answering(tmp_path / "pyenv" / "versions" / f"{RUNNING}.0" / "bin" / f"python{RUNNING}",
               f"CPython {RUNNING} /from/pyenv")
    found = interpreters.find_python(RUNNING, search_path=str(tmp_path / "bin"), pyenv_root=tmp_path / "pyenv")
    assert found == Path(sys.executable)


def test_a_pyenv_shim_that_cannot_run_the_version_gives_way_to_the_pyenv_install(tmp_path: Path) -> None:
    # What pyenv's shim does for a version that is installed but not selected.
    _answering(tmp_path / "shims" / f"python{RUNNING}", f"pyenv: python{RUNNING}: command not found", status=127)
    _handing_over(tmp_path / "pyenv" / "versions" / f"{RUNNING}.7" / "bin" / f"python{RUNNING}")
    found = interpreters.find_python(RUNNING, search_path=str(tmp_path / "shims"), pyenv_root=tmp_path / "pyenv")
    assert found == Path(sys.executable)


def test_pyenv_offers_its_newest_patch_release_and_nothing_but_cpython_builds(tmp_path: Path) -> None:
    versions = tmp_path / "pyenv" / "versions"
    for name in ("3.13.2", "3.13.10", "3.13.9", "3.13.11t", "3.13-dev", "pypy3.13-7.3.19", "3.12.99"):
        _answering(versions / name / "bin" / "python3.13", f"CPython 3.13 /pyenv/{name}")
    found = interpreters.find_python("3.13", search_path="", pyenv_root=tmp_path / "pyenv")
    assert found == Path("/pyenv/3.13.10")  # numerically newest, not "3.13.9" by string order


@pytest.mark.parametrize("answer", ["CPython 3.9 /usr/bin/python3.9", "PyPy 3.13 /opt/pypy/bin/pypy3", ""])
def test_an_interpreter_that_is_not_cpython_of_that_version_does_not_count(tmp_path: Path, answer: str) -> None:
    _answering(tmp_path / "bin" / "python3.13", answer)
    with pytest.raises(interpreters.InterpreterNotFound):
        interpreters.find_python("3.13", search_path=str(tmp_path / "bin"), pyenv_root=tmp_path / "none")


def test_the_missing_version_message_says_where_it_looked_and_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(interpreters.InterpreterNotFound) as caught:
        interpreters.find_python("3.12", search_path=str(tmp_path), pyenv_root=tmp_path / "pyenv")
    message = str(caught.value)
    assert message.startswith("Python 3.12 not found: no working python3.12 on PATH")
    assert str(tmp_path / "pyenv" / "versions") in message
    assert "pyenv install 3.12" in message
    assert "\n" not in message


def test_an_unsupported_version_is_refused_by_name() -> None:
    with pytest.raises(interpreters.InterpreterNotFound, match="Python 3.9 is not one Nexios supports"):
        interpreters.find_python("3.9")


# --------------------------------------------------------------------------- the commands


def _dev(tmp_path: Path, *arguments: str, path: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PATH": path, "PYENV_ROOT": str(tmp_path / "no-pyenv"), "HOME": str(tmp_path)}
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "dev.py"), *arguments],
        capture_output=True, text=True, env=environment, timeout=120, check=False,
    )  # fmt: skip


def test_test_all_names_every_missing_interpreter_in_one_line_each_and_runs_nothing(tmp_path: Path) -> None:
    _handing_over(tmp_path / "bin" / f"python{RUNNING}")
    finished = _dev(tmp_path, "test-all", path=str(tmp_path / "bin"))
    assert finished.returncode == 1
    assert "Traceback" not in finished.stderr
    missing = [version for version in SUPPORTED if version != RUNNING]
    assert finished.stderr.splitlines() == [
        f"[dev] Python {version} not found: no working python{version} on PATH and none under "
        f"{tmp_path / 'no-pyenv' / 'versions'} (looked for {version}.*); install it, e.g. "
        f"`pyenv install {version}`, and run again"
        for version in missing
    ]
    assert finished.stdout == ""  # nothing was set up or run


def test_a_bench_runner_asked_for_a_missing_interpreter_says_which_in_one_line(tmp_path: Path) -> None:
    other = SUPPORTED[-1] if RUNNING != SUPPORTED[-1] else SUPPORTED[0]
    finished = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run_e2e.py"), "--python", other, "--endpoints", "plaintext"],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PATH": str(tmp_path), "PYENV_ROOT": str(tmp_path / "no-pyenv")},
    )  # fmt: skip
    assert finished.returncode == 1
    assert finished.stderr.strip().splitlines() == [
        f"[dev] Python {other} not found: no working python{other} on PATH and none under "
        f"{tmp_path / 'no-pyenv' / 'versions'} (looked for {other}.*); install it, e.g. "
        f"`pyenv install {other}`, and run again"
    ]



def _load_dev() -> ModuleType:
    sys.path.insert(0, str(ROOT / "scripts"))  # dev.py imports interpreters.py by name
    try:
        spec = importlib.util.spec_from_file_location("nexios_dev_script", ROOT / "scripts" / "dev.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return module


def test_test_all_runs_every_interpreter_and_the_longest_load_tests_on_the_newest_only() -> None:
    dev = _load_dev()
    runs = dev.pytest_runs(["-x", "tests/pressure"])
    assert [version for version, _ in runs] == list(SUPPORTED)
    cut = [f"--deselect={path}" for path in dev.LONG_TESTS]
    assert runs[:-1] == [(version, [*cut, "-x", "tests/pressure"]) for version in SUPPORTED[:-1]]
    assert runs[-1] == (SUPPORTED[-1], ["-x", "tests/pressure"])
    assert all((ROOT / path).is_file() for path in dev.LONG_TESTS)  # a renamed file must not escape the cut
    assert dev.pytest_runs(["--full", "-q"]) == [(version, ["-q"]) for version in SUPPORTED]


def test_test_all_counts_a_run_that_collected_nothing_as_a_failure() -> None:
    dev = _load_dev()
    assert dev.outcome(0) == "passed"
    assert dev.outcome(5) == "FAILED: no tests collected"
    assert dev.outcome(1) == "FAILED (exit 1)"
