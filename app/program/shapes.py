"""Result sizes of elementwise ops by broadcasting, in plain Python (meta dry runs cost ~250 us for these)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch

__all__ = ["ELEMENTWISE", "broadcast_numel"]

# Ops whose result has the broadcast shape of their tensor arguments.
ELEMENTWISE = frozenset([
    "__add__", "__radd__", "__iadd__", "__sub__", "__rsub__", "__isub__", "__mul__", "__rmul__", "__imul__",
    "__truediv__", "__rtruediv__", "__itruediv__", "__floordiv__", "__rfloordiv__", "__mod__", "__pow__",
    "__rpow__", "__ipow__", "__neg__", "__pos__", "__abs__", "__eq__", "__ne__", "__lt__", "__le__",
    "__gt__", "__ge__", "add", "sub", "mul", "div", "true_divide", "pow", "neg", "abs", "exp", "log",
    "log1p", "sigmoid", "tanh", "relu", "sqrt", "rsqrt", "sin", "cos", "square", "reciprocal", "sign",
    "floor", "ceil", "erf", "maximum", "minimum", "where", "masked_fill", "masked_fill_", "eq", "ne", "lt",
    "le", "gt", "ge", "isnan", "isinf", "isfinite", "float", "double", "half", "long", "int", "bool",
    "type_as", "detach", "clone", "contiguous", "dropout", "gelu", "silu", "leaky_relu", "elu", "softplus",
    "softmax", "log_softmax", "layer_norm", "exp_", "relu_", "sigmoid_", "tanh_", "abs_", "sqrt_", "zero_",
    "fill_", "add_", "mul_", "sub_", "div_", "clamp", "clamp_", "clip", "uniform_", "normal_",
])  # fmt: skip


def broadcast_numel(args: Sequence[Any]) -> int | None:
    """Elements of the broadcast of all tensor arguments; None when they do not broadcast (torch says why)."""
    shapes = [tuple(arg.shape) for arg in args if isinstance(arg, torch.Tensor)]
    if not shapes:
        return None
    rank = max(len(shape) for shape in shapes)
    result = [1] * rank
    for shape in shapes:
        for index, size in enumerate(shape, start=rank - len(shape)):
            if result[index] == 1:
                result[index] = size
            elif size not in (1, result[index]):
                return None
    return math.prod(result)
