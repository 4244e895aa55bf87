"""Numerical gradient check: central finite differences in float64 next to autograd, per leaf element.

Each element costs two re-runs of the program up to its first backward (see rerun.py), with every leaf set
to its captured value and the one element moved by ±eps.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass

import torch

from app.capture.encode import json_scalar
from app.capture.records import Capture
from app.models import Card, GradCheck, GraphResponse
from app.teach.cards import card
from app.teach.leaves import leaf_nodes
from app.teach.render import render
from app.teach.rerun import Program, rerun

__all__ = ["ATOL", "EPS", "MAX_ELEMENTS", "RTOL", "check_gradients"]

MAX_ELEMENTS = 64  # per leaf: all of a small leaf, else a fixed sample
MAX_CHECKS = 512  # elements in one request (two re-runs each)
ATOL, RTOL = 1e-5, 1e-3  # torch.autograd.gradcheck's defaults
EPS = 1e-6  # step of the central differences; the re-runs compute in float64
_KINKS = {"ReluBackward0": "relu", "AbsBackward0": "abs"}  # ops with a kink at 0


@dataclass(frozen=True)
class _Element:
    leaf: int  # leaf number (order of first use)
    flat: int  # element in row-major order


def check_gradients(
    graph: GraphResponse, capture: Capture, program: Program, *, seed: int, budget_s: float
) -> None:
    """Fill `graph.gradcheck` (and `graph.truncated["gradcheck"]` when the budget ran out)."""
    base = rerun(program, {}, seed=seed, backward=True)
    nodes = leaf_nodes(capture, base.leaves)
    labels = {node.id: node.label for node in graph.nodes}
    deadline = time.monotonic() + budget_s
    checks: list[GradCheck] = []
    elements = list(_elements(base.leaves))
    for element in elements[:MAX_CHECKS]:
        node, grad = nodes[element.leaf], base.grads[element.leaf] if base.grads else None
        if time.monotonic() > deadline or node is None or grad is None:
            continue
        numeric = _numeric(program, base.leaves, element, seed)
        checks.append(_compare(f"n{node}", labels, base.leaves[element.leaf], element, grad, numeric))
    note = _kink_note(capture, labels)
    for check in checks:
        if not check.ok:
            check.note_card, check.note = note, render(note)
    graph.gradcheck = checks
    graph.truncated["gradcheck"] = len(checks) < sum(nodes[e.leaf] is not None for e in elements)


def _elements(leaves: list[torch.Tensor]) -> Iterator[_Element]:
    for number, leaf in enumerate(leaves):
        if not leaf.is_floating_point():
            continue
        if leaf.numel() <= MAX_ELEMENTS:
            picked = list(range(leaf.numel()))
        else:
            generator = torch.Generator().manual_seed(number)
            picked = sorted(torch.randperm(leaf.numel(), generator=generator)[:MAX_ELEMENTS].tolist())
        yield from (_Element(number, flat) for flat in picked)


def _numeric(program: Program, leaves: list[torch.Tensor], element: _Element, seed: int) -> float:
    """(f(x + eps) − f(x − eps)) / (2 eps), the whole program computed in float64."""
    values: list[float] = []
    for sign in (1.0, -1.0):
        moved = {n: leaf.to(torch.float64, copy=True) for n, leaf in enumerate(leaves)}
        moved[element.leaf].view(-1)[element.flat] += sign * EPS
        run = rerun(program, moved, seed=seed, backward=False, promote=True)
        if run.root is None:
            return math.nan
        values.append(float(run.root))
    return (values[0] - values[1]) / (2 * EPS)


def _compare(
    node: str,
    labels: dict[str, str],
    leaf: torch.Tensor,
    element: _Element,
    grad: torch.Tensor,
    numeric: float,
) -> GradCheck:
    autograd = float(grad.reshape(-1)[element.flat])
    abs_err = abs(autograd - numeric)
    rel_err = abs_err / max(abs(autograd), abs(numeric), 1e-12)
    index = (
        [int(i) for i in torch.unravel_index(torch.tensor(element.flat), leaf.shape)] if leaf.dim() else []
    )
    return GradCheck(
        node=node,
        label=labels.get(node, node),
        index=index,
        autograd=json_scalar(autograd),
        numeric=json_scalar(numeric),
        abs_err=json_scalar(abs_err),
        rel_err=json_scalar(rel_err),
        ok=abs_err <= ATOL + RTOL * abs(numeric),
    )


def _kink_note(capture: Capture, labels: dict[str, str]) -> Card:
    """Why autograd and finite differences disagree, in plain words."""
    for record in capture.values:
        name = record.grad_fn.name() if record.grad_fn is not None else ""
        kink = _KINKS.get(name)
        source = capture.values[record.inputs[0]].value if record.inputs else None
        if kink is not None and source is not None and bool((source == 0).any()):
            label = labels.get(f"n{record.index}", kink)
            if label in (kink, f"torch.{kink}", f"{kink}(…)"):
                return card("gradcheck.kink.unnamed", kink=kink)
            return card("gradcheck.kink", x=label, kink=kink)
    return card("gradcheck.rough")
