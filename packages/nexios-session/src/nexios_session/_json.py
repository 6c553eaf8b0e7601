"""Strict JSON for session data: what is saved loads back unchanged, and nothing else is saved.

Pickle is never used: a store that an attacker can write to (a shared Redis, a file directory)
must not become code execution in the app.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .exceptions import SessionDataError

_encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def dumps(value: Any) -> str:
    """Encode ``value`` as compact JSON; :class:`SessionDataError` for anything JSON cannot hold."""
    try:
        return _encoder.encode(value)
    except (TypeError, ValueError) as exc:
        raise SessionDataError(
            f"Session data must be JSON (dict, list, str, int, float, bool, None): {exc}"
        ) from exc


def loads(raw: str | bytes) -> Any:
    """Decode JSON; raises ``ValueError`` for anything malformed (including absurd nesting)."""
    try:
        return json.loads(raw)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc


def dumps_data(data: Mapping[str, Any]) -> str:
    """Encode a session's data mapping."""
    return dumps(dict(data))


def loads_data(raw: str | bytes) -> dict[str, Any] | None:
    """A session's data mapping, or ``None`` when ``raw`` is not a JSON object."""
    try:
        value = loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


__all__ = ["dumps", "dumps_data", "loads", "loads_data"]
