"""Numerical gradient check: agreement on smooth programs, the documented disagreement at relu(0)."""

from __future__ import annotations

from teaching import NEURON, program, traced

from app.models import GradCheck
from app.teach.gradcheck import MAX_ELEMENTS, check_gradients


def _checks(source: str) -> tuple[list[GradCheck], bool]:
    recorded, graph = traced(source)
    check_gradients(graph, recorded, program(source), seed=0, budget_s=30)
    return graph.gradcheck, graph.truncated["gradcheck"]


def test_smooth_neuron_agrees_with_finite_differences() -> None:
    checks, truncated = _checks(NEURON)
    assert [(c.label, c.index, c.ok) for c in checks] == [("w", [], True), ("b", [], True)]
    assert round(float(checks[0].autograd), 4) == -0.0898 and round(float(checks[0].numeric), 4) == -0.0898
    assert round(float(checks[1].numeric), 4) == -0.0817
    assert all(float(c.abs_err) < 1e-6 and c.note is None and c.note_card is None for c in checks)
    assert truncated is False


def test_relu_at_zero_disagrees_and_says_why() -> None:
    source = """\
import torch
x = torch.tensor([0.0, 1.5, -2.0], requires_grad=True)
y = torch.relu(x)
y.sum().backward()
"""
    checks, _ = _checks(source)
    assert [(c.index, float(c.autograd), round(float(c.numeric), 6), c.ok) for c in checks] == [
        ([0], 0.0, 0.5, False),  # the kink: autograd's convention vs the average of both slopes
        ([1], 1.0, 1.0, True),
        ([2], 0.0, 0.0, True),
    ]
    note = checks[0].note_card
    assert note is not None and note.key == "gradcheck.kink" and note.args == {"x": "y", "kink": "relu"}
    assert checks[0].note is not None and checks[0].note.startswith("y = relu(…) gets an input exactly at 0")
    assert "relu'(0) = 0" in checks[0].note
    assert checks[1].note is None


def test_mlp_every_parameter_element_agrees() -> None:
    source = """\
import torch
import torch.nn as nn
import torch.nn.functional as F
torch.manual_seed(0)
net = nn.Sequential(nn.Linear(10, 5), nn.Tanh(), nn.Linear(5, 1))
x, y = torch.randn(4, 10), torch.randn(4, 1)
F.mse_loss(net(x), y).backward()
"""
    checks, _ = _checks(source)
    assert len(checks) == 50 + 5 + 5 + 1
    assert all(c.ok for c in checks), [c for c in checks if not c.ok][:3]
    assert {tuple(c.index) for c in checks if c.node == checks[0].node} == {
        (row, col) for row in range(5) for col in range(10)
    }


def test_big_leaf_is_sampled() -> None:
    source = """\
import torch
w = torch.linspace(-1, 1, 100).requires_grad_()
(w**3).sum().backward()
"""
    checks, _ = _checks(source)
    assert len(checks) == MAX_ELEMENTS
    assert all(c.ok for c in checks)
    assert len({tuple(c.index) for c in checks}) == MAX_ELEMENTS
