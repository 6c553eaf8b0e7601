"""``examples/core_docs.py``: an app made of nexios-core, nexios-routing, nexios-di and
nexios-openapi alone serves its document and docs pages under uvicorn, without the facade."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from openapi_spec_validator import validate

ROOT = Path(__file__).resolve().parents[2]

NO_FACADE = """
import json, sys
sys.path.insert(0, "examples")
import core_docs
document = core_docs.docs.document()
print(json.dumps({"facade": sorted(m for m in sys.modules if m == "nexios" or m.startswith("nexios.")),
                  "auth_or_session": sorted(m for m in sys.modules if m.startswith(("nexios_auth", "nexios_session"))),
                  "paths": list(document["paths"])}))
"""


def test_the_core_only_app_imports_no_facade() -> None:
    done = subprocess.run([sys.executable, "-c", NO_FACADE], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"facade": [], "auth_or_session": [],
                                       "paths": ["/sensors", "/sensors/{sensor_id}"]}


def test_the_core_only_app_serves_its_docs_under_uvicorn(live_server: Any) -> None:
    base_url = live_server("examples.core_docs:app")
    document = httpx.get(f"{base_url}/openapi.json").json()
    validate(document)
    assert document["info"] == {"title": "Sensors", "version": "1.0.0",
                                "description": "Temperatures around the house."}
    assert document["components"]["schemas"]["Sensor"]["properties"]["celsius"]["maximum"] == 80
    page = httpx.get(f"{base_url}/docs")
    assert page.status_code == 200 and "swagger-ui-bundle.js" in page.text
    assert httpx.get(f"{base_url}/docs-assets/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert httpx.get(f"{base_url}/redoc").status_code == 200
    assert httpx.get(f"{base_url}/sensors?warmer_than=25").json() == [
        {"id": 2, "room": "attic", "celsius": 27.0}]
    assert httpx.get(f"{base_url}/sensors/9").status_code == 404
