"""/openapi.json for bodies the server forwards unparsed: their models are added to the components."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

__all__ = ["publish_request_models"]


def publish_request_models(app: FastAPI, *models: type[BaseModel]) -> None:
    """Make `app.openapi()` list `models` (and the models they use) under components.schemas; a name FastAPI
    already lists keeps FastAPI's entry."""
    make = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = make()
            _, found = models_json_schema(
                [(model, "validation") for model in models], ref_template="#/components/schemas/{model}"
            )
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, definition in found.get("$defs", {}).items():
                components.setdefault(name, definition)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
