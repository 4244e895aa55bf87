"""Local derivatives and cards on a 10-5-1 MLP and on softmax cross-entropy, against torch.autograd."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from teaching import event_of, lines, traced
from torch import nn

MLP = """\
import torch
import torch.nn as nn
import torch.nn.functional as F
torch.manual_seed(0)
net = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1))
x, y = torch.randn(4, 10), torch.randn(4, 1)
pred = net(x)
loss = F.mse_loss(pred, y)
loss.backward()
"""


def _mlp_oracle() -> dict[str, torch.Tensor]:
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1))
    x, y = torch.randn(4, 10), torch.randn(4, 1)
    hidden = net[0](x)
    hidden.retain_grad()
    pred = net[2](net[1](hidden))
    pred.retain_grad()
    F.mse_loss(pred, y).backward()
    assert hidden.grad is not None and pred.grad is not None
    return {"dL/dpred": pred.grad, "relu'": (hidden > 0).float(), "dL/dhidden": hidden.grad}


def test_mlp_mse_local_is_dl_dpred() -> None:
    _, graph = traced(MLP)
    event = event_of(graph, "MseLossBackward0")
    assert event.local[0] is not None
    torch.testing.assert_close(torch.tensor(event.local[0].values), _mlp_oracle()["dL/dpred"])
    assert event.local_formulas[0] is not None
    assert event.local_formulas[0].startswith("dL/dpred = 2(pred − y)/4 = [[")


def test_mlp_relu_local_is_the_mask_and_contribution_matches_autograd() -> None:
    _, graph = traced(MLP)
    event = event_of(graph, "ReluBackward0")
    oracle = _mlp_oracle()
    assert event.local[0] is not None and event.grad_inputs[0] is not None
    torch.testing.assert_close(torch.tensor(event.local[0].values), oracle["relu'"])
    torch.testing.assert_close(torch.tensor(event.grad_inputs[0].values), oracle["dL/dhidden"])
    # 4 × 5 = 20 numbers: too many to write out, so the card gives the shape with statistics
    mask, sent = oracle["relu'"], oracle["dL/dhidden"]
    assert event.formula == (
        f"d(1)/d(0) = 1 where (0) > 0, else 0 = [4×5] μ = {mask.mean():.4f}, ‖·‖ = {mask.norm():.4f}; "
        f"dL/d(0) = dL/d(1) ⊙ d(1)/d(0) = [4×5] μ = {sent.mean():.4f}, ‖·‖ = {sent.norm():.4f}"
    ).replace("-", "−")  # the Sequential's layers are the modules "0", "1" and "2"


def test_mlp_linear_steps_are_matrix_products_named_by_the_weights() -> None:
    _, graph = traced(MLP)
    second, first = [e for e in graph.backward if e.op == "AddmmBackward0"]
    assert second.local == [None, None, None]  # Jacobians: their chain lines say it all
    assert [line.split(" = [")[0].split(" = −")[0].split(" = 0")[0] for line in lines(second.cards)] == [
        "dL/d(2.bias) = Σ over rows of dL/dpred",
        "dL/d(1) = dL/dpred · (2.weight)",
        "dL/d(2.weight)ᵀ = (1)ᵀ · dL/dpred",
    ]
    assert lines(first.cards)[0].startswith("dL/d(0.bias) = Σ over rows of dL/d(0) = [")


SOFTMAX_CE = """\
import torch
import torch.nn.functional as F
logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]], requires_grad=True)
target = torch.tensor([0, 1])
loss = F.cross_entropy(logits, target)
loss.backward()
"""


def _ce_oracle() -> torch.Tensor:
    logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]], requires_grad=True)
    F.cross_entropy(logits, torch.tensor([0, 1])).backward()
    assert logits.grad is not None
    return logits.grad


def test_cross_entropy_nll_local_is_minus_one_over_n_at_the_target() -> None:
    _, graph = traced(SOFTMAX_CE)
    event = event_of(graph, "NllLossBackward0")
    logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]], requires_grad=True)
    log_probs = F.log_softmax(logits, dim=1)
    (oracle,) = torch.autograd.grad(F.nll_loss(log_probs, torch.tensor([0, 1])), [log_probs])
    assert event.local[0] is not None
    torch.testing.assert_close(torch.tensor(event.local[0].values), oracle)
    assert event.local_formulas[0] == (
        "dL/dlog_softmax = −1/2 at the target class of each row, 0 elsewhere = "
        "[[−0.5000, 0.0000, 0.0000], [0.0000, −0.5000, 0.0000]]"
    )


def test_log_softmax_card_shows_the_probabilities_apart_from_the_gradient() -> None:
    _, graph = traced(SOFTMAX_CE)
    event = event_of(graph, "LogSoftmaxBackward0")
    assert event.grad_inputs[0] is not None
    torch.testing.assert_close(
        torch.tensor(event.grad_inputs[0].values), _ce_oracle()
    )  # softmax − one-hot, / N
    assert event.local == [None]
    assert lines(event.cards) == [
        "dL/dlogits = dL/dlog_softmax − softmax(logits) · Σⱼ dL/dlog_softmaxⱼ = "
        "[[−0.1705, 0.1212, 0.0493], [0.0543, −0.0988, 0.0445]]",
        "softmax(logits) = [[0.6590, 0.2424, 0.0986], [0.1086, 0.8025, 0.0889]]",
    ]  # the probabilities are their own line: never "= probabilities = gradient"


def test_cross_entropy_call_card_is_softmax_minus_one_hot_over_the_batch() -> None:
    _, graph = traced(SOFTMAX_CE)
    event = event_of(graph, "NllLossBackward0")
    group = next(g for g in graph.groups if g.kind == "call" and g.module == "F.cross_entropy")
    assert event.call == group.id and event.node in group.outputs
    (card,) = event.call_cards
    probs = torch.softmax(torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]), dim=1)
    work = card.args["work"]
    assert card.key == "step.worked" and not isinstance(work, (str, int, float, list, type(None)))
    torch.testing.assert_close(torch.tensor(work.args["p"]), probs)  # type: ignore[union-attr]
    torch.testing.assert_close(torch.tensor(card.args["value"]), _ce_oracle())
    assert lines(event.call_cards) == [
        "dL/dlogits = (softmax(logits) − one-hot(target))/2 = "
        "([[0.6590, 0.2424, 0.0986], [0.1086, 0.8025, 0.0889]] − "
        "[[1.0000, 0.0000, 0.0000], [0.0000, 1.0000, 0.0000]]) / 2 = "
        "[[−0.1705, 0.1212, 0.0493], [0.0543, −0.0988, 0.0445]]"
    ]


def test_sum_and_mean_locals() -> None:
    source = """\
import torch
v = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
(v.sum() + v.mean()).backward()
"""
    _, graph = traced(source)
    assert event_of(graph, "SumBackward0").local_formulas == ["d(v.sum())/dv = 1 (every element counts once)"]
    mean = event_of(graph, "MeanBackward0")
    assert mean.local[0] is not None and mean.local[0].values == [0.25] * 4
    assert mean.local_formulas == ["d(v.mean())/dv = 1/N = 1/4 = [0.2500, 0.2500, 0.2500, 0.2500]"]


def test_matmul_card_plugs_in_small_numbers() -> None:
    source = """\
import torch
A = torch.tensor([[1.0, 2.0]], requires_grad=True)
B = torch.tensor([[3.0], [4.0]], requires_grad=True)
(A @ B).sum().backward()
"""
    _, graph = traced(source)
    event = event_of(graph, "MmBackward0")
    assert event.local_formulas == [None, None]
    assert lines(event.cards) == [
        "dL/dA = dL/d(A @ B) · Bᵀ = 1.0000 · [[3.0000, 4.0000]] = [[3.0000, 4.0000]]",
        "dL/dB = Aᵀ · dL/d(A @ B) = [[1.0000], [2.0000]] · 1.0000 = [[1.0000], [2.0000]]",
    ]
