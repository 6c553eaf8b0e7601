"""Serve one of the apps in examples/ with uvicorn on http://127.0.0.1:8000.

    python3 scripts/dev.py example NAME [uvicorn options]   # examples/NAME.py, its `app`

Extra options go to uvicorn (``--port 9000``, ``--reload``...). Run with no NAME to list the
examples.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def available() -> list[str]:
    """The examples that define an ASGI ``app`` at module level."""
    return sorted(path.stem for path in EXAMPLES.glob("*.py") if "\napp = " in path.read_text(encoding="utf-8"))


def address(options: list[str]) -> str:
    """The URL uvicorn will serve on: 127.0.0.1:8000 unless ``--host``/``--port`` say otherwise
    (uvicorn takes the last one given, as here; ``--port=9000`` works too)."""
    chosen = {"--host": "127.0.0.1", "--port": "8000"}
    for index, option in enumerate(options):
        name, equals, value = option.partition("=")
        if name in chosen:
            if equals:
                chosen[name] = value
            elif index + 1 < len(options):
                chosen[name] = options[index + 1]
    return f"http://{chosen['--host']}:{chosen['--port']}"


def main(argv: list[str]) -> int:
    names = available()
    if not argv or argv[0] not in names:
        given = f"no example named {argv[0]!r}; " if argv else ""
        print(f"[example] {given}usage: python3 scripts/dev.py example NAME [uvicorn options]", file=sys.stderr)
        print(f"[example] examples: {', '.join(names)}", file=sys.stderr)
        return 2
    name, *options = argv
    print(f"[example] serving examples/{name}.py on {address(options)} (Ctrl-C to stop)", flush=True)
    command = [sys.executable, "-m", "uvicorn", "--app-dir", str(EXAMPLES), f"{name}:app",
               "--host", "127.0.0.1", "--port", "8000", *options]
    # exec, so Ctrl-C and the exit code go straight to and from uvicorn (later options win).
    os.execv(command[0], command)
    return 0  # pragma: no cover - execv does not return


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
