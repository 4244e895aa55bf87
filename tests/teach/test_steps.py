"""Optimizer steps with their numbers, against torch.optim's own update."""

from __future__ import annotations

import torch
from teaching import neuron, traced

from app.capture import Recorder


def _stepped(optimizer: str, lr: float, **options: float) -> list[str | None]:
    def program(rec: Recorder) -> None:
        w = torch.tensor(2.2, requires_grad=True)
        v = torch.tensor([1.0, 2.0], requires_grad=True)
        rec.name(w, "w")
        rec.name(v, "v")
        make = torch.optim.Adam if optimizer == "Adam" else torch.optim.SGD
        step = make([w, v], lr=lr, **options)
        ((w - 3.0) ** 2 + v.sum()).backward()
        step.step()

    _, graph = traced(program)
    return [update.formula for update in graph.optimizer[0].params]


def test_sgd_step_writes_w_minus_lr_grad_with_numbers() -> None:
    w = torch.tensor(2.2, requires_grad=True)
    ((w - 3.0) ** 2).backward()  # the oracle: dL/dw = 2 (w − 3) = −1.6, so w ← 2.2 + 0.16
    assert w.grad is not None and round(float(w.grad), 4) == -1.6
    assert _stepped("SGD", 0.1) == [
        "w ← w − lr · grad = 2.2000 − 0.1 × (−1.6000) = 2.3600",
        "v ← v − lr · grad, elementwise",
    ]


def test_momentum_and_adam_show_before_and_after() -> None:
    # weight decay adds 0.5·w to the gradient: 2.2 − 0.1 × (−1.6 + 1.1) = 2.25, not w − lr · grad
    assert _stepped("SGD", 0.1, weight_decay=0.5)[0] == (
        "w ← SGD with momentum or weight decay: 2.2000 → 2.2500"
    )
    assert _stepped("Adam", 0.1)[0] == "w ← w − lr · m̂/(√v̂ + ε): 2.2000 → 2.3000"


def test_no_optimizer_no_formulas() -> None:
    _, graph = traced(neuron)
    assert graph.optimizer == []
