"""Helpers for the teach tests: a program (a plain function of a recorder) captured, built and annotated."""

from __future__ import annotations

from collections.abc import Callable

import app.capture  # noqa: F401  (imports torch with the numpy warning silenced)
from app.capture import Recorder, capture
from app.capture.records import Capture
from app.graph import build_graph
from app.limits import Limits
from app.models import BackwardEvent, GraphResponse
from app.teach import annotate

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
