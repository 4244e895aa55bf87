"""Result sizes from shapes alone, for the common ops (a meta-device dry run costs 0.2-3 ms per op; these
take microseconds). Estimates are exact or upper bounds; None means "ask the meta device"."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch

__all__ = ["estimate_numel"]

# Ops whose result has the broadcast shape of their tensor arguments.
_ELEMENTWISE = frozenset([
    "__add__", "__radd__", "__iadd__", "__sub__", "__rsub__", "__isub__", "__mul__", "__rmul__", "__imul__",
    "__truediv__", "__rtruediv__", "__itruediv__", "__floordiv__", "__rfloordiv__", "__mod__", "__pow__",
    "__rpow__", "__ipow__", "__neg__", "__pos__", "__abs__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__",
    "__ge__", "add", "sub", "mul", "div", "true_divide", "pow", "neg", "abs", "exp", "log", "log1p",
    "sigmoid",
    "tanh", "relu", "sqrt", "rsqrt", "sin", "cos", "square", "reciprocal", "sign", "floor", "ceil", "erf",
    "maximum", "minimum", "where", "masked_fill", "masked_fill_", "eq", "ne", "lt", "le", "gt", "ge", "isnan",
    "isinf", "isfinite", "dropout", "gelu", "silu", "leaky_relu", "elu", "softplus", "softmax", "log_softmax",
    "layer_norm", "exp_", "relu_", "sigmoid_", "tanh_", "abs_", "sqrt_", "add_", "mul_", "sub_", "div_",
    "clamp", "clamp_", "clip",
])  # fmt: skip
# Ops whose result has at most as many elements as their first tensor argument (views, reductions, losses,
# dtype conversions, in-place initialisers).
_NO_BIGGER = frozenset([
    "view", "view_as", "reshape", "reshape_as", "transpose", "t", "permute", "contiguous", "flatten",
    "unflatten", "unsqueeze", "squeeze", "split", "chunk", "unbind", "detach", "clone", "float", "double",
    "half", "long", "int", "bool", "type_as", "to", "sum", "mean", "std", "var", "max", "min", "amax", "amin",
    "argmax", "argmin", "prod", "logsumexp", "norm", "all", "any", "cumsum", "tril", "triu", "tril_", "triu_",
    "flip", "roll", "sort", "argsort", "zero_", "fill_", "uniform_", "normal_", "kaiming_uniform_",
    "mse_loss", "l1_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "requires_grad_",
])  # fmt: skip
_SIZED_FACTORIES = frozenset(["zeros", "ones", "empty", "rand", "randn"])


def estimate_numel(name: str, args: Sequence[Any], kwargs: dict[str, Any]) -> int | None:
    """Elements the op will produce (exact or an upper bound), or None when only a dry run can tell."""
    tensors = [arg for arg in [*args, *kwargs.values()] if isinstance(arg, torch.Tensor)]
    if name in _ELEMENTWISE:
        return _broadcast_numel([tuple(tensor.shape) for tensor in tensors])
    if name in _NO_BIGGER and tensors:
        return tensors[0].numel()
    if name in _SIZED_FACTORIES:
        return _size_numel(kwargs.get("size", args[0] if len(args) == 1 else args))
    rule = _RULES.get(name)
    return rule(tensors) if rule is not None and len(tensors) >= 2 else None


def _broadcast_numel(shapes: Sequence[tuple[int, ...]]) -> int | None:
    """Elements of the broadcast of all the shapes; None when they do not broadcast (torch says why)."""
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


def _size_numel(size: Any) -> int | None:
    """prod(size) for zeros(2, 3) / zeros((2, 3)) / zeros(torch.Size([2, 3])); None for anything else."""
    sizes = list(size) if isinstance(size, list | tuple) else [size]
    if not all(isinstance(s, int) and not isinstance(s, bool) for s in sizes):
        return None
    return math.prod(sizes) if all(s >= 0 for s in sizes) else None


def _linear(tensors: Sequence[torch.Tensor]) -> int | None:
    """F.linear(x, weight[, bias]): x's leading dims times out_features."""
    x, weight = tensors[0], tensors[1]
    if x.dim() == 0 or weight.dim() != 2 or x.shape[-1] != weight.shape[1]:
        return None
    return math.prod(x.shape[:-1]) * weight.shape[0]


def _embedding(tensors: Sequence[torch.Tensor]) -> int | None:
    """F.embedding(indices, weight): one row of the table per index."""
    indices, weight = tensors[0], tensors[1]
    return indices.numel() * weight.shape[1] if weight.dim() == 2 else None


def _matmul(tensors: Sequence[torch.Tensor]) -> int | None:
    """a @ b for matrices and batches of them (vectors: ask the dry run)."""
    a, b = tensors[0], tensors[1]
    if a.dim() < 2 or b.dim() < 2 or a.shape[-1] != b.shape[-2]:
        return None
    batch = _broadcast_numel([tuple(a.shape[:-2]), tuple(b.shape[:-2])])
    return None if batch is None else batch * a.shape[-2] * b.shape[-1]


_RULES: dict[str, Callable[[Sequence[torch.Tensor]], int | None]] = {
    "linear": _linear,
    "embedding": _embedding,
    **dict.fromkeys(["matmul", "__matmul__", "mm", "bmm"], _matmul),
}
