"""Run a Nexios dev task on a machine that has only Python 3.10+ and git.

    python3 scripts/dev.py test [pytest args]   # set everything up, run the test suite
    python3 scripts/dev.py demo                 # set everything up, serve the demo on :8000
    python3 scripts/dev.py <script> [args]      # any script of the `dev` env in hatch.toml

Hatch is installed into .venv-tools/ (a private venv, because Debian's system pip refuses to
install packages), then the task runs as `hatch run dev:<script>`. Uses only the standard library.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

HATCH_REQUIREMENT = "hatch>=1.18,<1.19"
ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".venv-tools"
BIN = TOOLS / ("Scripts" if os.name == "nt" else "bin")
# Written last, so an interrupted install is redone on the next run instead of half-used.
READY_MARKER = TOOLS / f"ready-{HATCH_REQUIREMENT}"


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


def main(argv: list[str]) -> int:
    """Bootstrap hatch, then hand the process over to `hatch run dev:<script> <args>`."""
    # Checked here because this script is the first thing a contributor runs.
    if sys.version_info < (3, 10):  # noqa: UP036
        sys.exit("[dev] Nexios needs Python 3.10 or newer")
    if not argv:
        sys.exit(__doc__)
    script, *args = argv
    command = [str(ensure_hatch()), "run", f"dev:{script}", *args]
    os.chdir(ROOT)
    if os.name == "nt":
        return subprocess.call(command)
    # exec, so Ctrl-C and the exit code go straight to and from the task (uvicorn, pytest).
    os.execv(command[0], command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
