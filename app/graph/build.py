"""Capture -> GraphResponse: deterministic ids (n0.. in forward order, e0.. by target), kinds, labels, spans,
groups, the forward/backward/optimizer timeline and every tensor's payload. No layout and no stdout here.
"""

from __future__ import annotations

from typing import Any

import torch

from app.capture.encode import json_scalar
from app.capture.records import Capture, SavedRecord, ValueRecord
from app.gcpause import collections_paused
from app.graph.backward import EdgeIndex, backward_events, node_grads, op_name
from app.graph.batch import ModelBatch
from app.graph.calls import CallView, call_views, node_labels
from app.graph.groups import call_groups, module_groups
from app.graph.tensors import TensorTable
from app.models import (
    Edge,
    GraphResponse,
    Node,
    NodeKind,
    OptimizerEvent,
    ParamUpdate,
    PassWindow,
    SavedTensor,
    Scalar,
    TensorData,
    TimelineEntry,
)

__all__ = ["build_graph"]

TensorKey = tuple[int, tuple[int, ...], tuple[int, ...], int, torch.dtype]

NODES = ModelBatch(Node)
SPAN_FIELDS = ("line", "col", "end_line", "end_col")  # a node's span as a dict: cheaper validated in NODES
EDGES = ModelBatch(Edge)
TIMELINE = ModelBatch(TimelineEntry)


def build_graph(capture: Capture) -> GraphResponse:
    """The response model without layout (x/y/w/h/points left at 0/empty) and without stdout."""
    with collections_paused():  # GPT-2 124M: one full collection mid-build walked every live object, 140 ms
        return _build(capture)


def _build(capture: Capture) -> GraphResponse:
    tensors = TensorTable(capture.limits.max_inline_values, ahead=capture.stats_ahead)
    grads = node_grads(capture)
    saved_nodes = _saved_node_index(capture)
    _collect(capture, grads, saved_nodes, tensors)
    tensors.encode()
    views = call_views(capture)
    labels = node_labels(capture, views)
    owner = {member: view for view in views.values() if view.is_group for member in view.members}
    written = {i: view.call.fn for view in views.values() for i in view.outputs}
    kept = [record for record in capture.values if not record.dropped]
    nodes = NODES(
        [
            _node(record, grads.get(record.index), saved_nodes, tensors, labels, owner, written)
            for record in kept
        ]
    )
    edges = EdgeIndex([(source, record.index) for record in kept for source in record.inputs])
    events, positions = backward_events(capture, edges, tensors)
    groups = module_groups(capture.modules, nodes, call_groups(views, capture.modules))
    return GraphResponse(
        nodes=nodes,
        edges=_edges(kept, edges.grads),
        groups=groups,
        forward=[node.id for node in nodes],
        backward=events,
        optimizer=_optimizer(capture, tensors),
        timeline=_timeline(capture, positions),
        outputs=_outputs(kept, labels),
        device=str(kept[0].value.device) if kept and kept[0].value is not None else "cpu",
        torch=torch.__version__,
        timings={"capture": round(capture.capture_ms, 3), "encode": round(tensors.encode_ms, 3)},
        limits={name: float(value) for name, value in capture.limits.model_dump().items()},
        truncated={"nodes": capture.nodes_truncated, "heatmaps": tensors.heatmaps_dropped > 0},
        passes=_window(capture),
    )


def _window(capture: Capture) -> PassWindow | None:
    """Which passes the graph draws, when the recording window left some out; every pass's loss."""
    if all(p.kept for p in capture.passes):
        return None
    return PassWindow(
        total=len(capture.passes),
        kept=[p.index for p in capture.passes if p.kept],
        loss=[None if p.loss is None else json_scalar(p.loss) for p in capture.passes],
    )


def _collect(
    capture: Capture,
    grads: dict[int, torch.Tensor | None],
    saved_nodes: dict[TensorKey, int],
    tensors: TensorTable,
) -> None:
    """Every tensor the response will show, for one batched encode."""
    for record in capture.values:
        if record.dropped:
            continue
        if record.grad_fn is not None and op_name(record.grad_fn) == "SoftmaxBackward0":
            tensors.add_attention(record.value)  # an attention matrix, drawn one heatmap per head
            tensors.add_attention(grads.get(record.index))
        if not record.uninitialised:
            tensors.add(record.value)
        tensors.add(grads.get(record.index))
        for saved in record.saved:
            if _key(saved.tensor) not in saved_nodes:
                tensors.add(saved.tensor)
    for event in capture.backward:
        for grad in [*event.grad_outputs, *event.grad_inputs]:
            tensors.add(grad)
    for step in capture.optimizer:
        for update in step.params:
            for tensor in (update.before, update.grad, update.after):
                tensors.add(tensor)


def _kind(record: ValueRecord) -> NodeKind:
    if record.kind == "const":
        return "const"
    if record.is_root:
        return "output"
    tensor = record.tensor
    if record.grad_fn is None and tensor is not None and tensor.requires_grad and not tensor._is_view():
        return "param"  # a view of a parameter taken under no_grad also requires grad, without a grad_fn
    return "input" if record.grad_fn is None and not record.inputs else "op"


