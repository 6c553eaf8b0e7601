"""Build the sdist and wheel of every distribution under packages/ into dist/.

Run through hatch (`hatch run dev:build-all`, or `python3 scripts/dev.py build-all`) so the
`build` front end is installed. Each package builds in its own isolated environment, exactly as
an installer from PyPI would build it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"


def main() -> int:
    """Empty dist/, then build each package; stop at the first failure."""
    shutil.rmtree(DIST, ignore_errors=True)
    packages = sorted(p.parent for p in (ROOT / "packages").glob("*/pyproject.toml"))
    for package in packages:
        print(f"[build-all] {package.name}", flush=True)
        command = [sys.executable, "-m", "build", "--installer", "uv", "--outdir", str(DIST), str(package)]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            print(result.stdout, result.stderr, f"[build-all] FAILED: {package.name}", sep="\n", file=sys.stderr)
            return 1
    built = sorted(path.name for path in DIST.iterdir())
    print("\n".join(["[build-all] built:", *built]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
