"""Helpers for the OpenAPI tests: the document of an app, checked against the OpenAPI 3.1 schema."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate


def valid(document: dict[str, Any]) -> dict[str, Any]:
    """``document``, after openapi-spec-validator found it a valid OpenAPI 3.1 document."""
    validate(document)
    return document


@pytest.fixture
def document_of() -> Any:
    """``document_of(app)``: the app's OpenAPI document, validated."""

    def build(app: Any) -> dict[str, Any]:
        return valid(app.openapi() if hasattr(app, "openapi") else app.docs.document(app))

    return build


def operation(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    """One operation of a document."""
    return document["paths"][path][method.lower()]  # type: ignore[no-any-return]


def schema_of(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """``schema``, with a top-level ``$ref`` to a component resolved."""
    ref = schema.get("$ref")
    if ref:
        return document["components"]["schemas"][ref.rsplit("/", 1)[-1]]  # type: ignore[no-any-return]
    return schema
