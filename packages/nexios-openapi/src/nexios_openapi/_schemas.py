"""JSON Schemas for the types a document mentions, with shared models as components.

The builder asks :meth:`SchemaRegistry.schema` for a type while it walks the routes and gets back
an empty dict that it puts in the document; :meth:`SchemaRegistry.finish` then has pydantic
generate every schema in one run (so a model used by ten routes is one ``components/schemas``
entry, and two models that share a class name get distinct, stable names) and fills the dicts in.
A type pydantic cannot describe (an arbitrary class) becomes ``{}``, "any value", with a warning
naming where it was used, rather than breaking the whole document.
"""

from __future__ import annotations

import copy
import logging
from typing import Annotated, Any, Literal

import pydantic
from pydantic.json_schema import JsonSchemaMode

logger = logging.getLogger("nexios.openapi")

REF_PREFIX = "#/components/schemas/"

Mode = Literal["validation", "serialization"]


class SchemaRegistry:
    """Collects schema requests, then fills them all at once (see the module docstring)."""

    def __init__(self) -> None:
        self._inputs: list[tuple[int, JsonSchemaMode, pydantic.TypeAdapter[Any]]] = []
        self._slots: list[list[dict[str, Any]]] = []  # per input, every dict handed out for it
        self._known: dict[Any, int | None] = {}  # (type, mode, constraints) -> input, None: no schema
        self._extras: dict[str, dict[str, Any]] = {}

    def schema(self, annotation: Any, mode: Mode, *, where: str,
               constraints: dict[str, Any] | None = None) -> dict[str, Any]:
        """A dict that :meth:`finish` fills with the schema of ``annotation`` (with pydantic
        ``Field`` ``constraints`` such as ``ge`` or ``max_length`` applied)."""
        slot: dict[str, Any] = {}
        try:
            key: Any = (annotation, mode, tuple(sorted((constraints or {}).items())))
            hash(key)
        except TypeError:  # an unhashable annotation or constraint: described on its own
            key = None
        if key is not None and key in self._known:
            index = self._known[key]
            if index is not None:
                self._slots[index].append(slot)
            return slot
        index = self._add(annotation, mode, where, constraints, slot)
        if key is not None:
            self._known[key] = index
        return slot

    def _add(self, annotation: Any, mode: Mode, where: str, constraints: dict[str, Any] | None,
             slot: dict[str, Any]) -> int | None:
        target = annotation
        if constraints:
            try:
                target = Annotated[annotation, pydantic.Field(**constraints)]
            except TypeError as exc:
                logger.warning("OpenAPI: %s: constraints %r are not pydantic Field options (%s)",
                               where, constraints, exc)
        try:
            adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(target)
            adapter.json_schema(mode=mode)  # fails here, for this type only, if it cannot be described
        except Exception as exc:
            logger.warning("OpenAPI: %s: %r has no JSON Schema (%s); documented as any value",
                           where, annotation, exc)
            return None
        self._inputs.append((len(self._slots), mode, adapter))
        self._slots.append([slot])
        return len(self._slots) - 1

    def component(self, name: str, schema: dict[str, Any]) -> dict[str, Any]:
        """Register a fixed schema (the validation error body...) under ``name``; its ``$ref``."""
        self._extras[name] = schema
        return {"$ref": REF_PREFIX + name}

    def finish(self) -> dict[str, Any]:
        """Fill every slot handed out; return the ``components/schemas`` mapping."""
        components: dict[str, Any] = {}
        if self._inputs:
            schemas, definitions = pydantic.TypeAdapter.json_schemas(
                self._inputs, ref_template=REF_PREFIX + "{model}"
            )
            for (index, _mode), schema in schemas.items():
                for slot in self._slots[index]:
                    slot.update(copy.deepcopy(schema))
            components.update(definitions.get("$defs", {}))
        for name, schema in self._extras.items():
            components.setdefault(name, schema)
        return dict(sorted(components.items()))


def jsonable(value: Any) -> tuple[bool, Any]:
    """``(True, JSON form)`` of a default or example value, or ``(False, None)``."""
    try:
        return True, pydantic.TypeAdapter(Any).dump_python(value, mode="json")
    except Exception:
        return False, None


__all__ = ["REF_PREFIX", "Mode", "SchemaRegistry", "jsonable"]
