"""POST /graph and POST /layout: thin routes over app.api.service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from app.api.dependencies import get_layout_gate, get_pool, get_settings_from_app
from app.api.disconnect import json_unless_disconnected
from app.api.gate import Gate
from app.api.service import lay_out_sandboxed, run_sandboxed
from app.models import ErrorBody, GraphRequest, GraphResponse, LayoutResponse
from app.sandbox.pool import Pool
from app.settings import Settings

__all__ = ["LAYOUT_REQUEST_SCHEMA", "router"]

router = APIRouter()

ERRORS: dict[int | str, dict[str, object]] = {status: {"model": ErrorBody} for status in (413, 422, 500, 503)}
# POST /layout's body is read as bytes and parsed in the sandbox; the schema is published all the same
# (app.api.schema puts LayoutRequest into the components)
LAYOUT_REQUEST_SCHEMA = {"$ref": "#/components/schemas/LayoutRequest"}


@router.post("/graph", response_model=GraphResponse, responses=ERRORS)
async def post_graph(
    body: GraphRequest,
    request: Request,
    pool: Annotated[Pool, Depends(get_pool)],
    settings: Annotated[Settings, Depends(get_settings_from_app)],
) -> Response:
    """Run a PyTorch program in a sandbox; answer its autograd graph with values, gradients and layout."""
    return await json_unless_disconnected(request, lambda: run_sandboxed(pool, settings, body))


@router.post(
    "/layout",
    response_model=LayoutResponse,
    responses=ERRORS,
    openapi_extra={
        "requestBody": {"content": {"application/json": {"schema": LAYOUT_REQUEST_SCHEMA}}, "required": True}
    },
)
async def post_layout(
    request: Request,
    pool: Annotated[Pool, Depends(get_pool)],
    settings: Annotated[Settings, Depends(get_settings_from_app)],
    gate: Annotated[Gate, Depends(get_layout_gate)],
) -> Response:
    """Lay a graph out again (e.g. with groups collapsed) without re-running anything; in a sandbox child,
    `layout_workers` at a time."""
    async with gate.admitted() as limiter:
        body = await request.body()
        async with limiter:
            return await json_unless_disconnected(request, lambda: lay_out_sandboxed(pool, settings, body))