def _node(
    record: ValueRecord,
    grad: torch.Tensor | None,
    saved_nodes: dict[TensorKey, int],
    tensors: TensorTable,
    labels: dict[int, str],
    owner: dict[int, CallView],
    written: dict[int, str],
) -> dict[str, Any]:
    """One Node's fields."""
    value = record.value
    kind = _kind(record)
    view = owner.get(record.index)
    return {
        "id": f"n{record.index}",
        "kind": kind,
        "label": labels[record.index],
        "op": op_name(record.grad_fn) if record.grad_fn is not None else None,
        "fn": written.get(record.index, record.fn),
        "output_nr": record.output_nr,
        "shape": list(value.shape) if value is not None else [],
        "dtype": str(value.dtype).removeprefix("torch.") if value is not None else "",
        "device": str(value.device) if value is not None else "cpu",
        "requires_grad": record.grad_fn is not None or kind == "param",
        "group": view.group_id if view is not None else record.group,
        "span": dict(zip(SPAN_FIELDS, record.span, strict=True)) if record.span else None,
        "data": None if record.uninitialised else tensors[value],
        "grad": tensors[grad],
        "saved": [_saved(saved, saved_nodes, tensors) for saved in record.saved],
        "uninitialised": record.uninitialised,
    }


def _key(tensor: torch.Tensor) -> TensorKey:
    """Same memory, same view: saved tensors are unpacked as new objects, so match them by this. A sparse
    tensor has no one address: only itself matches."""
    if tensor.layout != torch.strided:
        return (id(tensor), (), (), 0, tensor.dtype)
    return (
        tensor.data_ptr(),
        tuple(tensor.shape),
        tuple(tensor.stride()),
        int(tensor.storage_offset()),
        tensor.dtype,
    )


def _saved_node_index(capture: Capture) -> dict[TensorKey, int]:
    index: dict[TensorKey, int] = {}
    for record in capture.values:
        if record.value is not None and record.kind != "const" and not record.dropped:
            index.setdefault(_key(record.value), record.index)
    return index


def _saved(saved: SavedRecord, saved_nodes: dict[TensorKey, int], tensors: TensorTable) -> SavedTensor:
    node = saved_nodes.get(_key(saved.tensor))
    if node is not None:
        return SavedTensor(name=saved.name, node=f"n{node}")
    return SavedTensor(name=saved.name, data=tensors[saved.tensor])


def _edges(kept: list[ValueRecord], grads: dict[int, TensorData | None]) -> list[Edge]:
    """One edge per input of each record, in that order (`e<position>`), with its backward contribution."""
    rows: list[dict[str, Any]] = []
    for record in kept:
        for position, source in enumerate(record.inputs):
            index = len(rows)
            rows.append(
                {
                    "id": f"e{index}",
                    "source": f"n{source}",
                    "target": f"n{record.index}",
                    "input_index": position,
                    "grad": grads.get(index),
                }
            )
    return EDGES(rows)


def _optimizer(capture: Capture, tensors: TensorTable) -> list[OptimizerEvent]:
    kept = [record for record in capture.optimizer if not record.dropped]
    return [
        OptimizerEvent(
            step=step,
            optimizer=record.optimizer,
            lr=record.lr,
            params=[
                ParamUpdate(
                    node=f"n{u.record}",
                    before=_data(tensors, u.before),
                    grad=tensors[u.grad],
                    after=_data(tensors, u.after),
                )
                for u in record.params
            ],
        )
        for step, record in enumerate(kept)
    ]


def _data(tensors: TensorTable, tensor: torch.Tensor) -> TensorData:
    data = tensors[tensor]
    assert data is not None  # a tensor always encodes
    return data


def _timeline(capture: Capture, positions: list[int]) -> list[TimelineEntry]:
    """Each entry's index into `forward`, `backward` or `optimizer` of the response (what the window kept)."""
    forward = _positions([record.dropped for record in capture.values])
    steps = _positions([step.dropped for step in capture.optimizer])
    where = {"forward": forward, "backward": positions, "step": steps}
    entries: list[dict[str, Any]] = []
    for entry in capture.timeline:
        index = where[entry.phase][entry.index] if entry.phase in where else entry.index
        if index >= 0:
            entries.append({"phase": entry.phase, "index": index, "pass_index": entry.pass_index})
    return TIMELINE(entries)


def _positions(dropped: list[bool]) -> list[int]:
    """Position among the kept items, or -1 for a dropped one."""
    positions: list[int] = []
    count = 0
    for gone in dropped:
        positions.append(-1 if gone else count)
        count += not gone
    return positions


def _outputs(kept: list[ValueRecord], labels: dict[int, str]) -> dict[str, Scalar]:
    """Each backward root with one element, by its label (`loss`)."""
    outputs: dict[str, Scalar] = {}
    for record in kept:
        if record.is_root and record.value is not None and record.value.numel() == 1:
            outputs[labels[record.index]] = json_scalar(record.value.detach().reshape(()).item())
    return outputs
