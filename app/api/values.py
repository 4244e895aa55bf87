"""POST /values: one page of one node's value or gradient, from a deterministic re-run in the sandbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from app.api.dependencies import get_pool, get_settings_from_app
from app.api.disconnect import unless_disconnected
from app.api.graph import CLIENT_CLOSED, ERRORS
from app.errors import Busy
from app.forms import resolve
from app.models import ValuesRequest, ValuesResponse
from app.sandbox.graph_job import prepare
from app.sandbox.pool import Pool
from app.settings import Settings

__all__ = ["node_values", "router"]

router = APIRouter()


@router.post("/values", response_model=ValuesResponse, responses=ERRORS)
async def post_values(
    body: ValuesRequest,
    request: Request,
    pool: Annotated[Pool, Depends(get_pool)],
    settings: Annotated[Settings, Depends(get_settings_from_app)],
) -> Response:
    """Re-run a program (same seed and options: same node ids) and answer a page of one node's numbers."""
    values = await unless_disconnected(request, lambda: node_values(pool, settings, body))
    if values is None:
        return Response(status_code=CLIENT_CLOSED)
    return Response(values, media_type="application/json")


async def node_values(pool: Pool, settings: Settings, request: ValuesRequest) -> bytes:
    """The child's ValuesResponse JSON as is (a 65,536-value page is not parsed again in the server)."""
    if pool.machine is None:
        raise Busy("the worker pool is still warming up; retry shortly")
    payload, confinement = prepare(
        resolve(request), request.options, settings, pool.machine, values=request.query()
    )
    return await pool.run(payload, confinement)
