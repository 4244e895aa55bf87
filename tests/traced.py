"""Test helpers: a program text captured (or run end to end) exactly as the sandbox child does it."""

from __future__ import annotations

import torch

from app.capture import capture
from app.capture.records import Capture
from app.limits import Limits
from app.models import GraphOptions, GraphResponse, Node
from app.program import compile_program
from app.runner import Execution, run


def captured(source: str, limits: Limits | None = None, seed: int = 0) -> Capture:
    """The capture of `source` (seeded like a run; the program's own error is in `.error`)."""
    limits = limits or Limits()
    program = compile_program(source, max_chars=100_000, max_lines=5_000)
    torch.manual_seed(seed)
    return capture(Execution(program, limits), limits=limits, source=program.source)


def graph_of(source: str, limits: Limits | None = None, **options: object) -> GraphResponse:
    """The graph response of `source` as POST /graph builds it in the child (without layout)."""
    chosen = GraphOptions(device="cpu", layout=False, **options)  # type: ignore[arg-type]
    return run(source, chosen, limits or Limits(), max_chars=100_000, max_lines=5_000)


def node(graph: GraphResponse, label: str, nth: int = 0) -> Node:
    """The nth node (in forward order) with this label."""
    matches = [n for n in graph.nodes if n.label == label]
    assert len(matches) > nth, f"no node #{nth} labelled {label!r} in {[n.label for n in graph.nodes]}"
    return matches[nth]
