"""POST /graph and POST /layout as plain functions: request model in, JSON bytes or model out."""

from __future__ import annotations

import time
from typing import Any

import anyio
from pydantic_core import from_json, to_json

from app.errors import Busy
from app.forms import ResolvedProgram, resolve
from app.layout import default_collapsed, fold_repeats, layout, relayout
from app.models import GraphRequest, GraphResponse, LayoutRequest, LayoutResponse
from app.sandbox.graph_job import prepare
from app.sandbox.pool import Pool
from app.settings import Settings

__all__ = ["build_graph", "finish", "lay_out", "lay_out_again"]

HEAVY_NODE_FIELDS = frozenset({"data", "grad", "saved"})  # tensor payloads: the layout never reads them


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
    """The child's graph with the generated program and the layout added (blocking; runs in a thread).

    The child's JSON was made by GraphResponse itself, so it is parsed as plain JSON and only its skeleton
    (nodes without tensors, edges, groups) goes through pydantic: validating a GPT-2 graph's megabytes of
    nested values again took seconds. pydantic-core's JSON reader/writer are ~5x the stdlib's here.
    """
    graph = from_json(result)
    skeleton = resolved.annotate(_skeleton(graph))
    graph.update(skeleton.model_dump(mode="json", include={"program", "notes"}))
    if with_layout:
        _merge_layout(graph, lay_out(skeleton))
    return to_json(graph)


def _skeleton(graph: dict[str, Any]) -> GraphResponse:
    nodes = [
        {key: value for key, value in node.items() if key not in HEAVY_NODE_FIELDS} for node in graph["nodes"]
    ]
    edges = [{key: value for key, value in edge.items() if key != "grad"} for edge in graph["edges"]]
    return GraphResponse.model_validate({"nodes": nodes, "edges": edges, "groups": graph["groups"]})


def _merge_layout(graph: dict[str, Any], placed: GraphResponse) -> None:
    """Positions, routes, group boxes and the drawing's size from the laid-out skeleton, in place."""
    for node, box in zip(graph["nodes"], placed.nodes, strict=True):
        node.update(x=box.x, y=box.y, w=box.w, h=box.h)
    for edge, routed in zip(graph["edges"], placed.edges, strict=True):
        edge["points"] = [point.model_dump() for point in routed.points]
    graph["groups"] = [group.model_dump(mode="json") for group in placed.groups]
    graph.update(width=placed.width, height=placed.height)
    graph["timings"]["layout"] = placed.timings["layout"]


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
