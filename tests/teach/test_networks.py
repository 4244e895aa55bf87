"""Local derivatives on a 10-5-1 MLP and on softmax cross-entropy, against torch.autograd."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from teaching import event_of, traced
from torch import nn

from app.capture import Recorder


def _mlp_net() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1))


def _mlp_data() -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    net = _mlp_net()
    return net, torch.randn(4, 10), torch.randn(4, 1)


def mlp(rec: Recorder) -> None:
    with rec.quiet():
        net = _mlp_net()
    x, y = torch.randn(4, 10), torch.randn(4, 1)
    rec.name(net, "net")
    rec.name(x, "x")
    rec.name(y, "y")
    pred = net(x)
    rec.name(pred, "pred")
    loss = F.mse_loss(pred, y)
    rec.name(loss, "loss")
    loss.backward()


def _mlp_oracle() -> dict[str, torch.Tensor]:
    net, x, y = _mlp_data()
    hidden = net[0](x)
    hidden.retain_grad()
    activated = net[1](hidden)
    pred = net[2](activated)
    pred.retain_grad()
    F.mse_loss(pred, y).backward()
    assert hidden.grad is not None and pred.grad is not None
    return {"dL/dpred": pred.grad, "relu'": (hidden > 0).float(), "dL/dhidden": hidden.grad}


def test_mlp_mse_local_is_dl_dpred() -> None:
    _, graph = traced(mlp)
    event = event_of(graph, "MseLossBackward0")
    assert event.local[0] is not None
    torch.testing.assert_close(torch.tensor(event.local[0].values), _mlp_oracle()["dL/dpred"])
    assert event.local_formulas[0] == "dL/dpred = 2(pred − y)/4"


def test_mlp_relu_local_is_the_mask_and_contribution_matches_autograd() -> None:
    _, graph = traced(mlp)
    event = event_of(graph, "ReluBackward0")
    oracle = _mlp_oracle()
    assert event.local[0] is not None and event.grad_inputs[0] is not None
    torch.testing.assert_close(torch.tensor(event.local[0].values), oracle["relu'"])
    torch.testing.assert_close(torch.tensor(event.grad_inputs[0].values), oracle["dL/dhidden"])
    assert event.formula == "dL/daddmm = dL/drelu ⊙ drelu/daddmm"


def test_mlp_linear_steps_are_written_as_matrix_products() -> None:
    _, graph = traced(mlp)
    first, second = [e for e in graph.backward if e.op == "AddmmBackward0"]
    assert first.local == [None, None, None]  # Jacobians: formulas only
    assert first.local_formulas[0] == "dL/d2.bias = Σ over rows of dL/dpred"
    assert first.local_formulas[2] is not None and first.local_formulas[2] == "dL/dt = reluᵀ · dL/dpred"
    assert second.local_formulas[0] == "dL/d0.bias = Σ over rows of dL/daddmm"


def softmax_ce(rec: Recorder) -> None:
    logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]], requires_grad=True)
    target = torch.tensor([0, 1])
    rec.name(logits, "logits")
    rec.name(target, "target")
    loss = F.cross_entropy(logits, target)
    rec.name(loss, "loss")
    loss.backward()


def test_cross_entropy_nll_local_is_minus_one_over_n_at_the_target() -> None:
    _, graph = traced(softmax_ce)
    event = event_of(graph, "NllLossBackward0")
    logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]], requires_grad=True)
    log_probs = F.log_softmax(logits, dim=1)
    (oracle,) = torch.autograd.grad(F.nll_loss(log_probs, torch.tensor([0, 1])), [log_probs])
    assert event.local[0] is not None
    torch.testing.assert_close(torch.tensor(event.local[0].values), oracle)
    assert event.local_formulas[0] == "dL/dlog_softmax = −1/2 at the target class of each row, 0 elsewhere"


def test_cross_entropy_log_softmax_card_shows_the_probabilities() -> None:
    _, graph = traced(softmax_ce)
    event = event_of(graph, "LogSoftmaxBackward0")
    logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]], requires_grad=True)
    loss = F.cross_entropy(logits, torch.tensor([0, 1]))
    (oracle,) = torch.autograd.grad(loss, [logits])
    assert event.grad_inputs[0] is not None
    torch.testing.assert_close(torch.tensor(event.grad_inputs[0].values), oracle)  # softmax − one-hot, / N
    assert event.local == [None]
    assert event.local_formulas[0] == (
        "d log s_i/dlogits_j = δ_ij − s_j, s = softmax(logits) = "
        "[[0.6590, 0.2424, 0.0986], [0.1086, 0.8025, 0.0889]]"
    )


def test_sum_and_mean_locals() -> None:
    def program(rec: Recorder) -> None:
        v = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        rec.name(v, "v")
        (v.sum() + v.mean()).backward()

    _, graph = traced(program)
    assert event_of(graph, "SumBackward0").local_formulas == ["dsum/dv = 1 (every element counts once)"]
    mean = event_of(graph, "MeanBackward0")
    assert mean.local[0] is not None and mean.local[0].values == [0.25] * 4
    assert mean.local_formulas == ["dmean/dv = 1/N = 1/4"]


def test_matmul_card_plugs_in_small_numbers() -> None:
    def program(rec: Recorder) -> None:
        a = torch.tensor([[1.0, 2.0]], requires_grad=True)
        b = torch.tensor([[3.0], [4.0]], requires_grad=True)
        rec.name(a, "A")
        rec.name(b, "B")
        (a @ b).sum().backward()

    _, graph = traced(program)
    event = event_of(graph, "MmBackward0")
    assert event.local_formulas == [
        "dL/dA = dL/dmm · Bᵀ = 1.0000 · [[3.0000, 4.0000]]",
        "dL/dB = Aᵀ · dL/dmm = [[1.0000], [2.0000]] · 1.0000",
    ]
    assert event.formula == (
        "dL/dA = dL/dmm · Bᵀ = 1.0000 · [[3.0000, 4.0000]] = [[3.0000, 4.0000]]; "
        "dL/dB = Aᵀ · dL/dmm = [[1.0000], [2.0000]] · 1.0000 = [[1.0000], [2.0000]]"
    )
