"""Application configuration: ``MakeConfig``.

``MakeConfig`` wraps a mapping with attribute and item access; nested mappings become configs.
Missing keys read as ``None`` through attribute access (``config.cors`` is ``None`` when unset), so
optional features can test for their section without try/except.

Each app owns its config (``app.config``); nothing here is process-wide. Code that needs the
config of the app it runs in reads ``request.app.config``, or ``setup(app)`` at start-up.
(``nexios.config.get_config()`` is upstream Nexios's accessor, kept in the facade.)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

Validator = Callable[[Any], bool]
"""A check for one key's value: ``True`` when the value is acceptable."""


class MakeConfig(Mapping[str, Any]):
    """Configuration values: ``MakeConfig({"debug": True})`` or ``MakeConfig(debug=True)``.

    ``defaults`` fill keys the values leave out (values win, keyword arguments win over both).
    ``validate`` maps keys to checks (``{"port": lambda p: 0 < p < 65536}``): a value failing
    its check raises ``ValueError``, at construction and whenever it is set. ``immutable=True``
    makes every change raise ``AttributeError`` (nested sections included). ``config["db.host"]``
    reads a nested value (``None`` when any part is missing); a missing plain key raises
    ``KeyError`` as a mapping does, and reads as ``None`` as an attribute.
    """

    def __init__(
        self,
        values: Mapping[str, Any] | None = None,
        *,
        defaults: Mapping[str, Any] | None = None,
        validate: Mapping[str, Validator] | None = None,
        immutable: bool = False,
        **kwargs: Any,
    ) -> None:
        object.__setattr__(self, "_data", {})
        object.__setattr__(self, "_validators", dict(validate or {}))
        object.__setattr__(self, "_frozen_sections", immutable)  # nested sections are made like this one
        object.__setattr__(self, "_immutable", False)
        for key, value in {**dict(defaults or {}), **dict(values or {}), **kwargs}.items():
            self._store(key, value)
        object.__setattr__(self, "_immutable", immutable)

    def _store(self, key: str, value: Any) -> None:
        if self._immutable:
            raise AttributeError(f"This config is immutable: {key!r} cannot be set")
        check = self._validators.get(key)
        if check is not None and not check(value):
            raise ValueError(f"Invalid value for config key {key!r}: {value!r}")
        if isinstance(value, Mapping) and not isinstance(value, MakeConfig):
            value = MakeConfig(value, immutable=self._frozen_sections)
        self._data[key] = value

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._data.get(name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._store(name, value)

    def __delattr__(self, name: str) -> None:
        if self._immutable:
            raise AttributeError(f"This config is immutable: {name!r} cannot be removed")
        self._data.pop(name, None)

    def __getitem__(self, key: str) -> Any:
        data = self._data
        if key in data or "." not in key:
            return data[key]
        current: Any = self
        for part in key.split("."):
            if not isinstance(current, MakeConfig):
                return None
            current = current.get(part)
        return current

    def __setitem__(self, key: str, value: Any) -> None:
        self._store(key, value)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)

    def update(self, values: Mapping[str, Any], *, recursive: bool = True) -> None:
        """Set every key of ``values``. With ``recursive`` (the default) a mapping given for a
        section that exists is merged into it rather than replacing it."""
        for key, value in values.items():
            current = self._data.get(key)
            if recursive and isinstance(value, Mapping) and isinstance(current, MakeConfig):
                current.update(value, recursive=True)
            else:
                self._store(key, value)

    def to_dict(self) -> dict[str, Any]:
        """A plain-dict copy, nested configs included."""
        return {k: v.to_dict() if isinstance(v, MakeConfig) else v for k, v in self._data.items()}

    def to_json(self, **options: Any) -> str:
        """The config as JSON (``options`` go to :func:`json.dumps`; ``indent=4`` by default)."""
        options.setdefault("indent", 4)
        return json.dumps(self.to_dict(), **options)

    def __repr__(self) -> str:
        return f"MakeConfig({self.to_dict()!r})"


__all__ = ["MakeConfig"]
