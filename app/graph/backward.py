"""Backward events in engine order, each gradient sent mapped onto its edge (fan-out included)."""

from __future__ import annotations

from collections import defaultdict

import torch

from app.capture.records import BackwardRecord, Capture
from app.graph.tensors import TensorTable
from app.models import BackwardEvent, Edge

__all__ = ["EdgeIndex", "backward_events", "node_grads", "op_name", "outputs_by_fn"]


def op_name(node: torch.autograd.graph.Node) -> str:
    """`torch::autograd::AccumulateGrad` -> `AccumulateGrad`; `MulBackward0` unchanged."""
    return node.name().rpartition("::")[2]


class EdgeIndex:
    """Edges by (source record, target record), to find the one a gradient contribution travelled."""

    def __init__(self, edges: list[Edge]) -> None:
        self.edges = edges
        self._by_pair: dict[tuple[str, str], list[int]] = defaultdict(list)
        for position, edge in enumerate(edges):
            self._by_pair[(edge.source, edge.target)].append(position)

    def find(self, source: str, targets: list[str], used: set[int]) -> int | None:
        """The first edge source -> any target not yet given a contribution of this event."""
        for target in targets:
            for position in self._by_pair.get((source, target), []):
                if position not in used:
                    used.add(position)
                    return position
        return None


def outputs_by_fn(capture: Capture) -> dict[int, list[int]]:
    """Records of each grad_fn, by output_nr (a multi-output op has several)."""
    outputs: dict[int, list[int]] = defaultdict(list)
    for record in capture.values:
        if record.grad_fn is not None and record.kind == "op" and not record.dropped:
            outputs[id(record.grad_fn)].append(record.index)
    return outputs


def node_grads(capture: Capture) -> dict[int, torch.Tensor | None]:
    """Gradient per value record: grad_outputs[output_nr] at its grad_fn's last event; leaves their .grad."""
    outputs = outputs_by_fn(capture)
    grads: dict[int, torch.Tensor | None] = {}
    for event in capture.backward:
        if event.dropped:
            continue
        for index in outputs.get(id(event.grad_fn), []):
            nr = capture.values[index].output_nr
            grads[index] = event.grad_outputs[nr] if nr < len(event.grad_outputs) else None
    for record in capture.values:
        if record.grad is not None:
            grads[record.index] = record.grad
    return grads


def backward_events(
    capture: Capture, edges: EdgeIndex, tensors: TensorTable
) -> tuple[list[BackwardEvent], list[int]]:
    """The events (with edge grads of the last pass set on `edges`) and, per record, its position or -1."""
    outputs = outputs_by_fn(capture)
    events: list[BackwardEvent] = []
    positions: list[int] = []
    for record in capture.backward:
        if record.node is None or record.dropped:
            positions.append(-1)
            continue
        positions.append(len(events))
        events.append(
            _event(len(events), record, outputs.get(id(record.grad_fn), [record.node]), edges, tensors)
        )
    return events, positions


def _event(
    step: int, record: BackwardRecord, targets: list[int], edges: EdgeIndex, tensors: TensorTable
) -> BackwardEvent:
    target_ids = [f"n{t}" for t in targets]
    used: set[int] = set()
    edge_ids: list[str | None] = []
    for source, grad in zip(record.sources, record.grad_inputs, strict=False):
        position = None if source is None else edges.find(f"n{source}", target_ids, used)
        if position is not None and grad is not None:
            edges.edges[position].grad = tensors.summary(grad)
        edge_ids.append(None if position is None else edges.edges[position].id)
    return BackwardEvent(
        step=step,
        pass_index=record.pass_index,
        node=f"n{record.node}",
        op=op_name(record.grad_fn),
        grad_outputs=[tensors.summary(g) for g in record.grad_outputs],
        grad_inputs=[tensors.summary(g) for g in record.grad_inputs],
        edges=edge_ids,
        accumulates=None if record.leaf is None else f"n{record.leaf}",
    )
