"""Chain rule on every edge: the logistic neuron's numbers, fan-out sums and .grad accumulation."""

from __future__ import annotations

import torch
from teaching import event_of, neuron, traced, value

from app.capture import Recorder


def test_bce_step_shows_dl_da() -> None:
    _, graph = traced(neuron)
    event = event_of(graph, "BinaryCrossEntropyBackward0")
    assert event.formula == "dL/da = −(y/a − (1−y)/(1−a)) = −1.0889"
    assert round(value(event.local[0]), 4) == -1.0889
    assert event.local[1] is None  # y needs no gradient: no edge, no card


def test_sigmoid_step_multiplies_upstream_by_local() -> None:
    _, graph = traced(neuron)
    event = event_of(graph, "SigmoidBackward0")
    assert event.local_formulas == ["da/dz = σ(z)(1−σ(z)) = 0.0750"]
    assert event.formula == "dL/dz = dL/da × da/dz = −1.0889 × 0.0750 = −0.0817"
    a = 1 / (1 + torch.exp(torch.tensor(-2.42)))
    assert abs(value(event.local[0]) - float(a * (1 - a))) < 1e-6


def test_mul_step_gives_dl_dw() -> None:
    _, graph = traced(neuron)
    event = event_of(graph, "MulBackward0")
    assert event.local_formulas == [None, "dmul/dw = x = 1.1000"]
    assert event.formula == "dL/dw = dL/dmul × dmul/dw = −0.0817 × 1.1000 = −0.0898"


def test_accumulate_grad_says_grad_was_not_computed_before() -> None:
    _, graph = traced(neuron)
    formulas = [e.formula for e in graph.backward if e.op == "AccumulateGrad"]
    assert formulas == [
        "b.grad = dL/db = −0.0817 (it was not computed before)",
        "w.grad = dL/dw = −0.0898 (it was not computed before)",
    ]


def fan_out(rec: Recorder) -> None:
    a = torch.tensor(2.0, requires_grad=True)
    rec.name(a, "a")
    b = a + a
    rec.name(b, "b")
    c = b * b
    rec.name(c, "c")
    c.backward()


def test_fan_out_shows_both_contributions_and_their_sum() -> None:
    _, graph = traced(fan_out)
    add = event_of(graph, "AddBackward0")
    mul = event_of(graph, "MulBackward0")
    assert add.sum_of == [edge for edge in mul.edges if edge is not None]
    assert add.formula is not None
    assert add.formula.startswith(
        "dL/db = sum of 2 contributions = 4.0000 + 4.0000 = 8.0000 (b is used 2 times)"
    )
    leaf = event_of(graph, "AccumulateGrad")
    assert leaf.sum_of == [edge for edge in add.edges if edge is not None]
    assert leaf.formula == (
        "dL/da = sum of 2 contributions = 8.0000 + 8.0000 = 16.0000 (a is used 2 times); "
        "a.grad = dL/da = 16.0000 (it was not computed before)"
    )
    a = torch.tensor(2.0, requires_grad=True)
    ((a + a) * (a + a)).backward()
    assert a.grad is not None and float(a.grad) == 16.0  # the oracle: micrograd's `+=` lesson


def twice(rec: Recorder) -> None:
    w = torch.tensor(3.0, requires_grad=True)
    rec.name(w, "w")
    (w * w).backward()
    (w * 2).backward()


def test_second_backward_without_zero_grad_accumulates() -> None:
    _, graph = traced(twice)
    formulas = [e.formula for e in graph.backward if e.op == "AccumulateGrad"]
    assert formulas[0] == (
        "dL/dw = sum of 2 contributions = 3.0000 + 3.0000 = 6.0000 (w is used 2 times); "
        "w.grad = dL/dw = 6.0000 (it was not computed before)"
    )
    assert formulas[1] == (
        "w.grad += dL/dw: 6.0000 + 2.0000 = 8.0000 (accumulated: no zero_grad since the last backward)"
    )


def test_zero_grad_starts_the_sum_again() -> None:
    def program(rec: Recorder) -> None:
        w = torch.tensor(3.0, requires_grad=True)
        rec.name(w, "w")
        optimizer = torch.optim.SGD([w], lr=0.1)
        (w * 2).backward()
        optimizer.zero_grad()
        rec.zero_grad()
        (w * 5).backward()

    _, graph = traced(program)
    formulas = [e.formula for e in graph.backward if e.op == "AccumulateGrad"]
    assert formulas == [
        "w.grad = dL/dw = 2.0000 (it was not computed before)",
        "w.grad = dL/dw = 5.0000 (it was not computed before)",
    ]
