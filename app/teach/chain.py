"""The chain rule on every backward step: each edge's local derivative and upstream × local = contribution,
as cards with their numbers; fan-out sums and `.grad` updates come from sums.py."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import torch

from app.capture.encode import encode_within
from app.capture.records import BackwardRecord, Capture
from app.models import BackwardEvent, Card, GraphResponse, TensorData
from app.teach.cards import Arg, card, value_arg, with_value
from app.teach.names import ROOT, Names
from app.teach.operands import Fills, Local, Operands, small
from app.teach.render import render
from app.teach.rules import local_derivatives
from app.teach.sums import explain_sums

__all__ = ["explain_backward", "kept_records"]

log = logging.getLogger(__name__)


@dataclass
class _Edge:
    """One input edge of a step: its rule's result and the gradient it carried."""

    position: int
    source: str  # the name of the input
    local: Local
    grad: torch.Tensor
    grad_data: TensorData | None
    local_data: TensorData | None = None


@dataclass
class _Step:
    event: BackwardEvent
    ops: Operands
    edges: list[_Edge] = field(default_factory=list)


def kept_records(graph: GraphResponse, capture: Capture) -> list[BackwardRecord] | None:
    """The capture's backward records of the graph's events, aligned with them (None if they differ)."""
    records = [record for record in capture.backward if record.node is not None and not record.dropped]
    if len(records) != len(graph.backward):  # app.graph keeps exactly these events; anything else: no cards
        log.warning("backward events and records differ (%d, %d)", len(graph.backward), len(records))
        return None
    return records


def explain_backward(graph: GraphResponse, capture: Capture, names: Names) -> None:
    """Fill `local`, `local_cards`, `cards` (and their English `local_formulas`, `formula`) and `sum_of`."""
    records = kept_records(graph, capture)
    if records is None:
        return
    fills = Fills()
    with torch.no_grad():
        steps = [
            _step(event, record, capture, names, fills)
            for event, record in zip(graph.backward, records, strict=True)
            if record.leaf is None
        ]
    _encode_locals(steps, capture.limits.max_inline_values)
    edge_cards = {id(step.event): _edge_cards(step) for step in steps}
    sums = explain_sums(graph, records, capture, names)
    for event in graph.backward:
        before, after = sums.get(event.step, ([], []))
        event.cards = [*before, *edge_cards.get(id(event), []), *after]
        english = {id(item): render(item) for item in event.cards}  # a local card is also a line: once
        event.formula = "; ".join(english.values()) or None
        event.local_formulas = [
            None if item is None else english.get(id(item)) or render(item) for item in event.local_cards
        ]


def _operands(record: BackwardRecord, capture: Capture, names: Names, fills: Fills) -> Operands:
    assert record.node is not None  # events without a node are not in the response
    value = capture.values[record.node]
    return Operands(
        inputs=[capture.values[i].value for i in value.inputs],
        names=[names.value(i) for i in value.inputs],
        output=value.value if value.value is not None else torch.zeros(()),
        out_name=names.result(record.node, root=value.is_root),
        upstream=record.grad_outputs[0] if record.grad_outputs else None,
        grad_fn=record.grad_fn,
        outputs=len(record.grad_outputs),
        fills=fills,
    )


def _step(
    event: BackwardEvent, record: BackwardRecord, capture: Capture, names: Names, fills: Fills
) -> _Step:
    """Each edge's local derivative now; the local tensors are encoded for all steps at once."""
    ops = _operands(record, capture, names, fills)
    count = len(event.edges)
    locals_ = local_derivatives(event.op, ops, count)
    step = _Step(event, ops)
    for position in range(min(count, len(locals_))):
        grad = record.grad_inputs[position] if position < len(record.grad_inputs) else None
        if grad is not None:
            data = event.grad_inputs[position]
            step.edges.append(_Edge(position, ops.name(position), locals_[position], grad, data))
    return step


def _encode_locals(steps: list[_Step], max_inline: int) -> None:
    """`event.local` for every exact local derivative, in one batched encode; like the gradients of an
    event, a big one without a heatmap (the page reads its statistics; GPT-2 124M has 112 of them)."""
    edges = [edge for step in steps for edge in step.edges if edge.local.tensor is not None]
    tensors = [edge.local.tensor for edge in edges if edge.local.tensor is not None]
    data, _ = encode_within(tensors, max_inline=max_inline, heatmap_cells=0)
    for edge, encoded in zip(edges, data, strict=True):
        edge.local_data = encoded
    for step in steps:
        step.event.local = [None] * len(step.event.edges)
        step.event.local_cards = [None] * len(step.event.edges)
        for edge in step.edges:
            step.event.local[edge.position] = edge.local_data


def _edge_cards(step: _Step) -> list[Card]:
    """The step's lines, edge by edge; an input used at several positions with the same lines is one line."""
    lines: list[_Line] = []
    for edge in step.edges:
        local, chain = _edge_lines(step.ops, edge)
        step.event.local_cards[edge.position] = local
        cards = [item for item in (local, chain) if item is not None] + list(edge.local.notes)
        same = next((line for line in lines if line.source == edge.source and line.cards == cards), None)
        if same is None:
            lines.append(_Line(cards, edge.source))
        else:
            same.uses += 1
    return [item for line in lines for item in line.shown()]


@dataclass
class _Line:
    """The cards of one edge, and how many edges of the step had exactly these (`a + a`: two)."""

    cards: list[Card]
    source: str
    uses: int = 1

    def shown(self) -> list[Card]:
        if self.uses == 1 or not self.cards:
            return self.cards
        each = card("step.each", step=self.cards[-1], count=self.uses, x=self.source)
        return [*self.cards[:-1], each]


def _edge_lines(ops: Operands, edge: _Edge) -> tuple[Card | None, Card | None]:
    """The local derivative's card and the contribution's card of one edge."""
    value = value_arg(edge.grad, edge.grad_data)
    local = edge.local
    if local.tensor is None:  # a Jacobian: its formula is the chain rule
        return None, with_value(local.formula, local.work, value)
    local_card = local.formula
    if local.valued:  # a constant's formula already says its number (`dL/dx = 1`): none made to be dropped
        local_card = with_value(local.formula, None, value_arg(local.tensor, edge.local_data))
    up = ops.upstream
    if ops.out_name == ROOT and up is not None and up.numel() == 1 and float(up.reshape(())) == 1.0:
        return local_card, None  # from the loss itself: the local derivative is the contribution
    return local_card, _contribution(ops, edge, value)


def _contribution(ops: Operands, edge: _Edge, value: Arg) -> Card | None:
    """`dL/dz = dL/da × da/dz = −1.0889 × 0.0750 = −0.0817`, or its elementwise form."""
    up, local = ops.upstream, edge.local.tensor
    if up is None or local is None:
        return None
    names = {"x": edge.source, "y": ops.out_name}
    if up.numel() == 1:
        formula, work_key = card("chain.times", **names), "work.times"
    elif local.shape == edge.grad.shape:
        formula, work_key = card("chain.hadamard", **names), "work.hadamard"
    else:  # the input was broadcast: its gradient sums the products over the broadcast dimensions
        formula, work_key = card("chain.hadamard.sum", **names), "work.hadamard.sum"
    a, b = small(up), small(local)
    aligned = up.numel() == 1 or up.shape == local.shape
    work = card(work_key, a=a, b=b) if a is not None and b is not None and aligned else None
    return with_value(formula, work, value)
