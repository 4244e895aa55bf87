"""POST /graph and POST /layout: thin routes over app.api.service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from app.api.dependencies import get_pool, get_settings_from_app
from app.api.disconnect import json_unless_disconnected
from app.api.service import lay_out_again, run_sandboxed
from app.models import ErrorBody, GraphRequest, GraphResponse, LayoutRequest, LayoutResponse
from app.sandbox.pool import Pool
from app.settings import Settings

__all__ = ["router"]

router = APIRouter()

ERRORS: dict[int | str, dict[str, object]] = {status: {"model": ErrorBody} for status in (413, 422, 500, 503)}


@router.post("/graph", response_model=GraphResponse, responses=ERRORS)
async def post_graph(
    body: GraphRequest,
    request: Request,
    pool: Annotated[Pool, Depends(get_pool)],
    settings: Annotated[Settings, Depends(get_settings_from_app)],
) -> Response:
    """Run a PyTorch program in a sandbox; answer its autograd graph with values, gradients and layout."""
    return await json_unless_disconnected(request, lambda: run_sandboxed(pool, settings, body))


@router.post("/layout", response_model=LayoutResponse, responses=ERRORS)
async def post_layout(body: LayoutRequest) -> LayoutResponse:
    """Lay a graph out again (e.g. with groups collapsed) without re-running anything."""
    return await lay_out_again(body)
