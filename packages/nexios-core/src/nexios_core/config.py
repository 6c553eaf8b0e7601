"""Application configuration: ``MakeConfig`` and the process-wide default.

``MakeConfig`` wraps a mapping with attribute and item access; nested mappings become configs.
Missing keys read as ``None`` through attribute access (``config.cors`` is ``None`` when unset), so
optional features can test for their section without try/except.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


class MakeConfig(Mapping[str, Any]):
    """Configuration values: ``MakeConfig({"debug": True})`` or ``MakeConfig(debug=True)``."""

    def __init__(self, values: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        data: dict[str, Any] = {}
        for key, value in {**dict(values or {}), **kwargs}.items():
            data[key] = _wrap(value)
        object.__setattr__(self, "_data", data)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._data.get(name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._data[name] = _wrap(value)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.__setattr__(key, value)

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)

    def to_dict(self) -> dict[str, Any]:
        """A plain-dict copy, nested configs included."""
        return {k: v.to_dict() if isinstance(v, MakeConfig) else v for k, v in self._data.items()}

    def __repr__(self) -> str:
        return f"MakeConfig({self.to_dict()!r})"


def _wrap(value: Any) -> Any:
    return MakeConfig(value) if isinstance(value, Mapping) and not isinstance(value, MakeConfig) else value


_current: MakeConfig | None = None


def set_config(config: MakeConfig | Mapping[str, Any]) -> MakeConfig:
    """Make ``config`` the process-wide default (``NexiosApp(config=...)`` calls this)."""
    global _current
    _current = config if isinstance(config, MakeConfig) else MakeConfig(config)
    return _current


def get_config() -> MakeConfig:
    """The process-wide config set by the most recent app; an empty config before any."""
    global _current
    if _current is None:
        _current = MakeConfig()
    return _current


__all__ = ["MakeConfig", "get_config", "set_config"]
