"""Budgets are checked before the work, and each error names the budget, the value and the cap."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.errors import LimitExceeded

Interpret = Callable[..., Any]  # the `interpret` fixture (conftest.py): source -> Run


def refused(interpret: Interpret, source: str, **limits: Any) -> str:
    with pytest.raises(LimitExceeded) as caught:
        interpret(source, **limits)
    return caught.value.message


def test_huge_result_is_refused_before_it_is_allocated(interpret: Interpret) -> None:
    message = refused(interpret, "import torch\nx = torch.ones(10**10)\n")
    assert (
        message == "elements in the result of ones: 10,000,000,000 is over the max_numel budget of 67,108,864"
    )


def test_matmul_flops_come_from_shapes(interpret: Interpret) -> None:
    run = interpret("import torch\na = torch.ones(10, 20)\nb = torch.ones(20, 30)\nc = a @ b\n")
    assert run.budget.flops == 200 + 600 + 2 * 10 * 30 * 20
    assert run.budget.ops == 3


def test_freed_tensors_leave_the_live_count(interpret: Interpret) -> None:
    run = interpret("import torch\ntotal = torch.ones(1000).sum()\n")
    assert run.budget.live_numel == 1  # the 1000 ones were freed once summed


@pytest.mark.parametrize(
    ("source", "limits", "budget"),
    [
        ("import torch\nfor i in range(10):\n    x = torch.ones(1)\n", {"max_ops": 5}, "max_ops"),
        ("for i in range(10):\n    pass\n", {"max_iterations": 9}, "max_iterations"),
        ("xs = [i for i in range(5) for j in range(5)]\n", {"max_iterations": 20}, "max_iterations"),
        ("def f(n):\n    return 0 if n == 0 else f(n - 1)\nf(3)\n", {"max_call_depth": 3}, "max_call_depth"),
        ("print('hello world')\n", {"max_print_bytes": 10}, "max_print_bytes"),
        ("x = [[1, 2], [3]]\n", {"max_literal_elements": 4}, "max_literal_elements"),
        ("x = 2**53 + 1\n", {}, "max_int"),
        ("x = 2 ** 65\n", {}, "max_pow_exponent"),
        ("import torch\nx = torch.ones(4, 4)\ny = x @ x\n", {"max_flops_per_op": 100}, "max_flops_per_op"),
        ("import torch\nx = torch.ones(100)\ny = x * 2\n", {"max_flops": 150}, "max_flops"),
        ("import torch\nx = torch.ones(60)\ny = torch.ones(60)\n", {"max_live_numel": 100}, "max_live_numel"),
        (
            "import torch\nx = torch.ones(1, requires_grad=True)\ny = x * 2\n"
            "y.backward(retain_graph=True)\ny.backward()\n",
            {"max_backward": 1},
            "max_backward",
        ),
    ],
)
def test_each_budget_stops_the_program(
    interpret: Interpret, source: str, limits: dict[str, Any], budget: str
) -> None:
    assert f"the {budget} budget" in refused(interpret, source, **limits)


def test_limits_just_at_the_cap_pass(interpret: Interpret) -> None:
    run = interpret(
        "def f(n):\n    return 0 if n == 0 else f(n - 1)\nf(2)\nx = 2**53\ny = [[1, 2], [3]]\n",
        max_call_depth=3,
        max_literal_elements=5,
    )
    assert run.vars["x"] == 2**53
