"""Optimizer steps with their numbers: `w ← w − lr · grad = 2.2000 − 0.1 × (−0.0898) = 2.2090`."""

from __future__ import annotations

from app.models import GraphResponse, OptimizerEvent, ParamUpdate, TensorData
from app.teach.numbers import number

__all__ = ["explain_steps"]

_SAME = 1e-6  # relative tolerance of "the update was w − lr · grad" (float32 rounding)


def explain_steps(graph: GraphResponse) -> None:
    """Fill `formula` on every parameter update of every optimizer step."""
    labels = {node.id: node.label for node in graph.nodes}
    for event in graph.optimizer:
        for update in event.params:
            update.formula = _formula(event, update, labels.get(update.node, update.node))


def _formula(event: OptimizerEvent, update: ParamUpdate, name: str) -> str:
    rule = (
        f"{name} ← {name} − lr · m̂/(√v̂ + ε)" if event.optimizer == "Adam" else f"{name} ← {name} − lr · grad"
    )
    before, grad, after = _scalar(update.before), _scalar(update.grad), _scalar(update.after)
    if before is None or after is None:
        return f"{rule}, elementwise"
    if event.optimizer != "SGD":
        return f"{rule}: {number(before)} → {number(after)}"
    if grad is not None and event.lr is not None and _plain(before, grad, after, event.lr):
        return f"{rule} = {number(before)} − {event.lr:g} × {_term(grad)} = {number(after)}"
    return f"{name} ← SGD with momentum or weight decay: {number(before)} → {number(after)}"


def _plain(before: float, grad: float, after: float, lr: float) -> bool:
    """The update was exactly w − lr · grad (no momentum, no weight decay)."""
    return abs(before - lr * grad - after) <= _SAME * max(1.0, abs(after))


def _scalar(data: TensorData | None) -> float | None:
    """The number of a one-element tensor, else None."""
    if data is None or data.numel != 1:
        return None
    values = data.values
    while isinstance(values, list) and len(values) == 1:
        values = values[0]
    return float(values) if isinstance(values, int | float) else None


def _term(value: float) -> str:
    return f"({number(value)})" if value < 0 else number(value)
