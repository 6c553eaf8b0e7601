"""Fuzz example apps from their own OpenAPI documents with schemathesis, under real uvicorn.

    python scripts/openapi_fuzz.py                       # both apps, 300 examples per operation
    python scripts/openapi_fuzz.py --max-examples 50 --seed 7 examples/quickstart.py:app

Each app is served by uvicorn in a child process on a free loopback port; schemathesis reads
``/openapi.json`` and runs every check (no 5xx, status codes, content types, headers and bodies
as documented, invalid data refused, valid data accepted...) over positive and negative data.
The exit status is 0 only when every app passes. The test suite runs the same function with a
few examples per operation (``tests/openapi/test_schemathesis.py``); this task runs many more
(``python3 scripts/dev.py fuzz-openapi``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_APPS = ("examples/quickstart.py:app", "examples/bookshop.py:app")
# Credentials sent with every request, so that protected operations are exercised past their 401
# (schemathesis also sends requests without them, to check that they are refused).
APP_OPTIONS = {"examples/bookshop.py:app": ["--header", "X-API-Key: staff-demo-key"]}
STARTUP_TIMEOUT = 20.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _schemathesis() -> list[str]:
    found = shutil.which("schemathesis", path=os.path.dirname(sys.executable)) or shutil.which("schemathesis")
    if found is None:
        raise SystemExit("schemathesis is not installed (it is in the dev environment: python3 scripts/dev.py ...)")
    return [found]


def fuzz(app: str, *, max_examples: int, seed: int | None = None, extra: list[str] | None = None) -> tuple[int, str]:
    """Serve ``app`` (``path/to/file.py:attribute``) and run schemathesis against it; returns the
    exit status and schemathesis's output."""
    file, _, attribute = app.partition(":")
    path = (ROOT / file).resolve()
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", f"{path.stem}:{attribute or 'app'}", "--app-dir", str(path.parent),
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/openapi.json"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    output = server.stdout.read().decode() if server.stdout else ""
                    return 1, f"{app} did not start:\n{output}"
                time.sleep(0.1)
        command = [*_schemathesis(), "run", url, "--checks", "all", "--max-examples", str(max_examples),
                   "--no-color", "--workers", "1", *(["--seed", str(seed)] if seed is not None else []),
                   *(extra or [])]
        # schemathesis keeps a crash cache in its working directory: a throwaway one, not the checkout.
        with tempfile.TemporaryDirectory(prefix="schemathesis-") as workdir:
            result = subprocess.run(command, cwd=workdir, capture_output=True, text=True)
        return result.returncode, result.stdout + result.stderr
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("apps", nargs="*", default=list(DEFAULT_APPS), help="path/to/file.py:attribute")
    parser.add_argument("--max-examples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=None)
    args, extra = parser.parse_known_args(argv)
    status = 0
    for app in args.apps:
        code, output = fuzz(app, max_examples=args.max_examples, seed=args.seed,
                            extra=[*APP_OPTIONS.get(app, []), *extra])
        print(f"===== {app}: {'passed' if code == 0 else f'FAILED ({code})'}\n{output}", flush=True)
        status = status or code
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
