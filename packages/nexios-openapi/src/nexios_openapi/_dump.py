"""``dump``: the JSON form of OpenAPI objects, apart from the models themselves (so that code
which only converts what it is given does not import the models)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel


def dump(value: Any) -> Any:
    """The JSON form of a model, mapping or list of them (``None`` fields left out)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, Mapping):
        return {str(key): dump(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [dump(item) for item in value]
    return value
