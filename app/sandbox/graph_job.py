"""The production job: one POST /graph program, from request to encoded graph, split at the process boundary.
A task with `values` answers POST /values instead: one page of one node's numbers from a re-run.

`prepare` runs in the server (no torch import there); `run_graph` runs in the child, layout included: the
child holds the graph as a model already, so the server only forwards its bytes (re-reading a GPT-2 graph's
JSON in the server to add positions cost ~250 ms and held the server's interpreter while others waited).
"""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict

from app.errors import DeviceUnavailable
from app.forms import ResolvedProgram
from app.gcpause import collections_paused
from app.layout import initial_layout
from app.limits import Limits, clamp
from app.models import GraphOptions, GraphResponse, ValuesQuery
from app.sandbox.pool import Machine
from app.sandbox.protocol import Confinement
from app.settings import Settings

__all__ = ["PRELOAD", "GraphTask", "prepare", "resolve_device", "run_graph"]

# imported once by the fork server, before any fork
PRELOAD = ("app.runner", "app.values", "app.layout", "app.sandbox.gpu_spare", "app.sandbox.graph_warmup")
# The last graph answered, freed when the next run replaces it or with the process: a child exits right
# after its one reply, and freeing GPT-2 124M's graph (~100,000 objects) before sending it took 15 ms.
_answered: list[GraphResponse] = []


class GraphTask(BaseModel):
    """Everything the child needs for one run; the device is already resolved to cpu or cuda."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    program: str
    notes: tuple[str, ...] = ()  # what generating the program from a form decided
    generated: bool = False  # the program came from a form: the response carries it and the notes
    options: GraphOptions
    limits: Limits
    max_chars: int
    max_lines: int
    values: ValuesQuery | None = None  # POST /values: answer this page of a node's numbers, not the graph


def run_graph(payload: bytes) -> bytes:
    """Child side: run the program, lay its graph out when asked, encode it (GraphResponse JSON)."""
    from app import runner  # imported here so the server process never imports torch; preloaded in children

    task = GraphTask.model_validate(json.loads(payload))  # json: pydantic's parser refuses lone surrogates
    if task.values is not None:
        return _run_values(task, task.values)
    resolved = ResolvedProgram(task.program, notes=task.notes, generated=task.generated)
    _answered.clear()
    # no automatic collection but in the program's own runs (Execution resumes it), from parsing to JSON:
    # each would walk the graph's objects and free none (GPT-2 124M: 15-45 ms)
    with collections_paused():
        ran = runner.run(
            task.program, task.options, task.limits, max_chars=task.max_chars, max_lines=task.max_lines
        )
        graph = initial_layout(ran) if task.options.layout else ran
        _answered.extend((ran, graph))
        return resolved.annotate(graph).model_dump_json().encode()


def _run_values(task: GraphTask, query: ValuesQuery) -> bytes:
    """Child side of POST /values: ValuesResponse JSON."""
    from app.values import node_values  # preloaded in children, like the runner

    values = node_values(
        task.program, task.options, task.limits, query, max_chars=task.max_chars, max_lines=task.max_lines
    )
    return values.model_dump_json().encode()


def prepare(
    resolved: ResolvedProgram,
    options: GraphOptions,
    settings: Settings,
    machine: Machine,
    values: ValuesQuery | None = None,
) -> tuple[bytes, Confinement]:
    """Server side: the child's payload and limits for one run (a graph or a page of values), within caps."""
    device = resolve_device(options.device, machine.cuda)
    limits = clamp(settings.limits, options.limits)
    task = GraphTask(
        program=resolved.program,
        notes=resolved.notes,
        generated=resolved.generated,
        options=options.model_copy(update={"device": device}),
        limits=limits,
        max_chars=settings.max_program_chars,
        max_lines=settings.max_program_lines,
        values=values,
    )
    # ASCII JSON: a lone surrogate in the program (valid in a JSON string) cannot be UTF-8 encoded, but it can
    # travel as an escape, so the child's source check rejects it with its line and column
    payload = json.dumps(task.model_dump(mode="json")).encode()
    return payload, confinement(limits, device, machine, settings.max_result_bytes, settings.scratch_mb)


def resolve_device(wanted: str, cuda_available: bool) -> str:
    """`auto` picks CUDA when the machine has it; `cuda` without a GPU is the client's mistake."""
    if wanted == "auto":
        return "cuda" if cuda_available else "cpu"
    if wanted == "cuda" and not cuda_available:
        raise DeviceUnavailable("this server has no CUDA GPU; use device 'cpu' or 'auto'")
    return wanted


def confinement(
    limits: Limits, device: str, machine: Machine, max_result_bytes: int, scratch_mb: int
) -> Confinement:
    """CPU runs get an address-space limit; CUDA runs (where RLIMIT_AS breaks CUDA) a share of GPU memory and
    the same `memory_mb` of host memory, held by the server's watchdog."""
    cuda = device == "cuda"
    return Confinement(
        wall_seconds=limits.wall_seconds,
        cpu_seconds=limits.cpu_seconds,
        memory_mb=None if cuda else limits.memory_mb,
        host_memory_mb=limits.memory_mb if cuda else None,
        cuda_memory_fraction=min(1.0, limits.memory_mb / machine.cuda_memory_mb) if cuda else None,
        max_result_bytes=max_result_bytes,
        scratch_mb=scratch_mb,
    )
