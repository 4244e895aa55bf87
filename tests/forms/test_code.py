"""Shared program-text pieces: tensors from variables, loss lines, imports, fresh names, the response."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter

from app.forms.code import ResolvedProgram, fresh_name, import_lines, loss_line, tensor_code
from app.forms.models import Variable
from app.models import GraphResponse

VARIABLE = TypeAdapter(Variable)


@pytest.mark.parametrize(
    ("variable", "code"),
    [
        (1, "torch.tensor(1.0)"),
        ([[1, 2]], "torch.tensor([[1.0, 2.0]])"),
        ({"value": 2.2, "requires_grad": True}, "torch.tensor(2.2, requires_grad=True)"),
        ({"value": [1, 2], "dtype": "int64"}, "torch.tensor([1, 2], dtype=torch.int64)"),
        ({"value": [1, 2], "dtype": "float64"}, "torch.tensor([1.0, 2.0], dtype=torch.float64)"),
        ({"shape": [3, 4]}, "torch.randn(3, 4)"),
        ({"shape": [], "init": "zeros", "requires_grad": True}, "torch.zeros((), requires_grad=True)"),
        ({"shape": [2], "init": "ones", "dtype": "int64"}, "torch.ones(2, dtype=torch.int64)"),
        ({"shape": [5], "init": "arange"}, "torch.arange(5.0)"),
        ({"shape": [2, 3], "init": "arange", "dtype": "int64"}, "torch.arange(6).reshape(2, 3)"),
        (
            {"shape": [2, 3], "init": "arange", "requires_grad": True},
            "torch.arange(6.0).reshape(2, 3).requires_grad_()",
        ),
    ],
)
def test_tensor_code(variable: Any, code: str) -> None:
    assert tensor_code(VARIABLE.validate_python(variable)) == code


def test_exact_keeps_integers() -> None:
    assert tensor_code([[0, 3]], exact=True) == "torch.tensor([[0, 3]])"
    assert tensor_code(VARIABLE.validate_python({"value": [1, 2]}), exact=True) == "torch.tensor([1, 2])"


def test_loss_line_and_imports() -> None:
    assert (
        loss_line("loss", "bce_with_logits", "out", "y")
        == "loss = F.binary_cross_entropy_with_logits(out, y)"
    )
    assert loss_line("l", "l1", "a", "b") == "l = F.l1_loss(a, b)"
    assert import_lines({"optim", "F"}) == [
        "import torch",
        "import torch.nn.functional as F",
        "import torch.optim as optim",
    ]


def test_fresh_name() -> None:
    assert fresh_name("out", {"x"}) == "out"
    assert fresh_name("out", {"out", "out_1"}) == "out_2"


def test_annotate_adds_program_and_notes_only_when_generated() -> None:
    response = GraphResponse(stdout="hi")
    generated = ResolvedProgram("x = 1\n", ("a note",)).annotate(response)
    assert (generated.program, generated.notes, generated.stdout) == ("x = 1\n", ["a note"], "hi")
    assert ResolvedProgram("x = 1\n", generated=False).annotate(response) == response
