"""Helpers for the teach tests: a program text captured, built and annotated as the sandbox child does it."""

from __future__ import annotations

import torch
from traced import captured

import app.capture  # noqa: F401  (imports torch with the numpy warning silenced)
from app.capture import capture
from app.capture.records import Capture
from app.examples.lessons import lesson
from app.graph import build_graph
from app.limits import Limits
from app.models import BackwardEvent, Card, GraphOptions, GraphResponse
from app.program import compile_program
from app.runner import Execution
from app.teach import annotate, enrich
from app.teach.render import render

NEURON = lesson("train_neuron").code  # the logistic neuron of design.md: x = 1.1, w = 2.2, b = 0, y = 1


def program(source: str, limits: Limits | None = None) -> Execution:
    """A program text ready to run (and re-run) under any recorder."""
    return Execution(compile_program(source, max_chars=100_000, max_lines=5_000), limits or Limits())


def traced(source: str, seed: int = 0) -> tuple[Capture, GraphResponse]:
    """Capture `source`, build its graph, add the chain-rule cards and the health report."""
    recorded = captured(source, seed=seed)
    assert recorded.error is None, recorded.error
    graph = build_graph(recorded)
    annotate(graph, recorded)
    return recorded, graph


def event_of(graph: GraphResponse, op: str, pass_index: int = 0, nth: int = 0) -> BackwardEvent:
    """The nth backward event of autograd node `op` in pass `pass_index`."""
    return [e for e in graph.backward if e.op == op and e.pass_index == pass_index][nth]


def lines(cards: list[Card]) -> list[str]:
    return [render(item) for item in cards]


def value(data: object) -> float:
    """The number inside a one-element TensorData's `values`."""
    values = getattr(data, "values", None)
    while isinstance(values, list) and len(values) == 1:
        values = values[0]
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
