"""What the tests of ``docs/`` share: where the pages and examples are, the guide pages whose
Python blocks must be excerpts of tested examples, the example files, and how to load one."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from nexios.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"

GUIDE_PAGES = [
    "index.md", "getting-started.md", "routing.md", "requests.md", "responses.md", "middleware.md",
    "errors.md", "lifespan.md", "websockets.md", "static-files.md", "testing.md",
    "limits-and-security.md", "configuration.md", "dependencies.md", "channels.md", "rate-limiting.md",
    "deployment.md",
]
"""The pages whose Python blocks must be verbatim excerpts of tested example files."""

KNOWN_EXAMPLES = {
    "configuration.py", "dependencies.py", "errors.py", "getting_started.py", "lifespan.py", "middleware.py",
    "request_limits.py", "request_reading.py", "response_sending.py", "routing.py", "static_files.py",
    "testing.py", "websocket_chat.py", "channels_chat.py", "channels_transport.py", "rate_limits.py",
    "migrating.py",
}
"""Every example file, each exercised by the tests below (a new file must be added here). Names
avoid those of installed packages (``websockets``, ``requests``...): ``nexios run file.py:app``
puts the file's directory first on ``sys.path``, where such a file would shadow the package."""

_loads = 0


def load(filename: str) -> ModuleType:
    """Import ``docs/examples/<filename>`` as a fresh module (examples keep notes in module lists)."""
    global _loads
    _loads += 1
    name = f"docs_example_{filename[:-3]}_{_loads}"
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / filename)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pydantic resolve annotations through it
    spec.loader.exec_module(module)
    return module


def make_client(app: Any, **options: Any) -> TestClient:
    """A test client that shows redirects instead of following them."""
    return TestClient(app, follow_redirects=False, **options)


