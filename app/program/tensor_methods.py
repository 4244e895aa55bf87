"""What a program may read or call on a tensor: a fixed table of properties and methods."""

from __future__ import annotations

from typing import Any

import torch

from app.errors import ForbiddenArgument
from app.program.arguments import check_data, torch_kwargs
from app.program.context import RunContext
from app.program.diagnostics import missing
from app.program.symbols_torch import REFUSED
from app.program.values import Builtin, GradFnView

__all__ = ["tensor_attribute"]

PROPERTIES = frozenset(
    ["shape", "ndim", "dtype", "T", "mT", "grad", "requires_grad", "is_leaf", "device", "data", "is_cuda"]
)
METHODS = frozenset([
    "size", "dim", "numel", "view", "view_as", "reshape", "reshape_as", "transpose", "t", "permute",
    "contiguous", "flatten", "unflatten", "unsqueeze", "squeeze", "split", "chunk", "expand", "expand_as",
    "repeat", "sum", "mean", "std", "var", "max", "min", "amax", "amin", "argmax", "argmin", "prod",
    "softmax", "log_softmax", "relu", "tanh", "sigmoid", "exp", "log", "log1p", "sqrt", "rsqrt", "abs",
    "pow", "clamp", "clamp_", "clip", "masked_fill", "masked_fill_", "float", "double", "half", "long",
    "int", "bool", "detach", "requires_grad_", "retain_grad", "matmul", "mm", "bmm", "mul", "add", "sub",
    "div", "neg", "square", "norm", "zero_", "fill_", "add_", "mul_", "sub_", "div_", "uniform_", "normal_",
    "type_as", "eq", "ne", "lt", "le", "gt", "ge", "all", "any", "tril", "triu", "tril_", "triu_", "cumsum",
    "gather", "index_select", "topk", "sort", "argsort", "flip", "roll", "unbind", "clone", "new_zeros",
    "new_ones", "new_full", "new_tensor", "is_floating_point", "exp_", "relu_", "sigmoid_", "tanh_", "abs_",
    "sqrt_",
])  # fmt: skip
_MAX_TOLIST = 1024
_BACKWARD_KEYWORDS = frozenset({"gradient", "retain_graph"})


def tensor_attribute(tensor: torch.Tensor, name: str, ctx: RunContext) -> Any:
    """A property's value or a checked bound method; anything else is forbidden_attribute."""
    if name == "grad_fn":
        node = tensor.grad_fn
        return None if node is None else GradFnView(type(node).__name__)
    if name in PROPERTIES:
        return getattr(tensor, name)
    special = _SPECIAL.get(name)
    if special is not None:
        return Builtin(f"Tensor.{name}", lambda args, kwargs: special(tensor, args, kwargs, ctx))
    if name in METHODS:
        method = getattr(tensor, name)
        return Builtin(f"Tensor.{name}", lambda args, kwargs: _call(method, name, args, kwargs, ctx))
    raise missing(f"Tensor.{name}", name, [*PROPERTIES, *METHODS, *_SPECIAL], REFUSED.get(name))


def _call(method: Any, name: str, args: list[Any], kwargs: dict[str, Any], ctx: RunContext) -> Any:
    check_data(args, f"Tensor.{name}")
    return method(*args, **torch_kwargs(kwargs, ctx.device, f"Tensor.{name}"))


def _to(tensor: torch.Tensor, args: list[Any], kwargs: dict[str, Any], ctx: RunContext) -> torch.Tensor:
    """.to(device), .to(dtype), .to(device, dtype), .to(other): devices always mean the run's device."""
    check_data([*args, *kwargs.values()], "Tensor.to")
    dtypes = [a for a in [*args, kwargs.get("dtype")] if isinstance(a, torch.dtype)]
    dtypes += [a.dtype for a in args if isinstance(a, torch.Tensor)]
    if set(kwargs) - {"device", "dtype", "non_blocking", "copy"}:
        raise ForbiddenArgument("Tensor.to takes a device, a dtype, or both")
    moved: torch.Tensor = tensor.to(ctx.device, dtypes[0] if dtypes else None, copy=bool(kwargs.get("copy")))
    return moved


def _move(tensor: torch.Tensor, args: list[Any], kwargs: dict[str, Any], ctx: RunContext) -> torch.Tensor:
    """.cuda() / .cpu(): the run's device."""
    return tensor.to(ctx.device)


def _item(tensor: torch.Tensor, args: list[Any], kwargs: dict[str, Any], ctx: RunContext) -> Any:
    """.item(): a Python number (ints held to the int budget); not a graph node."""
    with ctx.recorder.quiet():
        value = tensor.item()
    return ctx.budget.integer(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _tolist(tensor: torch.Tensor, args: list[Any], kwargs: dict[str, Any], ctx: RunContext) -> Any:
    """.tolist() for small tensors only (the values become Python objects)."""
    if tensor.numel() > _MAX_TOLIST:
        raise ForbiddenArgument(
            f"tolist() is limited to {_MAX_TOLIST} elements; this tensor has {tensor.numel()}"
        )
    with ctx.recorder.quiet():
        return tensor.tolist()


def _backward(tensor: torch.Tensor, args: list[Any], kwargs: dict[str, Any], ctx: RunContext) -> None:
    """.backward(gradient=None, retain_graph=None)."""
    if set(kwargs) - _BACKWARD_KEYWORDS or len(args) > 2:
        raise ForbiddenArgument("backward takes gradient= and retain_graph= only")
    check_data([*args, *kwargs.values()], "Tensor.backward")
    tensor.backward(*args, **kwargs)  # type: ignore[no-untyped-call]  # through __torch_function__


_SPECIAL = {"to": _to, "cuda": _move, "cpu": _move, "item": _item, "tolist": _tolist, "backward": _backward}
