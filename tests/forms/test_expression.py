"""Expression form: the program text generated for the issue's examples, and what an expression may hold."""

from __future__ import annotations

from typing import Any

import pytest

from app.errors import InvalidRequest
from app.forms import resolve
from app.forms.code import ResolvedProgram
from app.forms.expression import parse_expression
from app.forms.models import REQUEST_EXAMPLES
from app.models import GraphRequest
from tests.forms.plain import run_plain

# The logistic neuron, which /docs shows as the expression example.
NEURON: dict[str, Any] = REQUEST_EXAMPLES[1]


def generate(payload: dict[str, Any]) -> ResolvedProgram:
    return resolve(GraphRequest.model_validate(payload))


def test_logistic_neuron_program() -> None:
    resolved = generate(NEURON)
    assert resolved.program == (
        "import torch\n"
        "import torch.nn.functional as F\n"
        "\n"
        "x = torch.tensor(1.1)\n"
        "w = torch.tensor(2.2, requires_grad=True)\n"
        "b = torch.tensor(0.0, requires_grad=True)\n"
        "out = torch.sigmoid(w * x + b)\n"
        "y = torch.tensor(1.0)\n"
        "loss = F.binary_cross_entropy(out, y)\n"
        "loss.backward()\n"
    )
    assert resolved.notes == ()


def test_free_names_become_seeded_scalar_leaves() -> None:
    resolved = generate({"expression": "a * b + c"})
    assert resolved.program == (
        "import torch\n"
        "\n"
        "a = torch.tensor(0.6888, requires_grad=True)\n"
        "b = torch.tensor(0.5159, requires_grad=True)\n"
        "c = torch.tensor(-0.1589, requires_grad=True)\n"
        "out = a * b + c\n"
        "out.backward()\n"
    )
    assert resolved.notes == ("free names: a, b, c (scalar leaves, random values, requires_grad)",)


def test_free_values_follow_the_seed() -> None:
    first = generate({"expression": "a * b", "options": {"seed": 1}}).program
    again = generate({"expression": "a * b", "options": {"seed": 1}}).program
    assert first == again != generate({"expression": "a * b"}).program


def test_bare_math_names_become_torch_calls() -> None:
    resolved = generate(
        {"expression": "tanh(exp(x)) + softmax(x) + sum(x, dim=0)", "variables": {"x": [1, 2]}}
    )
    assert (
        "out = torch.tanh(torch.exp(x)) + torch.softmax(x, dim=-1) + torch.sum(x, dim=0)\n"
        in resolved.program
    )
    assert "x = torch.tensor([1.0, 2.0])\n" in resolved.program


def test_non_scalar_output_is_summed_and_said_so() -> None:
    resolved = generate({"expression": "w * x", "variables": {"x": [1.0, 2.0]}})
    assert resolved.program.endswith("out = w * x\nout.sum().backward()\n")
    assert resolved.notes == (
        "free names: w (scalar leaves, random values, requires_grad)",
        "backward runs from out.sum(): out may not be a scalar",
    )


def test_generated_names_step_aside_for_user_names() -> None:
    payload = {
        "expression": "out * y + loss",
        "variables": {"out": 1.0, "y": 2.0, "loss": 3.0},
        "target": {"y": 0},
    }
    assert generate(payload).program.endswith(
        "out_1 = out * y + loss\n"
        "y_1 = torch.tensor(0.0)\n"
        "loss_1 = F.mse_loss(out_1, y_1)\n"
        "loss_1.backward()\n"
    )
    assert generate(payload).notes == ("no loss given: mse",)


def test_cross_entropy_keeps_class_indices_integer() -> None:
    payload = {
        "expression": "W @ x",
        "variables": {"W": {"shape": [3, 2], "requires_grad": True}, "x": [1, 2]},
    }
    program = generate({**payload, "target": {"y": 2, "loss": "cross_entropy"}}).program
    assert "torch.manual_seed(0)\nW = torch.randn(3, 2, requires_grad=True)\n" in program
    assert "y = torch.tensor(2)\nloss = F.cross_entropy(out, y)\n" in program


def test_modules_used_are_imported() -> None:
    program = generate({"expression": "F.gelu(x) * math.pi", "variables": {"x": 1.0}}).program
    assert program.startswith("import torch\nimport torch.nn.functional as F\nimport math\n\n")


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("foo(x)", "expression: unknown function 'foo'; use torch.foo or a bare math name"),
        ("x if y else z", "expression: IfExp is not allowed in an expression (column 1)"),
        ("lambda: 1", "expression: Lambda is not allowed in an expression (column 1)"),
        ("[i for i in x]", "expression: ListComp is not allowed in an expression (column 1)"),
        ("x < y", "expression: Compare is not allowed in an expression (column 1)"),
        ("x.__class__", "expression: names may not begin with '_': __class__ (column 1)"),
        ("_x + 1", "expression: names may not begin with '_': _x (column 1)"),
        ("2 * 1j", "expression: constant 1j is not allowed (column 5)"),
        ("f'{x}'", "expression: JoinedStr is not allowed in an expression (column 1)"),
        ("x = 1", "expression: not a single Python expression: invalid syntax"),
        ("x; y", "expression: not a single Python expression: invalid syntax"),
        ("-" * 65 + "x", "expression: nested more than 64 levels deep"),
        ("x" * 2001, "expression: 2001 characters; at most 2000"),
    ],
)
def test_refused_expressions_say_why(expression: str, message: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_expression(expression)
    assert caught.value.message == message
    assert caught.value.kind == "invalid_request"


def test_parse_lists_names_in_order_of_use() -> None:
    formula = parse_expression("relu(b + F.linear(x, w)) * b")
    assert formula.names == ("b", "x", "w")
    assert formula.modules == frozenset({"F"})
    assert formula.text == "torch.relu(b + F.linear(x, w)) * b"


def test_logistic_neuron_gradients_in_plain_torch() -> None:
    ran = run_plain(generate(NEURON).program)
    assert ran["loss"].item() == pytest.approx(0.0852, abs=5e-5)
    assert ran["w"].grad.item() == pytest.approx(-0.0898, abs=5e-5)
    assert ran["b"].grad.item() == pytest.approx(-0.0817, abs=5e-5)


def test_free_names_gradients_in_plain_torch() -> None:
    ran = run_plain(generate({"expression": "a * b + c"}).program)
    assert ran["a"].grad.item() == pytest.approx(0.5159)
    assert ran["b"].grad.item() == pytest.approx(0.6888)
    assert ran["c"].grad.item() == 1.0
