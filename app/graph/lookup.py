"""A node id of a graph -> the tensor it showed, found again in a re-run's capture (for POST /values).

Ids are `n<record index>` (see app.graph.build), so the same program, options and seed find the same record.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from app.capture.records import Capture, ValueRecord
from app.errors import InvalidRequest
from app.graph.backward import node_grads
from app.graph.calls import call_views, node_labels
from app.models import ValuesQuery

__all__ = ["Found", "find_tensor"]


@dataclass(frozen=True)
class Found:
    """The tensor a query asks for, with the node's label for the answer."""

    label: str
    tensor: torch.Tensor


def find_tensor(capture: Capture, query: ValuesQuery) -> Found:
    """The node's value or gradient; InvalidRequest naming the node when it is absent, changed or empty."""
    record = _record(capture, query.node)
    label = node_labels(capture, call_views(capture)).get(record.index, "")
    _check_unchanged(record, label, query)
    tensor = record.value if query.field == "data" else node_grads(capture).get(record.index)
    if tensor is None:
        raise InvalidRequest(f"node {query.node} ({label!r}) has no {_FIELD_WORDS[query.field]}")
    return Found(label, tensor.detach())


_FIELD_WORDS = {
    "data": "recorded value",
    "grad": "gradient: it does not require grad, or no backward pass reached it",
}


def _record(capture: Capture, node: str) -> ValueRecord:
    index = int(node.removeprefix("n"))
    if index >= len(capture.values) or capture.values[index].dropped:
        count = len(capture.values)
        raise InvalidRequest(
            f"there is no node {node}: this program's graph has {count} nodes (n0 to n{count - 1}); "
            "if the program changed since its graph was drawn, run it again"
        )
    return capture.values[index]


def _check_unchanged(record: ValueRecord, label: str, query: ValuesQuery) -> None:
    """The request's label and shape, when given, must still describe the node (else the program changed)."""
    shape = list(record.value.shape) if record.value is not None else []
    if (query.label is None or query.label == label) and (query.shape is None or query.shape == shape):
        return
    raise InvalidRequest(
        f"node {query.node} is now {label!r} {shape}, not {query.label or label!r} {query.shape or shape} "
        "as in the graph: the program or its options changed since; run it again"
    )
