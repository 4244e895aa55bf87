"""Syntax errors: CPython's first one with its position and a hint, and the later ones parso finds."""

from __future__ import annotations

import pytest

from app.errors import SyntaxProblem, TooComplex
from app.program.parsing import parse


def problem(source: str) -> SyntaxProblem:
    with pytest.raises(SyntaxProblem) as caught:
        parse(source)
    return caught.value


def test_a_program_parses_to_its_tree() -> None:
    assert len(parse("import torch\nx = torch.ones(2)\n").body) == 2


def test_the_error_says_where_once_and_hints_at_slash_comments() -> None:
    error = problem("import torch\nx = torch.ones(2)  // two ones\n")
    assert error.line == 2
    assert "Python comments start with #" in error.message
    assert "line 2" not in error.message  # the position travels as fields, not twice in the text


def test_print_statement_hint() -> None:
    assert "print is a function" in problem('print "hello"\n').message


def test_every_other_syntax_error_is_listed_with_its_line() -> None:
    error = problem("y = 2 +\nok = 1\ndef f(:\n    pass\nz = 3 ]\n")
    assert error.line == 5  # CPython reports the unmatched bracket first
    assert [p.line for p in error.also] == [1, 3]
    assert all(p.kind == "syntax_error" and p.message for p in error.also)
    errors = error.problems()
    assert [e["line"] for e in errors] == [5, 1, 3]


def test_indentation_hint() -> None:
    error = problem("def f():\nreturn 1\n")
    assert "same column" in error.message or "indent" in error.message.lower()


def test_deep_nesting_is_too_complex() -> None:
    with pytest.raises(TooComplex):
        parse("x = " + "(" * 300 + "1" + ")" * 300 + "\n")
