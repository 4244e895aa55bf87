"""Where gradients add up: fan-out (a value used several times gets one contribution per use, and their sum
is the gradient torch computed for it) and `.grad` (the first pass writes it, later ones add to it until
zero_grad)."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from app.capture.encode import encode
from app.capture.records import BackwardRecord, Capture, ValueRecord
from app.graph.backward import outputs_by_fn
from app.models import BackwardEvent, Card, GraphResponse, TensorData
from app.teach.cards import INLINE, card, stats_card, value_arg, written
from app.teach.names import Names

__all__ = ["explain_sums"]

Lines = tuple[list[Card], list[Card]]  # (before the step's own lines, after them)
_GRAD = ".grad"


@dataclass
class _Running:
    """Each leaf's `.grad` as the program had it, following the run's timeline."""

    grads: dict[int, torch.Tensor] = field(default_factory=dict)  # id(leaf tensor) -> its .grad
    by_label: dict[str, int] = field(default_factory=dict)  # leaf label -> id(leaf tensor)

    def seen(self, record: ValueRecord) -> None:
        """A node `w.grad` (the program read or wrote it, e.g. `w.grad.zero_()`): its value then."""
        label = record.label or ""
        key = self.by_label.get(label.removesuffix(_GRAD)) if label.endswith(_GRAD) else None
        if key is not None and record.value is not None:
            self.grads[key] = record.value


def explain_sums(
    graph: GraphResponse, records: list[BackwardRecord], capture: Capture, names: Names
) -> dict[int, Lines]:
    """Fan-out and `.grad` cards by event step; sets each event's `sum_of`."""
    source_of = {edge.id: edge.source for edge in graph.edges}
    outputs = outputs_by_fn(capture)
    arrived: dict[tuple[int, str], list[tuple[str, torch.Tensor]]] = {}
    running = _Running()
    lines: dict[int, Lines] = {}
    by_step = dict(enumerate(zip(graph.backward, records, strict=True)))
    for entry in graph.timeline:
        if entry.phase == "zero_grad":
            running.grads.clear()
        elif entry.phase == "forward":
            running.seen(capture.values[int(graph.forward[entry.index][1:])])
        elif entry.phase == "backward" and entry.index in by_step:
            event, record = by_step[entry.index]
            targets = outputs.get(id(record.grad_fn), []) if record.leaf is None else []
            before = _fan_outs(event, record, targets or [int(event.node[1:])], arrived, capture, names)
            after = [] if record.leaf is None else _accumulate(event, record, capture, names, running)
            lines[event.step] = (before, after)
            _arrivals(event, record, source_of, arrived)
    return lines


def _arrivals(
    event: BackwardEvent,
    record: BackwardRecord,
    source_of: dict[str, str],
    arrived: dict[tuple[int, str], list[tuple[str, torch.Tensor]]],
) -> None:
    for edge, grad in zip(event.edges, record.grad_inputs, strict=False):
        if edge is not None and grad is not None:
            arrived.setdefault((event.pass_index, source_of[edge]), []).append((edge, grad))


def _fan_outs(
    event: BackwardEvent,
    record: BackwardRecord,
    targets: list[int],
    arrived: dict[tuple[int, str], list[tuple[str, torch.Tensor]]],
    capture: Capture,
    names: Names,
) -> list[Card]:
    """For each output of the op that was used more than once: its contributions add up to its gradient."""
    cards: list[Card] = []
    for index in targets:
        contributions = arrived.pop((event.pass_index, f"n{index}"), [])
        if len(contributions) < 2:
            continue
        event.sum_of = [*event.sum_of, *(edge for edge, _ in contributions)]
        nr = (
            0
            if record.leaf is not None
            else min(len(record.grad_outputs) - 1, capture.values[index].output_nr)
        )
        total = record.grad_outputs[nr] if record.grad_outputs else None
        data = event.grad_outputs[nr] if event.grad_outputs else None
        cards.append(_fan_out_card(names.value(index), [grad for _, grad in contributions], total, data))
    return cards


def _fan_out_card(
    name: str, terms: list[torch.Tensor], total: torch.Tensor | None, data: TensorData | None
) -> Card:
    """`dL/db = 0.5000 + 4.0000 + 4.0000 = 8.5000`: the total is the gradient torch computed, and the terms
    are written out only when they add up to it (the arithmetic on a card is always true)."""
    value = value_arg(total, data)
    if total is not None and total.numel() <= INLINE and all(t.shape == total.shape for t in terms):
        added = torch.stack([t.detach().double() for t in terms]).sum(0)
        if torch.allclose(added, total.detach().double(), rtol=1e-5, atol=1e-6, equal_nan=True):
            return card(
                "fanout.sum", x=name, terms=[written(t) for t in terms], value=value, count=len(terms)
            )
    return card("fanout.sum.big", x=name, value=value, count=len(terms))


def _accumulate(
    event: BackwardEvent, record: BackwardRecord, capture: Capture, names: Names, running: _Running
) -> list[Card]:
    """`w.grad = dL/dw` the first time; `w.grad += dL/dw: old + new = sum` when backward runs again."""
    assert record.leaf is not None
    incoming = record.grad_outputs[0] if record.grad_outputs else None
    if incoming is None:
        return []
    leaf = capture.values[record.leaf]
    key = id(leaf.tensor)
    name = names.value(record.leaf)
    running.by_label[names.label(record.leaf)] = key
    before = running.grads.get(key)
    if before is None or before.shape != incoming.shape:
        running.grads[key] = incoming
        return [card("grad.first", x=name, value=value_arg(incoming, event.grad_outputs[0]))]
    after = before.detach() + incoming.detach()
    running.grads[key] = after
    if after.numel() > INLINE:
        return [card("grad.accumulate.big", x=name, value=stats_card(encode([after], max_inline=0)[0]))]
    return [
        card(
            "grad.accumulate",
            x=name,
            before=written(before),
            incoming=written(incoming),
            value=written(after),
        )
    ]
