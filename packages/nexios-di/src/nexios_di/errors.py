"""Validation failures of request inputs: one 422 listing every failing field."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from nexios_core import ImproperlyConfigured, UnprocessableEntity


class RequestValidationError(UnprocessableEntity):
    """422 with ``{"detail": [{"loc": [...], "msg": ..., "type": ...}, ...]}``, one item per
    failing field. ``loc`` starts with the source: ``path``, ``query``, ``header``, ``cookie``,
    ``body`` or ``form``."""

    def __init__(self, errors: Sequence[dict[str, Any]]) -> None:
        super().__init__(detail=list(errors))
        self.errors = list(errors)

    @property
    def websocket_reason(self) -> str:
        """The failing fields, for the close frame of a refused WebSocket: ``Invalid query.n``."""
        return "Invalid " + ", ".join(".".join(str(part) for part in error["loc"]) for error in self.errors)


class DependencyError(ImproperlyConfigured):
    """A handler or dependency cannot be wired: raised at registration, naming both."""


def error_item(loc: Sequence[Any], msg: str, kind: str) -> dict[str, Any]:
    """One entry of a 422 body."""
    return {"loc": list(loc), "msg": msg, "type": kind}


def from_pydantic(prefix: Sequence[Any], errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """pydantic errors as 422 entries under ``prefix`` (the input value is left out so that a
    secret or a huge value is never echoed back)."""
    return [error_item([*prefix, *err.get("loc", ())], err.get("msg", "Invalid value"),
                       err.get("type", "value_error")) for err in errors]


__all__ = ["DependencyError", "RequestValidationError", "error_item", "from_pydantic"]
