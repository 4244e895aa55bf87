"""Layer 2: parse errors with positions and hints, and the allowlist walk with its shape rules."""

from __future__ import annotations

import ast

import pytest

from app.errors import (
    ForbiddenAttribute,
    ForbiddenImport,
    ForbiddenName,
    ForbiddenSyntax,
    GradtraceError,
    SyntaxProblem,
    TooComplex,
)
from app.program.validate import validate

MODULE_CLASS = """\
import torch
import torch.nn as nn
from torch import optim
from torch.nn import functional as F


class Net(nn.Module):
    scale = 2

    def __init__(self, n: int = 3, *, bias=-1.0):
        super(Net, self).__init__()
        super().__init__()
        self.fc = nn.Sequential(*[nn.Linear(n, n) for _ in range(2)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x)


with torch.no_grad():
    print(f"{1.5:.2f} {'a'!r}")
"""


def test_tutorial_shapes_are_accepted() -> None:
    tree = validate(MODULE_CLASS)
    assert isinstance(tree, ast.Module)
    assert [type(node).__name__ for node in tree.body][-2:] == ["ClassDef", "With"]


def refused(source: str) -> GradtraceError:
    with pytest.raises(GradtraceError) as caught:
        validate(source)
    return caught.value


def test_comment_with_slashes_gets_the_hash_hint() -> None:
    error = refused("x = 1\n// a comment\n")
    assert isinstance(error, SyntaxProblem)
    assert error.line == 2
    assert "Python comments start with #" in error.message


def test_unbalanced_bracket_hint_and_position() -> None:
    error = refused("x = (1,\ny = 2\n")
    assert isinstance(error, SyntaxProblem)
    assert (error.line, error.col) == (1, 4)
    assert "matching" in error.message


def test_mixed_tabs_and_spaces_hint() -> None:
    error = refused("if True:\n        x = 1\n\ty = 2\n")
    assert isinstance(error, SyntaxProblem)
    assert "spaces" in error.message


def test_deep_parentheses_are_too_complex() -> None:
    assert isinstance(refused("x = " + "(" * 250 + "1" + ")" * 250), TooComplex)
    assert isinstance(refused("x = " + "[" * 60 + "1" + "]" * 60), TooComplex)


def test_long_chains_are_too_complex() -> None:
    assert isinstance(refused("x = " + " + ".join(["1"] * 1500)), TooComplex)


@pytest.mark.parametrize(
    ("source", "error", "line", "col"),
    [
        ("x = 1\ny = x.__class__", ForbiddenAttribute, 2, 4),
        ("__import__('os')", ForbiddenName, 1, 0),
        ("_secret = 1", ForbiddenName, 1, 0),
        ("import os", ForbiddenImport, 1, 0),
        ("from torch import load", ForbiddenImport, 1, 0),
        ("import torch.nn.functional as _F", ForbiddenName, 1, 0),
        ("while True:\n    pass", ForbiddenSyntax, 1, 0),
        ("f = lambda: 1", ForbiddenSyntax, 1, 4),
        ("try:\n    x = 1\nexcept Exception:\n    pass", ForbiddenSyntax, 1, 0),
        ("g = (i for i in range(3))", ForbiddenSyntax, 1, 4),
        ("global x", ForbiddenSyntax, 1, 0),
        ("@dec\ndef f():\n    pass", ForbiddenSyntax, 1, 1),
        ("class A(nn.Module, metaclass=M):\n    pass", ForbiddenSyntax, 1, 0),
        ("class A:\n    pass", ForbiddenSyntax, 1, 0),
        ("def f(*args):\n    pass", ForbiddenSyntax, 1, 0),
        ("def f(x=[1]):\n    pass", ForbiddenSyntax, 1, 8),
        ("a = [*b]", ForbiddenSyntax, 1, 5),
        ("f(**k)", ForbiddenSyntax, 1, 4),
        ("a.b = 1", ForbiddenSyntax, 1, 0),
        ("a[0] = 1", ForbiddenSyntax, 1, 0),
        ("with open('f') as h:\n    pass", ForbiddenSyntax, 1, 0),
        ("x = b'bytes'", ForbiddenSyntax, 1, 4),
        ("x = 1j", ForbiddenSyntax, 1, 4),
        ("x = ...", ForbiddenSyntax, 1, 4),
        ("x = 'a' * 0 + '" + "a" * 300 + "'", ForbiddenSyntax, 1, 14),
        ("super().forward()", ForbiddenName, 1, 0),
        ("x.__init__()", ForbiddenAttribute, 1, 0),
        ("print(f'{x!a}')", ForbiddenSyntax, 1, 6),
        ("del x", ForbiddenSyntax, 1, 0),
        ("x = {1, 2}", ForbiddenSyntax, 1, 4),
        ("x = {k: 1 for k in y}", ForbiddenSyntax, 1, 4),
        ("(y := 1)", ForbiddenSyntax, 1, 1),
    ],
)
def test_refusals_name_the_kind_and_position(
    source: str, error: type[GradtraceError], line: int, col: int
) -> None:
    caught = refused(source)
    assert type(caught) is error
    assert (caught.line, caught.col) == (line, col)
