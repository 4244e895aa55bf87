"""Python operators restricted to numbers, tensors, and a few safe string/sequence cases, with int budgets."""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any

import torch

from app.errors import ForbiddenOperation
from app.program.budget import Budget

__all__ = ["binary", "compare", "unary"]

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
    ast.MatMult: operator.matmul,
}  # fmt: skip
_IN_PLACE: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.iadd, ast.Sub: operator.isub, ast.Mult: operator.imul, ast.Div: operator.itruediv,
    ast.FloorDiv: operator.ifloordiv, ast.Mod: operator.imod, ast.Pow: operator.ipow,
    ast.MatMult: operator.imatmul,
}  # fmt: skip
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}  # fmt: skip
_SYMBOL = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**",
    ast.MatMult: "@",
}  # fmt: skip
_NUMBER = (bool, int, float)
_NUMERIC = (bool, int, float, torch.Tensor)
_MAX_TEXT = 1024
_CONTAINERS = (list, tuple, dict, str, range)


def binary(op: ast.operator, left: Any, right: Any, budget: Budget, *, in_place: bool = False) -> Any:
    """`left op right` for tensors and numbers; `+` also joins strings and lists/tuples (size-capped)."""
    kind = type(op)
    if isinstance(left, torch.Tensor) or isinstance(right, torch.Tensor):
        _tensor_operands(kind, left, right)
        return (_IN_PLACE if in_place and isinstance(left, torch.Tensor) else _BINARY)[kind](left, right)
    if isinstance(left, _NUMBER) and isinstance(right, _NUMBER):
        return _numbers(kind, left, right, budget)
    if kind is ast.Add and _joinable(left, right):
        if isinstance(left, str):
            _text(left, right)
        else:
            budget.literal(len(left) + len(right))
        return left + right
    raise ForbiddenOperation(
        f"'{_SYMBOL[kind]}' is not supported between {type(left).__name__} and {type(right).__name__} "
        "(arithmetic works on numbers and tensors)"
    )


def unary(op: ast.unaryop, operand: Any) -> Any:
    """-x, +x, not x."""
    if isinstance(op, ast.Not):
        return not operand
    if not isinstance(operand, _NUMERIC):
        raise ForbiddenOperation(f"unary minus/plus needs a number or tensor, not {type(operand).__name__}")
    return -operand if isinstance(op, ast.USub) else +operand


def compare(op: ast.cmpop, left: Any, right: Any) -> Any:
    """Comparisons; `in` only over containers."""
    if isinstance(op, ast.In | ast.NotIn) and not isinstance(right, _CONTAINERS):
        raise ForbiddenOperation(f"'in' needs a list, tuple, dict or string, not {type(right).__name__}")
    return _COMPARE[type(op)](left, right)


def _tensor_operands(kind: type[ast.operator], left: Any, right: Any) -> None:
    for value in (left, right):
        if not isinstance(value, _NUMERIC):
            raise ForbiddenOperation(
                f"'{_SYMBOL[kind]}' between a tensor and a {type(value).__name__} is not supported"
            )


def _numbers(kind: type[ast.operator], left: Any, right: Any, budget: Budget) -> Any:
    """Scalar arithmetic with its cost known first: `**` exponents and int sizes are checked before."""
    if kind is ast.Pow:
        budget.power(left, right)
    if kind is ast.Mult and isinstance(left, int) and isinstance(right, int):
        budget.integer(2 ** max(abs(left).bit_length() + abs(right).bit_length() - 2, 0))
    if kind is ast.MatMult:
        raise ForbiddenOperation("'@' needs tensors")
    result = _BINARY[kind](left, right)
    return budget.integer(result) if isinstance(result, int) and not isinstance(result, bool) else result


def _joinable(left: Any, right: Any) -> bool:
    return (
        type(left) is type(right)
        and isinstance(left, str | list | tuple)
        or (isinstance(left, tuple) and isinstance(right, tuple))
    )


def _text(left: str, right: str) -> None:
    if len(left) + len(right) > _MAX_TEXT:
        raise ForbiddenOperation(f"strings are limited to {_MAX_TEXT} characters")
