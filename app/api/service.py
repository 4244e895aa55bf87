"""POST /graph and POST /layout as plain functions: request model in, JSON bytes or model out."""

from __future__ import annotations

import anyio

from app.errors import Busy
from app.forms import resolve
from app.layout import relayout
from app.models import GraphRequest, LayoutRequest, LayoutResponse, ValuesQuery
from app.sandbox.graph_job import prepare
from app.sandbox.pool import Pool
from app.settings import Settings

__all__ = ["lay_out_again", "run_sandboxed"]


async def run_sandboxed(
    pool: Pool, settings: Settings, request: GraphRequest, values: ValuesQuery | None = None
) -> bytes:
    """The child's JSON as it came: the graph (laid out in the child), or with `values` one page of a node's
    numbers (not parsed again here: a GPT-2 graph is megabytes)."""
    if pool.machine is None:
        raise Busy("the worker pool is still warming up; retry shortly")
    payload, confinement = prepare(resolve(request), request.options, settings, pool.machine, values=values)
    return await pool.run(payload, confinement)


async def lay_out_again(request: LayoutRequest) -> LayoutResponse:
    """Stateless re-layout for a new collapse state; nothing is re-run."""
    return await anyio.to_thread.run_sync(relayout, request)
