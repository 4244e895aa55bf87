"""Optimizer steps with their numbers, against torch.optim's own update."""

from __future__ import annotations

import torch
from teaching import NEURON, traced

from app.models import ParamUpdate


def _stepped(optimizer: str, **options: float) -> list[ParamUpdate]:
    arguments = ", ".join(f"{name}={value}" for name, value in options.items())
    source = f"""\
import torch
w = torch.tensor(2.2, requires_grad=True)
v = torch.tensor([1.0, 2.0], requires_grad=True)
step = torch.optim.{optimizer}([w, v], {arguments})
((w - 3.0) ** 2 + (v * v).sum()).backward()
step.step()
"""
    _, graph = traced(source)
    return graph.optimizer[0].params


def test_sgd_step_writes_w_minus_lr_grad_with_numbers() -> None:
    w = torch.tensor(2.2, requires_grad=True)
    ((w - 3.0) ** 2).backward()  # the oracle: dL/dw = 2 (w − 3) = −1.6, so w ← 2.2 + 0.16
    assert w.grad is not None and round(float(w.grad), 4) == -1.6
    updates = _stepped("SGD", lr=0.1)
    assert [update.formula for update in updates] == [
        "w ← w − lr · grad = 2.2000 − 0.1000 × (−1.6000) = 2.3600",
        "v ← v − lr · grad = [1.0000, 2.0000] − 0.1000 × ([2.0000, 4.0000]) = [0.8000, 1.6000]",
    ]
    card = updates[0].card
    assert card is not None and card.key == "step.worked"
    work = card.args["work"]
    assert not isinstance(work, (str, int, float, list, type(None)))
    assert work.args == {"before": 2.2, "lr": 0.1, "grad": -1.6}
    assert abs(2.2 - 0.1 * -1.6 - float(card.args["value"])) < 1e-6  # type: ignore[arg-type]


def test_momentum_and_adam_show_before_and_after() -> None:
    # weight decay adds 0.5·w to the gradient: 2.2 − 0.1 × (−1.6 + 1.1) = 2.25, not w − lr · grad
    assert _stepped("SGD", lr=0.1, weight_decay=0.5)[0].formula == (
        "w ← SGD with momentum or weight decay: 2.2000 → 2.2500"
    )
    adam = _stepped("Adam", lr=0.1)
    assert [update.formula for update in adam] == [
        "w ← w − lr · m̂/(√v̂ + ε): 2.2000 → 2.3000",
        "v ← v − lr · m̂/(√v̂ + ε): [1.0000, 2.0000] → [0.9000, 1.9000]",
    ]


def test_no_optimizer_no_formulas() -> None:
    _, graph = traced(NEURON)
    assert graph.optimizer == []
