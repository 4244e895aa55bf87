"""POST /graph and POST /layout as plain functions: request model in, JSON bytes or model out."""

from __future__ import annotations

import anyio

from app.errors import Busy
from app.forms import resolve
from app.layout import relayout
from app.models import GraphRequest, LayoutRequest, LayoutResponse
from app.sandbox.graph_job import prepare
from app.sandbox.pool import Pool
from app.settings import Settings

__all__ = ["build_graph", "lay_out_again"]


async def build_graph(pool: Pool, settings: Settings, request: GraphRequest) -> bytes:
    """Run the program in a sandboxed child (which lays the graph out too); its GraphResponse JSON as is."""
    if pool.machine is None:
        raise Busy("the worker pool is still warming up; retry shortly")
    payload, confinement = prepare(resolve(request), request.options, settings, pool.machine)
    return await pool.run(payload, confinement)


async def lay_out_again(request: LayoutRequest) -> LayoutResponse:
    """Stateless re-layout for a new collapse state; nothing is re-run."""
    return await anyio.to_thread.run_sync(relayout, request)
