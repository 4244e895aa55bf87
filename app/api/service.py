"""POST /graph and POST /layout as plain functions: request model in, JSON bytes or model out."""

from __future__ import annotations

import time

import anyio

from app.errors import Busy
from app.forms import ResolvedProgram, resolve
from app.layout import default_collapsed, fold_repeats, layout, relayout
from app.models import GraphRequest, GraphResponse, LayoutRequest, LayoutResponse
from app.sandbox.graph_job import prepare
from app.sandbox.pool import Pool
from app.settings import Settings

__all__ = ["build_graph", "finish", "lay_out_again"]


async def build_graph(pool: Pool, settings: Settings, request: GraphRequest) -> bytes:
    """Run the program in a sandboxed child; lay the graph out here when asked. GraphResponse JSON."""
    if pool.machine is None:
        raise Busy("the worker pool is still warming up; retry shortly")
    resolved = resolve(request)
    payload, confinement = prepare(resolved.program, request.options, settings, pool.machine)
    result = await pool.run(payload, confinement)
    if not (request.options.layout or resolved.generated):
        return result  # the child's JSON goes out as it came: no second parse
    return await anyio.to_thread.run_sync(finish, result, resolved, request.options.layout)


def finish(result: bytes, resolved: ResolvedProgram, with_layout: bool) -> bytes:
    """Parse the child's graph once, add the generated program and the layout, encode once (blocking)."""
    graph = resolved.annotate(GraphResponse.model_validate_json(result))
    if with_layout:
        graph = lay_out(graph)
    return graph.model_dump_json().encode()


def lay_out(graph: GraphResponse) -> GraphResponse:
    """Stacks of identical blocks folded, big graphs opened with their deepest groups collapsed."""
    started = time.perf_counter()
    folded = fold_repeats(graph)
    placed = layout(folded, default_collapsed(folded))
    placed.timings["layout"] = round((time.perf_counter() - started) * 1000, 3)
    return placed


async def lay_out_again(request: LayoutRequest) -> LayoutResponse:
    """Stateless re-layout for a new collapse state; nothing is re-run."""
    return await anyio.to_thread.run_sync(relayout, request)
