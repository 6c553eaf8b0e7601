"""Find the CPython interpreters Nexios supports, as a contributor's machine has them.

A version ``X.Y`` is looked for first as ``pythonX.Y`` on ``PATH``, then under pyenv
(``$PYENV_ROOT``, else ``~/.pyenv``: the newest ``versions/X.Y.N``). Every candidate is run once to
ask what it is: a pyenv shim for a version that is installed but not selected exits with an
error, and a ``pythonX.Y`` that is not CPython ``X.Y`` is not what the matrix means, so neither
counts. Uses only the standard library (``scripts/dev.py`` imports it before anything is set up).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

SUPPORTED = ("3.10", "3.11", "3.12", "3.13")
"""Every CPython version the packages declare and CI tests, oldest first (hatch.toml's matrix)."""

PROBE_TIMEOUT_SECONDS = 30
_PROBE = "import platform, sys; print(platform.python_implementation(), '%d.%d' % sys.version_info[:2], sys.executable)"


class InterpreterNotFound(Exception):
    """No working CPython of the version asked for; the message says where it looked and what to do."""


def find_python(version: str, *, search_path: str | None = None, pyenv_root: Path | None = None) -> Path:
    """The executable of CPython ``version`` ("3.13"): from ``PATH``, else from pyenv.

    ``search_path`` and ``pyenv_root`` default to the environment's (``PATH``, ``$PYENV_ROOT`` or
    ``~/.pyenv``). Raises :class:`InterpreterNotFound` with a one-line message.
    """
    if version not in SUPPORTED:
        raise InterpreterNotFound(f"Python {version} is not one Nexios supports ({', '.join(SUPPORTED)})")
    name = f"python{version}"
    directories = (os.environ.get("PATH", "") if search_path is None else search_path).split(os.pathsep)
    for directory in filter(None, directories):
        found = _probe(Path(directory) / name, version)
        if found is not None:
            return found
    root = _pyenv_root() if pyenv_root is None else pyenv_root
    for install in _pyenv_installs(root, version):
        found = _probe(install / "bin" / name, version)
        if found is not None:
            return found
    raise InterpreterNotFound(
        f"Python {version} not found: no working {name} on PATH and none under {root / 'versions'}"
        f" (looked for {version}.*); install it, e.g. `pyenv install {version}`, and run again"
    )


def _pyenv_root() -> Path:
    configured = os.environ.get("PYENV_ROOT")
    return Path(configured) if configured else Path.home() / ".pyenv"


def _pyenv_installs(root: Path, version: str) -> list[Path]:
    """pyenv's installs of ``version``, newest patch release first. Free-threaded (``3.13.0t``),
    development and other implementations' builds have other names and are left out."""
    pattern = re.compile(rf"{re.escape(version)}\.(\d+)")
    try:
        entries = list((root / "versions").iterdir())
    except OSError:
        return []
    matching = [(int(m.group(1)), entry) for entry in entries if (m := pattern.fullmatch(entry.name))]
    return [entry for _, entry in sorted(matching, reverse=True)]


def _probe(candidate: Path, version: str) -> Path | None:
    """``candidate``'s real executable if it runs and is CPython ``version``, else None."""
    if not (candidate.is_file() and os.access(candidate, os.X_OK)):
        return None
    try:
        answer = subprocess.run(
            [str(candidate), "-I", "-c", _PROBE],
            capture_output=True, text=True, timeout=PROBE_TIMEOUT_SECONDS, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    implementation, _, rest = answer.stdout.strip().partition(" ")
    reported, _, executable = rest.partition(" ")
    if answer.returncode != 0 or implementation != "CPython" or reported != version or not executable:
        return None
    return Path(executable)


def path_with(python: Path, path: str | None = None) -> str:
    """``PATH`` with ``python``'s directory first, so that hatch's own interpreter discovery finds
    exactly this interpreter for its version."""
    current = os.environ.get("PATH", "") if path is None else path
    return os.pathsep.join([str(python.parent), *filter(None, current.split(os.pathsep))])
