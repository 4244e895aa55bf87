"""Train N steps: the loss curve, per-step snapshots, and the same parameters as plain torch's loop."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from teaching import NEURON, program, traced, value
from torch import nn

from app.models import GraphResponse, TrainOptions
from app.teach.train import MAX_SNAPSHOT_VALUES, train


def _trained(source: str, options: TrainOptions) -> GraphResponse:
    recorded, graph = traced(source)
    train(graph, recorded, program(source), options, seed=0, budget_s=60)
    return graph


def _plain_neuron(steps: int, lr: float) -> tuple[list[float], torch.Tensor, torch.Tensor]:
    """The oracle: torch's own training loop on the same neuron."""
    x, y = torch.tensor(1.1), torch.tensor(1.0)
    w = torch.tensor(2.2, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    optimizer = torch.optim.SGD([w, b], lr=lr)
    losses: list[float] = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.binary_cross_entropy(torch.sigmoid(x * w + b), y)
        loss.backward()
        losses.append(float(loss.detach()))
        optimizer.step()
    return losses, w.detach(), b.detach()


def test_fifty_sgd_steps_lower_the_loss_and_match_plain_torch() -> None:
    graph = _trained(NEURON, TrainOptions(steps=50, optimizer="SGD", lr=0.5))
    training = graph.training
    assert training is not None and training.note is None and training.note_card is None
    losses = [float(loss) for loss in training.loss]
    assert len(losses) == 50
    assert all(later < earlier for earlier, later in zip(losses, losses[1:], strict=False))
    plain_losses, w, b = _plain_neuron(50, 0.5)
    assert losses == pytest.approx(plain_losses, rel=1e-6)
    labels = {node.id: node.label for node in graph.nodes}
    final = {labels[node]: value(data) for node, data in training.params.items()}
    assert final == pytest.approx({"w": float(w), "b": float(b)}, rel=1e-6)


def test_each_step_keeps_every_node_value_and_gradient() -> None:
    graph = _trained(NEURON, TrainOptions(steps=3, optimizer="SGD", lr=0.5))
    assert graph.training is not None
    steps = graph.training.steps
    assert [s.step for s in steps] == [0, 1, 2]
    w_node = next(node.id for node in graph.nodes if node.label == "w")
    first_w = value(steps[0].data[w_node])
    assert abs(first_w - 2.2) < 1e-6
    assert abs(value(steps[1].data[w_node]) - (first_w - 0.5 * value(steps[0].grad[w_node]))) < 1e-6
    assert set(steps[0].data) == {node.id for node in graph.nodes}  # the whole graph at every step


MLP = """\
import torch
import torch.nn as nn
import torch.nn.functional as F
net = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1))
x, y = torch.randn(4, 10), torch.randn(4, 1)
F.mse_loss(net(x), y).backward()
"""


def test_adam_on_the_mlp_matches_plain_torch() -> None:
    graph = _trained(MLP, TrainOptions(steps=20, optimizer="Adam", lr=0.01))
    torch.manual_seed(0)  # as the run is seeded
    net = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1))
    x, y = torch.randn(4, 10), torch.randn(4, 1)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    for _ in range(20):
        optimizer.zero_grad()
        F.mse_loss(net(x), y).backward()
        optimizer.step()
    assert graph.training is not None
    trained = [torch.tensor(data.values) for data in graph.training.params.values()]
    for mine, plain in zip(trained, net.parameters(), strict=True):
        torch.testing.assert_close(mine, plain.detach(), rtol=1e-6, atol=1e-8)  # JSON: 7 digits


def test_a_program_without_backward_says_so() -> None:
    source = "import torch\nw = torch.tensor(1.0, requires_grad=True)\ny = w * 2\n"
    recorded, graph = traced(source)
    train(graph, recorded, program(source), TrainOptions(steps=5), seed=0, budget_s=10)
    assert graph.training is not None
    assert graph.training.loss == [] and graph.training.note == "the program has no .backward() to train with"
    assert graph.training.note_card is not None and graph.training.note_card.key == "training.no_backward"


def test_a_big_graph_keeps_only_the_loss_curve() -> None:
    source = """\
import torch
w = torch.tensor(0.5, requires_grad=True)
total = w * 0
for step in range(20):  # about 60 nodes: x 100 steps is past the snapshot budget
    total = total + (w - step / 20) ** 2
total.backward()
"""
    graph = _trained(source, TrainOptions(steps=100, optimizer="SGD", lr=0.01))
    assert graph.training is not None
    assert len(graph.nodes) * 100 > MAX_SNAPSHOT_VALUES
    assert len(graph.training.loss) == 100 and all(not step.data for step in graph.training.steps)
    assert graph.training.note == "the graph is too big to keep every step: only the loss curve"
    assert abs(value(next(iter(graph.training.params.values()))) - 0.475) < 1e-3  # the mean of step / 20
