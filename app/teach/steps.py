"""Optimizer steps with their numbers: `w ← w − lr · grad = 2.2000 − 0.1000 × (−0.0898) = 2.2090`."""

from __future__ import annotations

from app.capture.records import Capture, ParamRecord
from app.models import Card, GraphResponse, OptimizerEvent, ParamUpdate
from app.teach.cards import card, value_arg, with_value
from app.teach.names import Names
from app.teach.operands import small
from app.teach.render import render

__all__ = ["explain_steps"]

_SAME = 1e-6  # relative tolerance of "the update was w − lr · grad" (float32 rounding)


def explain_steps(graph: GraphResponse, capture: Capture, names: Names) -> None:
    """Fill `card` and its English `formula` on every parameter update of every optimizer step."""
    records = [record for record in capture.optimizer if not record.dropped]
    for event, record in zip(graph.optimizer, records, strict=False):
        for update, param in zip(event.params, record.params, strict=False):
            update.card = _card(event, update, param, names.value(param.record))
            update.formula = render(update.card)


def _card(event: OptimizerEvent, update: ParamUpdate, param: ParamRecord, name: str) -> Card:
    before, after = value_arg(param.before, update.before), value_arg(param.after, update.after)
    if event.optimizer == "SGD" and _plain(param, event.lr):
        assert param.grad is not None and event.lr is not None  # _plain checked them
        a, g = small(param.before), small(param.grad)
        work = None if a is None or g is None else card("work.update", before=a, lr=event.lr, grad=g)
        return with_value(card("update.sgd", x=name), work, after)
    if event.optimizer == "SGD":
        formula = card("update.sgd.other", x=name)
    elif event.optimizer == "Adam":
        formula = card("update.adam", x=name)
    else:
        formula = card("update.other", x=name, optimizer=event.optimizer)
    return card("step.change", formula=formula, before=before, value=after)


def _plain(param: ParamRecord, lr: float | None) -> bool:
    """The update was exactly w − lr · grad, element by element (no momentum, no weight decay)."""
    if param.grad is None or lr is None or param.grad.shape != param.before.shape:
        return False
    before, grad, after = (t.detach().double() for t in (param.before, param.grad, param.after))
    return bool(((before - lr * grad - after).abs() <= _SAME * after.abs().clamp(min=1.0)).all())
