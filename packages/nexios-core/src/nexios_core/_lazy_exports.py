"""A module ``__getattr__`` (PEP 562) that finds names in sibling modules on first use.

Separate because two modules share it: ``responses`` and ``websocket`` still export names whose
code moved to modules that import them back (``streaming``, ``consumers``...). Importing those
eagerly would be an import cycle, so the old module looks them up only when one is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(module_name: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A ``__getattr__`` for module ``module_name`` that serves each name in ``homes`` from the
    sibling module named there (``{"StreamingResponse": "streaming"}``)."""
    package = module_name.rpartition(".")[0]

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{home}"), name)

    return __getattr__
