"""``bench/nexios_app.py`` serves its docs pages by default, as every app does, and
``NEXIOS_BENCH_DOCS=off`` serves the same endpoints without them (bench/README.md): the two runs
that say what the docs cost the other routes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"

PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import nexios_app
from nexios.testclient import TestClient
http = TestClient(nexios_app.app)
print(json.dumps({path: http.get(path).status_code for path in ("/docs", "/openapi.json", "/plaintext", "/users/42")}))
"""


def run_probe(probe: str, variable: str, value: str | None) -> str:
    """The last line ``probe`` prints, run in a fresh interpreter with ``variable`` set to
    ``value`` (or unset)."""
    env = {key: item for key, item in os.environ.items() if key != variable}
    if value is not None:
        env[variable] = value
    done = subprocess.run([sys.executable, "-c", probe, str(BENCH)], capture_output=True, text=True,
                          timeout=60, env=env, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def statuses(docs: str | None) -> dict[str, int]:
    return json.loads(run_probe(PROBE, "NEXIOS_BENCH_DOCS", docs))  # type: ignore[no-any-return]


def test_docs_are_on_by_default_and_off_with_the_switch() -> None:
    assert statuses(None) == {"/docs": 200, "/openapi.json": 200, "/plaintext": 200, "/users/42": 200}
    assert statuses("off") == {"/docs": 404, "/openapi.json": 404, "/plaintext": 200, "/users/42": 200}


ID_PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
import nexios_app
from nexios.testclient import TestClient
print("x-request-id" in TestClient(nexios_app.app).get("/plaintext").headers)
"""


def test_request_ids_are_echoed_by_default_and_not_with_the_switch() -> None:
    def echoed(setting: str | None) -> str:
        return run_probe(ID_PROBE, "NEXIOS_BENCH_REQUEST_IDS", setting)

    assert (echoed(None), echoed("off")) == ("True", "False")
