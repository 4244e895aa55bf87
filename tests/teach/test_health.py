"""Gradient health: first NaN/Inf op, vanishing and exploding gradients, dead ReLUs, saturation."""

from __future__ import annotations

import math

import torch
from teaching import Program, traced

from app.capture import Recorder
from app.models import Health


def _health(program: Program) -> tuple[Health, dict[str, str]]:
    _, graph = traced(program)
    assert graph.health is not None
    return graph.health, {node.id: node.label for node in graph.nodes}


def x_log_x(rec: Recorder) -> None:
    x = torch.tensor(0.0, requires_grad=True)
    rec.name(x, "x")
    y = x * torch.log(x)
    rec.name(y, "y")
    y.backward()


def test_x_log_x_at_zero_flags_the_nan_ops() -> None:
    health, labels = _health(x_log_x)
    flags = {(f.kind, f.phase): f for f in health.flags}
    assert labels[flags[("nan", "forward")].node] == "y"  # 0 × (−∞)
    assert labels[flags[("inf", "forward")].node] == "log"  # log(0)
    assert labels[flags[("nan", "backward")].node] == "log"  # 0 / 0 in LogBackward0
    assert flags[("nan", "backward")].message == (
        "The gradient first became NaN at log (LogBackward0); what arrived there had not."
    )
    x = torch.tensor(0.0, requires_grad=True)
    (x * torch.log(x)).backward()
    assert x.grad is not None and math.isnan(float(x.grad))  # the oracle agrees: NaN reaches x
    x_node = next(node for node, label in labels.items() if label == "x")
    assert math.isnan(float(health.node_log10[x_node]))


def test_dead_relu_and_saturated_sigmoid() -> None:
    def program(rec: Recorder) -> None:
        w = torch.tensor([-1.0, -2.0], requires_grad=True)
        rec.name(w, "w")
        h = torch.relu(w * 3)
        rec.name(h, "h")
        s = torch.sigmoid(h + 20)
        rec.name(s, "s")
        s.sum().backward()

    health, labels = _health(program)
    kinds = {f.kind: labels[f.node] for f in health.flags}
    assert kinds == {"dead_relu": "h", "saturated": "s"}


def test_vanishing_and_exploding_gradients_are_flagged_where_they_start() -> None:
    def program(rec: Recorder) -> None:
        w = torch.tensor(1.0, requires_grad=True)
        rec.name(w, "w")
        small = w * 1e-9
        rec.name(small, "small")
        big = w * 1e5
        rec.name(big, "big")
        (small + big).backward()

    health, labels = _health(program)
    kinds = {f.kind: labels[f.node] for f in health.flags}
    assert kinds == {"vanishing": "small", "exploding": "big"}
    w_node = next(node for node, label in labels.items() if label == "w")
    assert abs(float(health.node_log10[w_node]) - math.log10(1e5 + 1e-9)) < 1e-6


def test_healthy_graph_has_no_flags_and_zero_grads_are_minus_infinity() -> None:
    def program(rec: Recorder) -> None:
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        rec.name(w, "w")
        (w * torch.tensor([0.0, 0.0]) + w.sum()).sum().backward()

    health, _ = _health(program)
    assert health.flags == []
    assert -math.inf in [float(v) for v in health.edge_log10.values()]
