"""Gradient health: where NaN/Inf first appeared, vanishing and exploding gradients, dead ReLUs, saturation.

Each problem is flagged once, at the op that produced it (its inputs or upstream gradients were fine).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from typing import Literal, TypeAlias

import torch

from app.capture.records import BackwardRecord, Capture, ValueRecord
from app.graph.backward import node_grads
from app.models import GraphResponse, Health, HealthFlag, Scalar

__all__ = ["EXPLODING", "SATURATED", "VANISHING", "gradient_health"]

VANISHING = 1e-7  # max |gradient| below this, where the upstream gradient was not
EXPLODING = 1e3  # max |gradient| above this, where the upstream gradient was not
SATURATED = 1e-3  # distance of a sigmoid/tanh output from its bounds
_SATURATED_SHARE = 0.5  # "most elements"
_BOUNDS = {"SigmoidBackward0": (0.0, 1.0), "TanhBackward0": (-1.0, 1.0)}

Check = Callable[[torch.Tensor], bool]
Kind: TypeAlias = Literal["nan", "inf", "vanishing", "exploding"]


def gradient_health(graph: GraphResponse, capture: Capture) -> Health:
    """Flags at the first op that showed each problem, and log10 max|grad| per node and edge."""
    records = [record for record in capture.backward if record.node is not None]
    labels = {node.id: node.label for node in graph.nodes}
    facts = _Facts()
    flags = [
        *_forward_flags(capture, labels, facts),
        *_backward_flags(records, labels, facts),
        *_saturated(capture, labels),
    ]
    return Health(
        flags=flags,
        node_log10=_node_magnitudes(capture, facts),
        edge_log10=_edge_magnitudes(graph, records, facts),
    )


# ------------------------------------------------------------ checks on one tensor


class _Facts:
    """NaN, Inf and max |finite x| of each tensor, found once (big models reuse tensors many times)."""

    def __init__(self) -> None:
        self._known: dict[int, tuple[bool, bool, float]] = {}
        self._alive: list[torch.Tensor] = []  # keeps ids unique while cached

    def of(self, tensor: torch.Tensor) -> tuple[bool, bool, float]:
        facts = self._known.get(id(tensor))
        if facts is None:
            facts = _facts(tensor.detach())
            self._known[id(tensor)] = facts
            self._alive.append(tensor)
        return facts

    def nan(self, tensor: torch.Tensor) -> bool:
        return self.of(tensor)[0]

    def inf(self, tensor: torch.Tensor) -> bool:
        return self.of(tensor)[1]

    def peak(self, tensor: torch.Tensor) -> float:
        return self.of(tensor)[2]


def _facts(tensor: torch.Tensor) -> tuple[bool, bool, float]:
    if not tensor.is_floating_point() or tensor.numel() == 0:
        return False, False, 0.0
    finite = torch.isfinite(tensor)
    if bool(finite.all()):  # the usual case: one pass, then the peak
        return False, False, float(tensor.abs().max())
    finite_values = tensor[finite]
    peak = float(finite_values.abs().max()) if finite_values.numel() else 0.0
    return bool(torch.isnan(tensor).any()), bool(torch.isinf(tensor).any()), peak


def _any(check: Check, tensors: Iterable[torch.Tensor | None]) -> bool:
    return any(check(t) for t in tensors if t is not None and t.is_floating_point())


# ------------------------------------------------------------ forward values


def _forward_flags(capture: Capture, labels: dict[str, str], facts: _Facts) -> Iterator[HealthFlag]:
    problems: list[tuple[Kind, Check, str]] = [("nan", facts.nan, "NaN"), ("inf", facts.inf, "±Inf")]
    for kind, check, word in problems:
        record = next((r for r in capture.values if _appears(r, capture, check)), None)
        if record is not None:
            name = labels[f"n{record.index}"]
            message = f"{name} ({record.fn}) is the first value that became {word}; its inputs had none."
            yield HealthFlag(kind=kind, phase="forward", node=f"n{record.index}", message=message)


def _appears(record: ValueRecord, capture: Capture, check: Check) -> bool:
    if record.kind != "op" or record.value is None or not _any(check, [record.value]):
        return False
    return not _any(check, (capture.values[i].value for i in record.inputs))


# ------------------------------------------------------------ gradients, in the engine's order


def _backward_flags(
    records: list[BackwardRecord], labels: dict[str, str], facts: _Facts
) -> Iterator[HealthFlag]:
    problems: list[tuple[Kind, Check, str]] = [
        ("nan", facts.nan, "became NaN"),
        ("inf", facts.inf, "became ±Inf"),
        ("vanishing", lambda t: 0 < facts.peak(t) < VANISHING, f"vanished (max |gradient| < {VANISHING:g})"),
        ("exploding", lambda t: facts.peak(t) > EXPLODING, f"exploded (max |gradient| > {EXPLODING:g})"),
    ]
    for kind, check, words in problems:
        record = next((r for r in records if _sent(r, check)), None)
        if record is not None:
            node = f"n{record.node}"
            message = (
                f"The gradient first {words} at {labels[node]} ({_op(record)}); what arrived there had not."
            )
            yield HealthFlag(kind=kind, phase="backward", node=node, message=message)
    yield from _dead_relus(records, labels)


def _sent(record: BackwardRecord, check: Check) -> bool:
    return _any(check, record.grad_inputs) and not _any(check, record.grad_outputs)


def _op(record: BackwardRecord) -> str:
    return record.grad_fn.name().rpartition("::")[2]


def _dead_relus(records: list[BackwardRecord], labels: dict[str, str]) -> Iterator[HealthFlag]:
    seen: set[int] = set()
    for record in records:
        if _op(record) != "ReluBackward0" or record.node in seen:
            continue
        sent = [g for g in record.grad_inputs if g is not None]
        if sent and all(not bool(g.any()) for g in sent):
            assert record.node is not None
            seen.add(record.node)
            node = f"n{record.node}"
            message = (
                f"{labels[node]}: every unit of this ReLU was ≤ 0, so no gradient passes back (dead ReLU)."
            )
            yield HealthFlag(kind="dead_relu", phase="backward", node=node, message=message)


def _saturated(capture: Capture, labels: dict[str, str]) -> Iterator[HealthFlag]:
    for record in capture.values:
        bounds = _BOUNDS.get(_op_name(record))
        if bounds is None or record.value is None or record.value.numel() == 0:
            continue
        value = record.value.detach()
        near = (value - bounds[0] < SATURATED) | (bounds[1] - value < SATURATED)
        share = float(near.double().mean())
        if share > _SATURATED_SHARE:
            node = f"n{record.index}"
            message = (
                f"{labels[node]}: {share:.0%} of the outputs are within {SATURATED:g} of the bounds "
                f"{bounds}, where the derivative is almost 0 (saturated)."
            )
            yield HealthFlag(kind="saturated", phase="forward", node=node, message=message)


def _op_name(record: ValueRecord) -> str:
    return "" if record.grad_fn is None else record.grad_fn.name().rpartition("::")[2]


# ------------------------------------------------------------ magnitudes for colouring


def _log10_peak(tensor: torch.Tensor, facts: _Facts) -> Scalar:
    """log10 max|g|: "-Infinity" for an all-zero gradient, "NaN" when it has NaN, "Infinity" with Inf."""
    has_nan, has_inf, peak = facts.of(tensor)
    if has_nan or has_inf:
        return math.nan if has_nan else math.inf
    return math.log10(peak) if peak > 0 else -math.inf


def _node_magnitudes(capture: Capture, facts: _Facts) -> dict[str, Scalar]:
    grads = node_grads(capture)
    return {
        f"n{index}": _log10_peak(grad, facts) for index, grad in sorted(grads.items()) if grad is not None
    }


def _edge_magnitudes(graph: GraphResponse, records: list[BackwardRecord], facts: _Facts) -> dict[str, Scalar]:
    """Each edge's contribution in the last pass that sent one."""
    magnitudes: dict[str, Scalar] = {}
    for event, record in zip(graph.backward, records, strict=True):
        for edge, grad in zip(event.edges, record.grad_inputs, strict=False):
            if edge is not None and grad is not None:
                magnitudes[edge] = _log10_peak(grad, facts)
    return magnitudes
