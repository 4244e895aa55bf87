"""POST /graph, /values and /layout as plain functions: request in, the sandboxed child's JSON bytes out."""

from __future__ import annotations

from app.errors import Busy
from app.forms import resolve
from app.models import GraphRequest, ValuesQuery
from app.sandbox.graph_job import prepare
from app.sandbox.jobs import GRAPH, LAYOUT, tagged
from app.sandbox.pool import Machine, Pool
from app.sandbox.protocol import Confinement
from app.settings import Settings

__all__ = ["lay_out_sandboxed", "layout_confinement", "run_sandboxed"]

LAYOUT_SECONDS = 10  # wall and CPU time of one re-layout (10,000 nodes, the cap, take ~1 s)
LAYOUT_MEMORY_MB = 2_048  # address space a re-layout may add (an 8 MiB graph parsed, laid out, dumped)


async def run_sandboxed(
    pool: Pool, settings: Settings, request: GraphRequest, values: ValuesQuery | None = None
) -> bytes:
    """The child's JSON as it came: the graph (laid out in the child), or with `values` one page of a node's
    numbers (not parsed again here: a GPT-2 graph is megabytes)."""
    machine = _warm(pool)
    payload, confinement = prepare(resolve(request), request.options, settings, machine, values=values)
    return await pool.run(tagged(GRAPH, payload), confinement)


async def lay_out_sandboxed(pool: Pool, settings: Settings, body: bytes) -> bytes:
    """POST /layout: the request's bytes, parsed and laid out again in a child; LayoutResponse JSON."""
    _warm(pool)
    return await pool.run(tagged(LAYOUT, body), layout_confinement(settings))


def layout_confinement(settings: Settings) -> Confinement:
    limits = settings.limits
    return Confinement(
        wall_seconds=min(limits.wall_seconds, LAYOUT_SECONDS),
        cpu_seconds=min(limits.cpu_seconds, LAYOUT_SECONDS),
        memory_mb=min(limits.memory_mb, LAYOUT_MEMORY_MB),
        max_result_bytes=settings.max_result_bytes,
    )


def _warm(pool: Pool) -> Machine:
    if pool.machine is None:
        raise Busy("the worker pool is still warming up; retry shortly")
    return pool.machine
