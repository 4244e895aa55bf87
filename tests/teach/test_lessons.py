"""The teaching examples, end to end through the interpreter: each shows the lesson it describes."""

from __future__ import annotations

import pytest
import torch
from teaching import run_text

from app.examples.lessons import LESSONS, lesson
from app.models import GraphOptions


def test_lesson_names_are_unique_and_each_has_code() -> None:
    names = [item.name for item in LESSONS]
    assert len(set(names)) == len(names) == 6
    assert all(item.code.startswith("import torch") for item in LESSONS)


def test_smooth_gradcheck_agrees_everywhere() -> None:
    item = lesson("gradcheck_smooth")
    graph = run_text(item.code, item.options)
    assert [(c.label, c.index) for c in graph.gradcheck] == [("w", [0]), ("w", [1]), ("b", [])]
    assert all(c.ok and float(c.abs_err) < 1e-6 for c in graph.gradcheck)


def test_kink_gradcheck_disagrees_only_at_zero() -> None:
    item = lesson("gradcheck_kink")
    graph = run_text(item.code, item.options)
    assert [(c.index, c.ok) for c in graph.gradcheck] == [([0], False), ([1], True), ([2], True)]
    assert graph.gradcheck[0].note is not None and "kink" in graph.gradcheck[0].note


def test_nan_lesson_flags_forward_and_backward_nan() -> None:
    item = lesson("nan_gradient")
    graph = run_text(item.code, item.options)
    labels = {node.id: node.label for node in graph.nodes}
    assert graph.health is not None
    flags = {(f.kind, f.phase): labels[f.node] for f in graph.health.flags}
    assert flags[("nan", "forward")] == "y" and flags[("nan", "backward")] == "torch.log(x)"


def test_accumulate_lesson_shows_six_plus_two() -> None:
    item = lesson("accumulate")
    graph = run_text(item.code, item.options)
    formulas = [e.formula for e in graph.backward if e.op == "AccumulateGrad"]
    assert formulas[-1] == (
        "w.grad += dL/dw: 6.0000 + 2.0000 = 8.0000 (accumulated: no zero_grad since the last backward)"
    )


def test_train_neuron_lesson_loss_falls_every_step() -> None:
    item = lesson("train_neuron")
    graph = run_text(item.code, item.options)
    assert graph.training is not None
    losses = [float(loss) for loss in graph.training.loss]
    assert len(losses) == 50 and all(b < a for a, b in zip(losses, losses[1:], strict=False))
    assert round(losses[0], 4) == 0.0852


@pytest.mark.slow  # 100 captured Adam steps
def test_train_mlp_lesson_matches_torch_adam() -> None:
    item = lesson("train_mlp")
    graph = run_text(item.code, item.options)
    torch.manual_seed(0)  # as the program does
    model = torch.nn.Sequential(torch.nn.Linear(10, 5), torch.nn.ReLU(), torch.nn.Linear(5, 1))
    x, y = torch.randn(8, 10), torch.randn(8, 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(100):
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        optimizer.step()
    assert graph.training is not None and len(graph.training.loss) == 100
    trained = [torch.tensor(data.values) for data in graph.training.params.values()]
    for mine, plain in zip(trained, model.parameters(), strict=True):  # JSON carries 7 significant digits
        torch.testing.assert_close(mine, plain.detach(), rtol=1e-6, atol=1e-8)
    assert graph.training.steps[0].data  # 100 steps x a small graph: snapshots kept


def test_gradcheck_in_float64_runs() -> None:
    graph = run_text(lesson("gradcheck_smooth").code, GraphOptions(gradcheck=True, dtype="float64"))
    assert all(c.ok and float(c.abs_err) < 1e-8 for c in graph.gradcheck)
