"""The chain rule on every backward step: local derivatives, upstream × local = contribution, fan-out."""

from __future__ import annotations

import logging

import torch

from app.capture.encode import encode
from app.capture.records import BackwardRecord, Capture
from app.models import BackwardEvent, GraphResponse
from app.teach.numbers import tensor_text
from app.teach.operands import Local, Operands
from app.teach.rules import local_derivatives

__all__ = ["explain_backward"]

log = logging.getLogger(__name__)

ROOT = "L"  # how formulas name the root of a pass (the loss)
_WRITTEN = 8  # elements a formula writes out (see numbers.tensor_text); bigger tensors appear by shape


def explain_backward(graph: GraphResponse, capture: Capture) -> None:
    """Fill `local`, `local_formulas`, `formula` and `sum_of` on every backward event of `graph`."""
    records = [record for record in capture.backward if record.node is not None and not record.dropped]
    if len(records) != len(graph.backward):  # app.graph keeps exactly these events; anything else: no cards
        log.warning("backward events and records differ (%d, %d)", len(graph.backward), len(records))
        return
    labels = {node.id: node.label for node in graph.nodes}
    pending: list[tuple[BackwardEvent, int, torch.Tensor]] = []
    for event, record in zip(graph.backward, records, strict=True):
        if record.leaf is None:
            pending.extend(_explain_op(event, record, capture, labels))
    _encode_locals(pending, capture.limits.max_inline_values)
    _explain_sums(graph, records, capture, labels)


def _operands(record: BackwardRecord, capture: Capture, labels: dict[str, str]) -> Operands:
    assert record.node is not None  # events without a node are not in the response
    value = capture.values[record.node]
    inputs = [capture.values[i].value for i in value.inputs]
    upstream = record.grad_outputs[0] if record.grad_outputs else None
    output = value.value if value.value is not None else torch.zeros(())
    return Operands(
        inputs=inputs,
        names=[labels[f"n{i}"] for i in value.inputs],
        output=output,
        out_name=ROOT if value.is_root else labels[f"n{record.node}"],
        upstream=upstream,
        grad_fn=record.grad_fn,
    )


def _explain_op(
    event: BackwardEvent, record: BackwardRecord, capture: Capture, labels: dict[str, str]
) -> list[tuple[BackwardEvent, int, torch.Tensor]]:
    """Formulas now; the exact local tensors are returned for one batched encode."""
    ops = _operands(record, capture, labels)
    locals_ = local_derivatives(event.op, ops)
    count = len(event.edges)
    event.local = [None] * count
    event.local_formulas = [None] * count
    parts: list[str] = []
    tensors: list[tuple[BackwardEvent, int, torch.Tensor]] = []
    for position in range(count):
        local = locals_[position] if position < len(locals_) else None
        grad = record.grad_inputs[position] if position < len(record.grad_inputs) else None
        if local is None or grad is None:
            continue
        event.local_formulas[position] = _local_formula(ops, position, local)
        parts.append(_contribution(ops, position, local, grad))
        if local.tensor is not None:
            tensors.append((event, position, local.tensor))
    event.formula = "; ".join(parts) or None
    return tensors


def _local_formula(ops: Operands, position: int, local: Local) -> str:
    if local.tensor is None:
        return local.text
    text = f"d{ops.out_name}/d{ops.name(position)} = {local.text}"
    return f"{text} = {tensor_text(local.tensor)}" if local.tensor.numel() == 1 else text


def _contribution(ops: Operands, position: int, local: Local, grad: torch.Tensor) -> str:
    """`dL/dz = dL/da × da/dz = −1.0889 × 0.0750 = −0.0817`, or its tensor form."""
    name, out = ops.name(position), ops.out_name
    result = tensor_text(grad)
    written = "" if result.startswith("(") else f" = {result}"
    if local.tensor is None:
        return local.text + written
    up = ops.upstream
    from_root = out == ROOT and up is not None and up.numel() == 1 and float(up.reshape(()).item()) == 1.0
    if from_root:
        return f"dL/d{name} = {local.text}{written}"
    if local.tensor.numel() == 1 and up is not None and up.numel() == 1:
        numbers = f"{tensor_text(up)} × {tensor_text(local.tensor)}"
        return f"dL/d{name} = dL/d{out} × d{out}/d{name} = {numbers}{written}"
    return f"dL/d{name} = dL/d{out} ⊙ d{out}/d{name}{written}"


