"""Exact local derivatives of elementwise ops, against torch.autograd on the same tensors."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
import torch.nn.functional as F
from teaching import event_of, traced

from app.capture import Recorder
from app.teach.numbers import tensor_text

Binary = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

A = [0.5, 1.5, 2.0]
B = [1.25, -0.75, 3.0]

CASES: list[tuple[str, Binary]] = [
    ("AddBackward0", lambda a, b: a + b),
    ("SubBackward0", lambda a, b: a - b),
    ("MulBackward0", lambda a, b: a * b),
    ("DivBackward0", lambda a, b: a / b),
    ("PowBackward0", lambda a, b: a**3),
    ("PowBackward1", lambda a, b: a**b),
    ("ExpBackward0", lambda a, b: torch.exp(a)),
    ("LogBackward0", lambda a, b: torch.log(a)),
    ("SigmoidBackward0", lambda a, b: torch.sigmoid(b)),
    ("TanhBackward0", lambda a, b: torch.tanh(b)),
    ("ReluBackward0", lambda a, b: torch.relu(b)),
    ("GeluBackward0", lambda a, b: F.gelu(b)),
    ("GeluBackward0", lambda a, b: F.gelu(b, approximate="tanh")),
    ("SqrtBackward0", lambda a, b: torch.sqrt(a)),
    ("NegBackward0", lambda a, b: -b),
    ("AbsBackward0", lambda a, b: torch.abs(b)),
    ("RsubBackward1", lambda a, b: 1 - a),
]


def _oracle(fn: Binary) -> list[torch.Tensor | None]:
    """d out_i / d input_i for each input, from torch.autograd (no broadcasting: elementwise)."""
    a = torch.tensor(A, requires_grad=True)
    b = torch.tensor(B, requires_grad=True)
    out = fn(a, b)
    grads = torch.autograd.grad(out.sum(), [a, b], allow_unused=True)
    return list(grads)


@pytest.mark.parametrize(("op", "fn"), CASES)
def test_local_derivative_equals_autograd(op: str, fn: Binary) -> None:
    def program(rec: Recorder) -> None:
        a = torch.tensor(A, requires_grad=True)
        b = torch.tensor(B, requires_grad=True)
        rec.name(a, "a")
        rec.name(b, "b")
        fn(a, b).sum().backward()

    recorded, graph = traced(program)
    event = event_of(graph, op)
    expected = [g for g in _oracle(fn) if g is not None]
    locals_ = [torch.tensor(d.values) for d in event.local if d is not None]
    assert len(locals_) == len(expected)
    for local, oracle in zip(locals_, expected, strict=True):
        torch.testing.assert_close(local, oracle, rtol=1e-6, atol=1e-6)


def test_contribution_is_upstream_times_local() -> None:
    def program(rec: Recorder) -> None:
        w = torch.tensor([0.5, -1.0], requires_grad=True)
        rec.name(w, "w")
        t = torch.tanh(w)
        rec.name(t, "t")
        (t * torch.tensor([3.0, 4.0])).sum().backward()

    _, graph = traced(program)
    event = event_of(graph, "TanhBackward0")
    upstream = torch.tensor(event.grad_outputs[0].values)  # type: ignore[union-attr]
    local = torch.tensor(event.local[0].values)  # type: ignore[union-attr]
    sent = torch.tensor(event.grad_inputs[0].values)  # type: ignore[union-attr]
    torch.testing.assert_close(upstream * local, sent)
    assert event.formula == f"dL/dw = dL/dt ⊙ dt/dw = {tensor_text(sent)}"
    assert event.local_formulas == ["dt/dw = 1−tanh²(w)"]


def test_broadcast_scalar_operand_has_local_in_output_shape() -> None:
    def program(rec: Recorder) -> None:
        x = torch.tensor([1.0, 2.0, 3.0])
        w = torch.tensor(0.5, requires_grad=True)
        rec.name(x, "x")
        rec.name(w, "w")
        (x * w).sum().backward()

    _, graph = traced(program)
    event = event_of(graph, "MulBackward0")
    assert event.local[1] is not None and event.local[1].values == [1.0, 2.0, 3.0]
    assert (
        event.grad_inputs[1] is not None and event.grad_inputs[1].values == 6.0
    )  # summed over the broadcast
