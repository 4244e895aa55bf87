"""Chain-rule cards of whole calls (nn.Linear, a batched matmul, nn.LayerNorm), against torch.autograd."""

from __future__ import annotations

import torch
from card_checks import check_arithmetic, numbers
from teaching import lines, traced
from torch import nn

from app.models import BackwardEvent, GraphResponse
from app.teach.render import render


def _call_event(graph: GraphResponse, module: str) -> BackwardEvent:
    """The event that carries the cards of the call group whose function is `module`."""
    group = next(g for g in graph.groups if g.kind == "call" and g.module == module)
    return next(event for event in graph.backward if event.call == group.id)


LINEAR = """\
import torch
import torch.nn as nn
torch.manual_seed(0)
fc = nn.Linear(3, 2)
x = torch.randn(1, 3, requires_grad=True)
y = fc(x)
(y * torch.tensor([[1.0, -2.0]])).sum().backward()
"""


def test_linear_call_card_writes_out_the_three_products() -> None:
    graph = traced(LINEAR)[1]
    event = _call_event(graph, "fc")
    torch.manual_seed(0)
    fc = nn.Linear(3, 2)
    x = torch.randn(1, 3, requires_grad=True)
    (fc(x) * torch.tensor([[1.0, -2.0]])).sum().backward()
    weight = fc.weight.detach()
    assert [render(card.args["formula"]) for card in event.call_cards] == [  # type: ignore[arg-type]
        "dL/dx = dL/dy · fc.weight",
        "dL/dfc.weight = (dL/dy)ᵀ · x",
        "dL/dfc.bias = Σ over rows of dL/dy",
    ]
    to_x, to_w, to_b = event.call_cards
    assert all(card.key == "step.worked" for card in (to_x, to_w)) and check_arithmetic(to_x) == 1
    work = to_x.args["work"]
    assert not isinstance(work, (str, int, float, list, type(None)))
    torch.testing.assert_close(numbers(work.args["a"]).float(), torch.tensor([[1.0, -2.0]]))  # dL/dy
    torch.testing.assert_close(numbers(work.args["b"]).float(), weight)
    assert x.grad is not None and fc.weight.grad is not None and fc.bias.grad is not None
    torch.testing.assert_close(numbers(to_x.args["value"]).float(), x.grad)
    torch.testing.assert_close(numbers(to_w.args["value"]).float(), fc.weight.grad)
    torch.testing.assert_close(numbers(to_b.args["value"]).float(), fc.bias.grad)


def test_linear_on_a_sequence_sums_over_every_position() -> None:
    source = """\
import torch
import torch.nn as nn
torch.manual_seed(0)
proj = nn.Linear(4, 3, bias=False)
h = torch.randn(2, 5, 4, requires_grad=True)
out = proj(h)
out.pow(2).sum().backward()
"""
    graph = traced(source)[1]
    event = _call_event(graph, "proj")
    torch.manual_seed(0)
    proj = nn.Linear(4, 3, bias=False)
    h = torch.randn(2, 5, 4, requires_grad=True)
    proj(h).pow(2).sum().backward()
    assert h.grad is not None and proj.weight.grad is not None
    to_h, to_w = event.call_cards  # 40 and 12 numbers: shapes with statistics
    for card, grad in ((to_h, h.grad), (to_w, proj.weight.grad)):
        stats = card.args["value"]
        assert not isinstance(stats, (str, int, float, list, type(None)))
        assert stats.args["shape"] == "×".join(str(size) for size in grad.shape)
        assert abs(float(numbers(stats.args["mean"])) - float(grad.mean())) < 1e-5
        assert abs(float(numbers(stats.args["norm"])) - float(grad.norm())) < 1e-4


def test_batched_matmul_call_names_both_operands_and_matches_autograd() -> None:
    source = """\
import torch
torch.manual_seed(0)
q = torch.randn(1, 2, 2, 2, requires_grad=True)
k = torch.randn(1, 2, 2, 2, requires_grad=True)
att = q @ k.transpose(-2, -1)
(att * torch.arange(8.0).view(1, 2, 2, 2)).sum().backward()
"""
    graph = traced(source)[1]
    event = _call_event(graph, "@")
    torch.manual_seed(0)
    q = torch.randn(1, 2, 2, 2, requires_grad=True)
    k = torch.randn(1, 2, 2, 2, requires_grad=True)
    kt = k.transpose(-2, -1)
    kt.retain_grad()
    (q @ kt * torch.arange(8.0).view(1, 2, 2, 2)).sum().backward()
    assert [line.split(" = ")[0] for line in lines(event.call_cards)] == [
        "dL/dq", "dL/d(k.transpose(-2, -1))"
    ]  # fmt: skip
    to_q, to_kt = event.call_cards
    assert "for each of the 2 matrices" in lines([to_q])[0]
    assert check_arithmetic(to_q) == 1 and check_arithmetic(to_kt) == 1  # 8 numbers each: written out
    assert q.grad is not None and kt.grad is not None
    torch.testing.assert_close(numbers(to_q.args["value"]).float(), q.grad)
    torch.testing.assert_close(numbers(to_kt.args["value"]).float(), kt.grad)


def test_layer_norm_call_card_gives_the_gradients_of_input_weight_and_bias() -> None:
    source = """\
import torch
import torch.nn as nn
torch.manual_seed(0)
norm = nn.LayerNorm(3)
x = torch.randn(2, 3, requires_grad=True)
y = norm(x)
(y * torch.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]])).sum().backward()
"""
    graph = traced(source)[1]
    event = _call_event(graph, "norm")
    torch.manual_seed(0)
    norm = nn.LayerNorm(3)
    x = torch.randn(2, 3, requires_grad=True)
    (norm(x) * torch.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]])).sum().backward()
    assert [line.split(" = ")[0] for line in lines(event.call_cards)] == [
        "dL/dx", "dL/dnorm.weight", "dL/dnorm.bias"
    ]  # fmt: skip
    grads = [x.grad, norm.weight.grad, norm.bias.grad]
    for card, grad in zip(event.call_cards, grads, strict=True):
        assert grad is not None
        torch.testing.assert_close(numbers(card.args["value"]).float(), grad)


def test_a_vector_times_a_matrix_has_no_matrix_card_and_the_response_is_whole() -> None:
    source = """\
import torch
x = torch.ones(5)
w = torch.randn(5, 3, requires_grad=True)
z = torch.matmul(x, w)
z.sum().backward()
"""
    graph = traced(source)[1]
    group = next(g for g in graph.groups if g.kind == "call")
    assert not any(event.call == group.id for event in graph.backward)
    assert all(event.cards for event in graph.backward)  # every step still has its own lines
