"""Capture -> GraphResponse: deterministic ids (n0.. in forward order, e0.. by target), kinds, labels, spans,
groups, the forward/backward/optimizer timeline and every tensor's payload. No layout and no stdout here.
"""

from __future__ import annotations

import torch

from app.capture.encode import json_scalar
from app.capture.records import Capture, SavedRecord, ValueRecord
from app.errors import LimitExceeded
from app.gcpause import collections_paused
from app.graph.backward import EdgeIndex, backward_events, node_grads, op_name
from app.graph.groups import module_groups
from app.graph.tensors import TensorTable
from app.models import (
    Edge,
    GraphResponse,
    Node,
    NodeKind,
    OptimizerEvent,
    ParamUpdate,
    SavedTensor,
    Scalar,
    Span,
    TensorData,
    TimelineEntry,
)

__all__ = ["build_graph", "node_label"]

TensorKey = tuple[int, tuple[int, ...], tuple[int, ...], int, torch.dtype]


def build_graph(capture: Capture) -> GraphResponse:
    """The response model without layout (x/y/w/h/points left at 0/empty) and without stdout."""
    with collections_paused():  # GPT-2 124M: one full collection mid-build walked every live object, 140 ms
        return _build(capture)


def _build(capture: Capture) -> GraphResponse:
    tensors = TensorTable(capture.limits.max_inline_values)
    grads = node_grads(capture)
    saved_nodes = _saved_node_index(capture)
    _collect(capture, grads, saved_nodes, tensors)
    tensors.encode()
    nodes = [_node(record, grads.get(record.index), saved_nodes, tensors) for record in capture.values]
    edges = EdgeIndex(_edges(capture))
    events, positions = backward_events(capture, edges, tensors)
    return GraphResponse(
        nodes=nodes,
        edges=edges.edges,
        groups=module_groups(capture.modules, nodes),
        forward=[node.id for node in nodes],
        backward=events,
        optimizer=_optimizer(capture, tensors),
        timeline=_timeline(capture, positions),
        outputs=_outputs(capture),
        device=str(capture.values[0].value.device)
        if capture.values and capture.values[0].value is not None
        else "cpu",
        torch=torch.__version__,
        timings={"capture": round(capture.capture_ms, 3), "encode": round(tensors.encode_ms, 3)},
        limits={name: float(value) for name, value in capture.limits.model_dump().items()},
        truncated={
            "nodes": isinstance(capture.error, LimitExceeded),
            "heatmaps": tensors.heatmaps_dropped > 0,
        },
    )


def _collect(
    capture: Capture,
    grads: dict[int, torch.Tensor | None],
    saved_nodes: dict[TensorKey, int],
    tensors: TensorTable,
) -> None:
    """Every tensor the response will show, for one batched encode."""
    for record in capture.values:
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


def node_label(record: ValueRecord) -> str:
    if record.label is not None:
        return record.label
    if record.fn is not None:
        return record.fn.rpartition(".")[2].strip("_")
    return op_name(record.grad_fn).removesuffix("0").removesuffix("Backward") if record.grad_fn else "tensor"


def _node(
    record: ValueRecord, grad: torch.Tensor | None, saved_nodes: dict[TensorKey, int], tensors: TensorTable
) -> Node:
    value = record.value
    kind = _kind(record)
    return Node(
        id=f"n{record.index}",
        kind=kind,
        label=node_label(record),
        op=op_name(record.grad_fn) if record.grad_fn is not None else None,
        fn=record.fn,
        output_nr=record.output_nr,
        shape=list(value.shape) if value is not None else [],
        dtype=str(value.dtype).removeprefix("torch.") if value is not None else "",
        device=str(value.device) if value is not None else "cpu",
        requires_grad=record.grad_fn is not None or kind == "param",
        group=record.group,
        span=Span(line=record.span[0], col=record.span[1], end_line=record.span[2], end_col=record.span[3])
        if record.span
        else None,
        data=tensors[value],
        grad=tensors[grad],
        saved=[_saved(saved, saved_nodes, tensors) for saved in record.saved],
    )


def _key(tensor: torch.Tensor) -> TensorKey:
    """Same memory, same view: saved tensors are unpacked as new objects, so match them by this."""
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
        if record.value is not None and record.kind != "const":
            index.setdefault(_key(record.value), record.index)
    return index


def _saved(saved: SavedRecord, saved_nodes: dict[TensorKey, int], tensors: TensorTable) -> SavedTensor:
    node = saved_nodes.get(_key(saved.tensor))
    if node is not None:
        return SavedTensor(name=saved.name, node=f"n{node}")
    return SavedTensor(name=saved.name, data=tensors[saved.tensor])


def _edges(capture: Capture) -> list[Edge]:
    edges: list[Edge] = []
    for record in capture.values:
        for position, source in enumerate(record.inputs):
            edges.append(
                Edge(
                    id=f"e{len(edges)}", source=f"n{source}", target=f"n{record.index}", input_index=position
                )
            )
    return edges


def _optimizer(capture: Capture, tensors: TensorTable) -> list[OptimizerEvent]:
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
        for step, record in enumerate(capture.optimizer)
    ]


def _data(tensors: TensorTable, tensor: torch.Tensor) -> TensorData:
    data = tensors[tensor]
    assert data is not None  # a tensor always encodes
    return data


def _timeline(capture: Capture, positions: list[int]) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    for entry in capture.timeline:
        index = positions[entry.index] if entry.phase == "backward" else entry.index
        if index >= 0:
            entries.append(TimelineEntry(phase=entry.phase, index=index, pass_index=entry.pass_index))
    return entries


def _outputs(capture: Capture) -> dict[str, Scalar]:
    """Each backward root with one element, by its label (`loss`)."""
    outputs: dict[str, Scalar] = {}
    for record in capture.values:
        if record.is_root and record.value is not None and record.value.numel() == 1:
            outputs[node_label(record)] = json_scalar(record.value.detach().reshape(()).item())
    return outputs
