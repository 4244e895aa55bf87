"""Backward events in engine order, each gradient sent mapped onto its edge (fan-out included)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import torch

from app.capture.records import BackwardRecord, Capture
from app.graph.batch import ModelBatch
from app.graph.tensors import TensorTable
from app.models import BackwardEvent, TensorData

__all__ = ["EdgeIndex", "backward_events", "node_grads", "op_name", "outputs_by_fn"]

EVENTS = ModelBatch(BackwardEvent)


def op_name(node: torch.autograd.graph.Node) -> str:
    """`torch::autograd::AccumulateGrad` -> `AccumulateGrad`; `MulBackward0` unchanged."""
    return node.name().rpartition("::")[2]


class EdgeIndex:
    """Edges as (source record, target record) pairs in edge order, to find the one a gradient contribution
    travelled; the edge models are made once every contribution is known (`grads`)."""

    def __init__(self, pairs: list[tuple[int, int]]) -> None:
        self.grads: dict[int, TensorData | None] = {}  # edge position -> contribution (last pass)
        self._by_pair: dict[tuple[int, int], list[int]] = defaultdict(list)
        for position, pair in enumerate(pairs):
            self._by_pair[pair].append(position)

    def find(self, source: int, targets: list[int], used: set[int]) -> int | None:
        """The first edge source -> any target not yet given a contribution of this event."""
        for target in targets:
            for position in self._by_pair.get((source, target), ()):
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
    """The events (the last pass's contribution per edge put in `edges.grads`) and, per record, its position
    among them or -1."""
    outputs = outputs_by_fn(capture)
    events: list[dict[str, Any]] = []
    positions: list[int] = []
    for record in capture.backward:
        if record.node is None or record.dropped:
            positions.append(-1)
            continue
        positions.append(len(events))
        events.append(
            _event(len(events), record, outputs.get(id(record.grad_fn), [record.node]), edges, tensors)
        )
    return EVENTS(events), positions


def _event(
    step: int, record: BackwardRecord, targets: list[int], edges: EdgeIndex, tensors: TensorTable
) -> dict[str, Any]:
    """One BackwardEvent's fields."""
    used: set[int] = set()
    edge_ids: list[str | None] = []
    for source, grad in zip(record.sources, record.grad_inputs, strict=False):
        position = None if source is None else edges.find(source, targets, used)
        if position is not None and grad is not None:
            edges.grads[position] = tensors.summary(grad)
        edge_ids.append(None if position is None else f"e{position}")
    return {
        "step": step,
        "pass_index": record.pass_index,
        "node": f"n{record.node}",
        "op": op_name(record.grad_fn),
        "grad_outputs": [tensors.summary(g) for g in record.grad_outputs],
        "grad_inputs": [tensors.summary(g) for g in record.grad_inputs],
        "edges": edge_ids,
        "accumulates": None if record.leaf is None else f"n{record.leaf}",
    }
