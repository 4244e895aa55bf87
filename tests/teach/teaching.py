"""Helpers for the teach tests: a program (a plain function of a recorder) captured, built and annotated."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

import app.capture  # noqa: F401  (imports torch with the numpy warning silenced)
from app.capture import Recorder, capture
from app.capture.records import Capture
from app.graph import build_graph
from app.limits import Limits
from app.models import BackwardEvent, GraphOptions, GraphResponse
from app.program import compile_program
from app.runner import Execution
from app.teach import annotate, enrich

Program = Callable[[Recorder], None]


def traced(program: Program) -> tuple[Capture, GraphResponse]:
    """Capture `program(recorder)`, build its graph, add the chain-rule cards and the health report."""
    recorded = capture(program, limits=Limits())
    assert recorded.error is None, recorded.error
    graph = build_graph(recorded)
    annotate(graph, recorded)
    return recorded, graph


def event_of(graph: GraphResponse, op: str, pass_index: int = 0) -> BackwardEvent:
    """The first backward event of autograd node `op` in pass `pass_index`."""
    return next(e for e in graph.backward if e.op == op and e.pass_index == pass_index)


def value(data: object) -> float:
    """The number inside a 0-d TensorData's `values`."""
    values = getattr(data, "values", None)
    assert isinstance(values, int | float), values
    return float(values)


def run_text(code: str, options: GraphOptions, limits: Limits | None = None) -> GraphResponse:
    """A program text end to end, as the runner runs it (seed, default dtype), plus `teach.enrich`."""
    limits = limits or Limits(wall_seconds=600)  # re-run budgets are shares of it: no timing in tests
    compiled = compile_program(code, max_chars=100_000, max_lines=1_000)
    interpret = Execution(compiled, limits)

    before = torch.get_default_dtype()
    torch.manual_seed(options.seed)
    torch.set_default_dtype(torch.float64 if options.dtype == "float64" else torch.float32)
    try:
        recorded = capture(interpret, limits=limits, source=compiled.source)
        assert recorded.error is None, recorded.error
        graph = build_graph(recorded)
        enrich(graph, recorded, interpret, options, limits)
    finally:
        torch.set_default_dtype(before)
    return graph


def neuron(rec: Recorder) -> None:
    """The logistic neuron of design.md: x = 1.1, y = 1.0, w = 2.2, b = 0.0, BCE."""
    x, y = torch.tensor(1.1), torch.tensor(1.0)
    w = torch.tensor(2.2, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    for name, tensor in (("x", x), ("y", y), ("w", w), ("b", b)):
        rec.name(tensor, name)
    z = x * w + b
    rec.name(z, "z")
    a = torch.sigmoid(z)
    rec.name(a, "a")
    loss = F.binary_cross_entropy(a, y)
    rec.name(loss, "loss")
    loss.backward()
