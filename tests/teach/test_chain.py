"""Chain rule on every edge: the logistic neuron's numbers, fan-out sums and .grad accumulation."""

from __future__ import annotations

import torch
from teaching import NEURON, event_of, lines, traced, value

from app.teach.render import render


def test_bce_step_is_its_own_local_derivative() -> None:
    _, graph = traced(NEURON)
    event = event_of(graph, "BinaryCrossEntropyBackward0")
    assert lines(event.cards) == [
        "dL/da = −(y/a − (1 − y)/(1 − a)) = −1.0889"
    ]  # once: not also as a chain line
    assert event.formula == "dL/da = −(y/a − (1 − y)/(1 − a)) = −1.0889"
    assert round(value(event.local[0]), 4) == -1.0889
    assert event.local[1] is None and event.local_cards[1] is None  # y needs no gradient: no edge, no card


def test_sigmoid_step_multiplies_upstream_by_local() -> None:
    _, graph = traced(NEURON)
    event = event_of(graph, "SigmoidBackward0")
    assert event.local_formulas == ["da/dz = σ(z)(1 − σ(z)) = 0.0750"]
    assert lines(event.cards) == [
        "da/dz = σ(z)(1 − σ(z)) = 0.0750",
        "dL/dz = dL/da × da/dz = −1.0889 × 0.0750 = −0.0817",
    ]
    chain = event.cards[1]
    assert chain.key == "step.worked" and isinstance(chain.args["formula"], type(chain))
    assert chain.args["formula"].key == "chain.times" and chain.args["formula"].args == {"x": "z", "y": "a"}
    work = chain.args["work"]
    assert isinstance(work, type(chain)) and work.key == "work.times"
    up, local = float(work.args["a"]), float(work.args["b"])  # type: ignore[arg-type]
    assert abs(up * local - float(chain.args["value"])) < 1e-6  # type: ignore[arg-type]
    a = torch.sigmoid(torch.tensor(2.42))
    assert abs(value(event.local[0]) - float(a * (1 - a))) < 1e-6


def test_mul_step_gives_dl_dw_and_names_the_product_in_brackets() -> None:
    _, graph = traced(NEURON)
    event = event_of(graph, "MulBackward0")
    assert event.local_formulas == [None, "d(x * w)/dw = x = 1.1000"]
    assert (
        event.formula
        == "d(x * w)/dw = x = 1.1000; dL/dw = dL/d(x * w) × d(x * w)/dw = −0.0817 × 1.1000 = −0.0898"
    )


def test_accumulate_grad_says_grad_was_not_computed_before() -> None:
    _, graph = traced(NEURON)
    assert [e.formula for e in graph.backward if e.op == "AccumulateGrad"] == [
        "b.grad = dL/db = −0.0817 (it was not computed before)",
        "w.grad = dL/dw = −0.0898 (it was not computed before)",
    ]


FAN_OUT = """\
import torch
a = torch.tensor(2.0, requires_grad=True)
b = a + a
c = b * b
d = c * a + b
d.backward()
"""


def test_fan_out_sums_are_the_gradients_torch_computed() -> None:
    _, graph = traced(FAN_OUT)
    a = torch.tensor(2.0, requires_grad=True)
    b = a + a
    b.retain_grad()
    c = b * b
    (c * a + b).backward()  # the oracle: dL/db = 1 + 2·b·a = 17, dL/da = c + 2·17 = 50
    assert b.grad is not None and a.grad is not None
    add = event_of(graph, "AddBackward0", nth=1)  # b = a + a (the first is d = c·a + b)
    fan_b = add.cards[0]
    assert render(fan_b) == "dL/db = 1.0000 + 8.0000 + 8.0000 = 17.0000 (b is used 3 times)"
    assert float(fan_b.args["value"]) == float(b.grad) == 17.0  # type: ignore[arg-type]
    assert sum(float(t) for t in fan_b.args["terms"]) == 17.0  # type: ignore[union-attr, arg-type]
    leaf = event_of(graph, "AccumulateGrad")
    assert lines(leaf.cards) == [
        "dL/da = 16.0000 + 17.0000 + 17.0000 = 50.0000 (a is used 3 times)",
        "a.grad = dL/da = 50.0000 (it was not computed before)",
    ]
    assert float(a.grad) == 50.0
    edge_sources = {edge.id: edge.source for edge in graph.edges}
    assert len(leaf.sum_of) == 3 and {edge_sources[e] for e in leaf.sum_of} == {leaf.node}


def test_a_value_used_twice_by_one_op_is_one_line_that_says_so() -> None:
    _, graph = traced(FAN_OUT)
    add = event_of(graph, "AddBackward0", nth=1)
    assert lines(add.cards)[1:] == [
        "db/da = 1.0000",
        "dL/da = dL/db × db/da = 17.0000 × 1.0000 = 17.0000 (the same for each of the 2 uses of a here)",
    ]
    assert add.local_formulas == ["db/da = 1.0000", "db/da = 1.0000"]  # per edge, as the edges are drawn


TWICE = """\
import torch
w = torch.tensor(3.0, requires_grad=True)
(w * w).backward()
(w * 2).backward()
"""


def test_second_backward_without_zero_grad_accumulates_and_sums_stay_in_their_pass() -> None:
    _, graph = traced(TWICE)
    assert [lines(e.cards) for e in graph.backward if e.op == "AccumulateGrad"] == [
        [
            "dL/dw = 3.0000 + 3.0000 = 6.0000 (w is used 2 times)",
            "w.grad = dL/dw = 6.0000 (it was not computed before)",
        ],
        ["w.grad += dL/dw: 6.0000 + 2.0000 = 8.0000 (accumulated: no zero_grad since the last backward)"],
    ]  # the "dL/dw = 3 + 3 + 2 = 2" summed contributions of two passes
    w = torch.tensor(3.0, requires_grad=True)
    (w * w).backward()
    (w * 2).backward()
    assert w.grad is not None and float(w.grad) == 8.0


def test_zero_grad_and_grad_zero_start_the_sum_again() -> None:
    source = """\
import torch
w = torch.tensor(3.0, requires_grad=True)
optimizer = torch.optim.SGD([w], lr=0.1)
(w * 2).backward()
optimizer.zero_grad()
(w * 5).backward()
(w * 4).backward()
w.grad.zero_()
(w * 3).backward()
"""
    _, graph = traced(source)
    assert [e.formula for e in graph.backward if e.op == "AccumulateGrad"] == [
        "w.grad = dL/dw = 2.0000 (it was not computed before)",
        "w.grad = dL/dw = 5.0000 (it was not computed before)",
        "w.grad += dL/dw: 5.0000 + 4.0000 = 9.0000 (accumulated: no zero_grad since the last backward)",
        "w.grad += dL/dw: 0.0000 + 3.0000 = 3.0000 (accumulated: no zero_grad since the last backward)",
    ]
