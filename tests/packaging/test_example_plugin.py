"""The example plugin is a real distribution: its wheel builds, installs into a fresh virtual
environment with nothing of Nexios but the nexios-core wheel, and an app that never imports it
finds it through the ``nexios.plugins`` entry point and serves its effects under uvicorn.

Like ``test_distributions.py`` (whose helpers this reuses), it runs real builds and installs.
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
import zipfile
from pathlib import Path

import httpx

from tests.packaging.test_distributions import ROOT, fresh_venv, run
from tests.support.live_server import live_server

PLUGIN = ROOT / "examples" / "plugins" / "nexios-request-timing"


def build_wheel(project: Path, out: Path) -> Path:
    run(sys.executable, "-m", "build", "--wheel", "--installer", "uv", "--outdir", str(out), str(project))
    name = project.name.replace("-", "_")
    wheels = list(out.glob(f"{name}-*.whl"))
    assert len(wheels) == 1, sorted(path.name for path in out.iterdir())
    return wheels[0]


def test_the_example_plugin_installs_with_nexios_core_alone_and_is_found_by_its_entry_point(
    tmp_path: Path,
) -> None:
    wheels = tmp_path / "wheels"
    plugin_wheel = build_wheel(PLUGIN, wheels)
    core_wheel = build_wheel(ROOT / "packages" / "nexios-core", wheels)
    contents = zipfile.ZipFile(plugin_wheel)
    assert "nexios_request_timing/py.typed" in contents.namelist()
    entry_points = next(name for name in contents.namelist() if name.endswith(".dist-info/entry_points.txt"))
    assert contents.read(entry_points).decode().split() == [
        "[nexios.plugins]", "request-timing", "=", "nexios_request_timing:RequestTimingPlugin",
    ]

    python = fresh_venv(tmp_path / "venv")
    # The uvicorn the tests use (already in uv's cache): serving needs a server, the plugin does not.
    uvicorn = f"uvicorn=={importlib.metadata.version('uvicorn')}"
    run(sys.executable, "-m", "uv", "pip", "install", "--quiet", "--python", str(python),
        str(core_wheel), str(plugin_wheel), uvicorn)
    installed = run(sys.executable, "-m", "uv", "pip", "list", "--python", str(python))
    nexios_dists = sorted(re.findall(r"^(nexios\S*)", installed, re.M))
    assert nexios_dists == ["nexios-core", "nexios-request-timing"], installed

    with live_server("timing_app:app", python=python, app_dir=str(ROOT / "examples" / "plugins")) as server:
        answer = httpx.get(server.base_url + "/", timeout=10)
        assert answer.status_code == 200, server.output()
        assert answer.json() == {"hello": "world", "loaded": ["nexios_core", "nexios_request_timing"]}
        assert re.fullmatch(r"nexios;dur=\d+\.\d", answer.headers["server-timing"])  # metric from config
        health = httpx.get(server.base_url + "/health", timeout=10)
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
        assert httpx.post(server.base_url + "/health", timeout=10).status_code == 405

