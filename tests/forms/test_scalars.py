"""The static scalar check decides between `out.backward()` and `out.sum().backward()`."""

from __future__ import annotations

import ast

import pytest

from app.forms.scalars import is_scalar


@pytest.mark.parametrize(
    ("expression", "scalar"),
    [
        ("a * b + c", True),
        ("-a ** 2 / 3", True),
        ("torch.sigmoid(a) + F.relu(b)", True),
        ("a.exp().tanh()", True),
        ("v.sum()", True),
        ("torch.mean(v)", True),
        ("v.sum(0)", False),
        ("torch.sum(v, dim=0)", False),
        ("a * v", False),
        ("a @ b", False),
        ("torch.ones(3) * a", False),
        ("v[0]", False),
        ("True * a", False),
        ("torch.sigmoid(v)", False),
    ],
)
def test_is_scalar(expression: str, scalar: bool) -> None:
    tree = ast.parse(expression, mode="eval").body
    assert is_scalar(tree, {"a", "b", "c"}) is scalar