def _encode_locals(pending: list[tuple[BackwardEvent, int, torch.Tensor]], max_inline: int) -> None:
    data = encode([tensor for _, _, tensor in pending], max_inline=max_inline)
    for (event, position, _), encoded in zip(pending, data, strict=True):
        event.local[position] = encoded


def _explain_sums(
    graph: GraphResponse, records: list[BackwardRecord], capture: Capture, labels: dict[str, str]
) -> None:
    """Fan-out (contributions to one value add up) and `.grad` accumulation across passes."""
    source_of = {edge.id: edge.source for edge in graph.edges}
    arrived: dict[tuple[int, str], list[tuple[str, torch.Tensor]]] = {}
    running: dict[int, torch.Tensor] = {}  # id(leaf tensor) -> its .grad so far
    by_step = dict(enumerate(zip(graph.backward, records, strict=True)))
    for entry in graph.timeline:
        if entry.phase == "zero_grad":
            running.clear()
        elif entry.phase == "backward" and entry.index in by_step:
            event, record = by_step[entry.index]
            contributions = arrived.pop((event.pass_index, event.node), [])
            _fan_out(event, contributions, labels)
            if record.leaf is not None:
                _accumulate(event, record, capture, labels, running)
            _arrivals(event, record, source_of, arrived)


def _arrivals(
    event: BackwardEvent,
    record: BackwardRecord,
    source_of: dict[str, str],
    arrived: dict[tuple[int, str], list[tuple[str, torch.Tensor]]],
) -> None:
    for edge, grad in zip(event.edges, record.grad_inputs, strict=False):
        if edge is not None and grad is not None:
            arrived.setdefault((event.pass_index, source_of[edge]), []).append((edge, grad))


def _fan_out(
    event: BackwardEvent, contributions: list[tuple[str, torch.Tensor]], labels: dict[str, str]
) -> None:
    if len(contributions) < 2:
        return
    event.sum_of = [edge for edge, _ in contributions]
    terms = [tensor_text(grad) for _, grad in contributions]
    name = labels[event.node]
    written = ""
    if not any(term.startswith("(") for term in terms):  # small enough to write: add them up too
        total = tensor_text(torch.stack([grad for _, grad in contributions]).sum(0))
        written = f" = {' + '.join(terms)} = {total}"
    line = f"dL/d{name} = sum of {len(terms)} contributions{written} ({name} is used {len(terms)} times)"
    event.formula = line if event.formula is None else f"{line}; {event.formula}"


def _accumulate(
    event: BackwardEvent,
    record: BackwardRecord,
    capture: Capture,
    labels: dict[str, str],
    running: dict[int, torch.Tensor],
) -> None:
    """`w.grad = dL/dw` the first time; `w.grad = old + new` when backward runs again without zero_grad."""
    assert record.leaf is not None
    incoming = record.grad_outputs[0] if record.grad_outputs else None
    if incoming is None:
        return
    key = id(capture.values[record.leaf].tensor)
    name = labels[event.node]
    before = running.get(key)
    after = incoming if before is None or incoming.numel() > _WRITTEN else before + incoming
    running[key] = after  # big gradients are only named by shape: no need to add them up
    if before is None:
        line = f"{name}.grad = dL/d{name} = {tensor_text(incoming)} (it was not computed before)"
    else:
        sum_text = f"{tensor_text(before)} + {tensor_text(incoming)} = {tensor_text(after)}"
        line = f"{name}.grad += dL/d{name}: {sum_text} (accumulated: no zero_grad since the last backward)"
    event.formula = line if event.formula is None else f"{event.formula}; {line}"
