"""Gradient health: first NaN/Inf op, vanishing and exploding gradients, dead ReLUs, saturation."""

from __future__ import annotations

import math

import torch
from teaching import traced

from app.examples import example
from app.models import Health
from app.teach.render import render


def _health(source: str) -> tuple[Health, dict[str, str]]:
    _, graph = traced(source)
    assert graph.health is not None
    return graph.health, {node.id: node.label for node in graph.nodes}


X_LOG_X = """\
import torch
x = torch.tensor(0.0, requires_grad=True)
y = x * torch.log(x)
y.backward()
"""


def test_x_log_x_at_zero_flags_the_nan_ops() -> None:
    health, labels = _health(X_LOG_X)
    flags = {(f.kind, f.phase): f for f in health.flags}
    assert labels[flags[("nan", "forward")].node] == "y"  # 0 × (−∞)
    assert labels[flags[("inf", "forward")].node] == "torch.log(x)"  # log(0)
    assert labels[flags[("nan", "backward")].node] == "torch.log(x)"  # 0 / 0 in LogBackward0
    backward = flags[("nan", "backward")]
    assert backward.message == (
        "The gradient first became NaN at torch.log(x) (LogBackward0); what arrived there had not."
    )
    assert backward.card is not None and backward.card.key == "health.nan.backward"
    assert backward.card.args == {"x": "torch.log(x)", "op": "LogBackward0"}
    assert render(backward.card) == backward.message
    x = torch.tensor(0.0, requires_grad=True)
    (x * torch.log(x)).backward()
    assert x.grad is not None and math.isnan(float(x.grad))  # the oracle agrees: NaN reaches x
    x_node = next(node for node, label in labels.items() if label == "x")
    assert math.isnan(float(health.node_log10[x_node]))


def test_dead_relu_and_saturated_sigmoid() -> None:
    source = """\
import torch
w = torch.tensor([-1.0, -2.0], requires_grad=True)
h = torch.relu(w * 3)
s = torch.sigmoid(h + 20)
s.sum().backward()
"""
    health, labels = _health(source)
    assert {f.kind: labels[f.node] for f in health.flags} == {"dead_relu": "h", "saturated": "s"}
    saturated = next(f for f in health.flags if f.kind == "saturated")
    assert saturated.message == (
        "s: 100% of the outputs are within 0.0010 of the bounds (0, 1), where the derivative is almost 0 "
        "(saturated)."
    )


def test_vanishing_and_exploding_gradients_are_flagged_where_they_start() -> None:
    source = """\
import torch
w = torch.tensor(1.0, requires_grad=True)
small = w * 1e-9
big = w * 1e5
(small + big).backward()
"""
    health, labels = _health(source)
    assert {f.kind: labels[f.node] for f in health.flags} == {"vanishing": "small", "exploding": "big"}
    w_node = next(node for node, label in labels.items() if label == "w")
    assert abs(float(health.node_log10[w_node]) - math.log10(1e5 + 1e-9)) < 1e-6
    exploding = next(f for f in health.flags if f.kind == "exploding")
    assert exploding.message == (
        "The gradient first exploded (max |gradient| > 1000) at big (MulBackward0); "
        "what arrived there had not."
    )


def test_healthy_graph_has_no_flags_and_zero_grads_are_minus_infinity() -> None:
    source = """\
import torch
w = torch.tensor([1.0, 2.0], requires_grad=True)
(w * torch.tensor([0.0, 0.0]) + w.sum()).sum().backward()
"""
    health, _ = _health(source)
    assert health.flags == []
    assert -math.inf in [float(v) for v in health.edge_log10.values()]


def test_gpt2_mini_with_dropout_has_no_nan_or_inf_flags() -> None:
    """Dropout's `empty_like` held uninitialised memory (NaN among it) until `bernoulli_` filled it: the
    capture marks such nodes uninitialised and health never reads them."""
    recorded, graph = traced(example("gpt2_mini").code)
    assert any(node.uninitialised for node in graph.nodes)  # the program does make such nodes
    assert graph.health is not None
    assert [f for f in graph.health.flags if f.kind in ("nan", "inf")] == []
