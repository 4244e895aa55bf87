"""Whether an expression surely gives a 0-d tensor, so backward can start from it without a `.sum()`.

A small static check: it answers True only when it can tell, and the caller sums otherwise.
"""

from __future__ import annotations

import ast
from collections.abc import Set

__all__ = ["is_scalar"]

# Functions that keep a 0-d input 0-d.
ELEMENTWISE = frozenset(
    {"sigmoid", "tanh", "relu", "exp", "log", "sin", "cos", "sqrt", "abs", "softmax", "gelu", "silu", "neg"}
)
REDUCTIONS = frozenset({"sum", "mean"})  # full reductions when called with no dim
MODULES = frozenset({"torch", "F"})


def is_scalar(node: ast.expr, scalars: Set[str]) -> bool:
    """True when `node` is known to be 0-d, given the names that hold 0-d tensors."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int | float) and not isinstance(node.value, bool)
    if isinstance(node, ast.Name):
        return node.id in scalars
    if isinstance(node, ast.BinOp):
        return (
            not isinstance(node.op, ast.MatMult)
            and is_scalar(node.left, scalars)
            and is_scalar(node.right, scalars)
        )
    if isinstance(node, ast.UnaryOp):
        return is_scalar(node.operand, scalars)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return call_is_scalar(node, node.func, scalars)
    return False


def call_is_scalar(node: ast.Call, func: ast.Attribute, scalars: Set[str]) -> bool:
    """`torch.f(x)`, `F.f(x)` or `x.f()`, for an element-wise f of a scalar or a full reduction."""
    module = isinstance(func.value, ast.Name) and func.value.id in MODULES
    inputs = node.args[:1] if module else [func.value]
    extra = node.args[1:] if module else node.args
    if func.attr in REDUCTIONS:
        return not extra and not node.keywords and len(inputs) == 1
    return func.attr in ELEMENTWISE and len(inputs) == 1 and all(is_scalar(arg, scalars) for arg in inputs)
