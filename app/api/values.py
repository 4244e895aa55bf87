"""POST /values: one page of one node's value or gradient, from a deterministic re-run in the sandbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from app.api.dependencies import get_pool, get_settings_from_app
from app.api.disconnect import json_unless_disconnected
from app.api.graph import ERRORS
from app.api.service import run_sandboxed
from app.models import ValuesRequest, ValuesResponse
from app.sandbox.pool import Pool
from app.settings import Settings

__all__ = ["router"]

router = APIRouter()


@router.post("/values", response_model=ValuesResponse, responses=ERRORS)
async def post_values(
    body: ValuesRequest,
    request: Request,
    pool: Annotated[Pool, Depends(get_pool)],
    settings: Annotated[Settings, Depends(get_settings_from_app)],
) -> Response:
    """Re-run a program (same seed and options: same node ids) and answer a page of one node's numbers."""
    return await json_unless_disconnected(
        request, lambda: run_sandboxed(pool, settings, body, values=body.query())
    )
