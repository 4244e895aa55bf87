"""The `torch` and `math` namespaces: every reachable name, each a wrapper that checks its arguments."""

from __future__ import annotations

import math
from typing import Any

import torch

from app.errors import ForbiddenArgument
from app.program.arguments import DTYPES, check_data, passthrough, torch_kwargs
from app.program.values import Builtin, Namespace
from app.seeding import manual_seed

__all__ = ["REFUSED", "math_namespace", "torch_namespace"]

TORCH_FUNCTIONS = [
    "zeros", "ones", "full", "zeros_like", "ones_like", "full_like", "rand_like", "randn_like", "arange",
    "linspace", "eye", "rand", "randn", "randint", "randperm", "cat", "concat", "stack", "hstack", "vstack",
    "matmul", "mm", "bmm", "mv", "dot", "outer", "einsum", "relu", "tanh", "sigmoid", "exp", "log", "log1p",
    "sqrt", "rsqrt", "abs", "sin", "cos", "sum", "mean", "std", "var", "max", "min", "amax", "amin",
    "argmax", "argmin", "prod", "softmax", "log_softmax", "where", "tril", "triu", "clamp", "clip", "pow",
    "square", "neg", "reciprocal", "maximum", "minimum", "add", "sub", "mul", "div", "sign", "floor",
    "ceil", "round", "erf", "logsumexp", "norm", "transpose", "reshape", "flatten", "squeeze", "unsqueeze",
    "permute", "split", "chunk", "gather", "cumsum", "topk", "allclose", "equal", "isnan", "isinf",
    "isfinite", "isclose", "numel", "is_tensor", "multinomial", "masked_fill", "sort", "argsort", "flip",
    "roll", "diag", "trace",
]  # fmt: skip

REFUSED = {
    "load": "reads files", "save": "writes files", "from_file": "reads files", "hub": "downloads code",
    "ops": "reaches native operator internals", "compile": "generates and runs code", "jit": "compiles code",
    "empty": "returns uninitialised memory", "empty_like": "returns uninitialised memory",
    "empty_strided": "returns uninitialised memory", "set_default_dtype": "changes global torch state",
    "set_default_device": "changes global torch state", "set_grad_enabled": "changes global torch state",
    "from_numpy": "needs NumPy", "frombuffer": "reads raw memory", "as_strided": "reads raw memory",
    "storage": "reads raw memory", "UntypedStorage": "reads raw memory", "library": "registers native code",
    "utils": "reaches torch internals", "backends": "changes global torch state",
    "distributed": "opens network connections", "multiprocessing": "starts processes",
    "numpy": "needs NumPy", "data_ptr": "reads raw memory", "apply_": "runs Python callbacks",
    "register_hook": "runs Python callbacks", "untyped_storage": "reads raw memory",
}  # fmt: skip
_DEVICE_NAMES = frozenset({"cpu", "cuda", "cuda:0", "mps", "auto"})
_MATH_FUNCTIONS = [
    "sqrt", "exp", "log", "log2", "log10", "tanh", "sin", "cos", "floor", "ceil", "fabs", "isnan", "isinf",
    "isclose",
]  # fmt: skip


def torch_namespace(device: torch.device, nn: Namespace) -> Namespace:
    """`torch` for one run: device-independent functions plus the run's device answers."""
    members: dict[str, object] = {name: passthrough(f"torch.{name}", getattr(torch, name), device) for name in
                                  TORCH_FUNCTIONS}  # fmt: skip
    members.update(DTYPES)
    members.update(pi=math.pi, e=math.e, inf=math.inf, nan=math.nan, nn=nn)
    members.update(optim=nn.child("optim"), Tensor=Builtin("torch.Tensor", _legacy_tensor))
    members["tensor"] = Builtin("torch.tensor", lambda args, kwargs: _tensor(args, kwargs, device))
    members["device"] = Builtin("torch.device", lambda args, kwargs: _device(args, device))
    members["manual_seed"] = Builtin("torch.manual_seed", lambda args, kwargs: _seed(args, kwargs, device))
    is_cuda = device.type == "cuda"
    cuda = {"is_available": Builtin("torch.cuda.is_available", lambda args, kwargs: is_cuda)}
    members["cuda"] = Namespace("torch.cuda", cuda)
    return Namespace("torch", members)


def math_namespace() -> Namespace:
    """`math`: a few functions on plain numbers and the constants."""
    members: dict[str, object] = {name: _math_function(name) for name in _MATH_FUNCTIONS}
    members.update(pi=math.pi, e=math.e, inf=math.inf, nan=math.nan)
    return Namespace("math", members)


def _math_function(name: str) -> Builtin:
    fn = getattr(math, name)

    def call(args: list[Any], kwargs: dict[str, Any]) -> Any:
        if kwargs or not all(isinstance(arg, int | float) for arg in args):
            raise ForbiddenArgument(f"math.{name} takes plain numbers only")
        return fn(*args)

    return Builtin(f"math.{name}", call)


def _tensor(args: list[Any], kwargs: dict[str, Any], device: torch.device) -> torch.Tensor:
    """torch.tensor(data, dtype=..., requires_grad=...): data is numbers, nested lists or tensors."""
    check_data(args, "torch.tensor")
    return torch.tensor(*args, **torch_kwargs(kwargs, device, "torch.tensor"))


def _legacy_tensor(args: list[Any], kwargs: dict[str, Any]) -> torch.Tensor:
    """torch.Tensor([...]) as old tutorials write it; torch.Tensor(3, 4) would be uninitialised memory."""
    if kwargs or len(args) != 1 or not isinstance(args[0], list | tuple):
        raise ForbiddenArgument("torch.Tensor takes one list of numbers; use torch.zeros(3, 4) for shapes")
    check_data(args, "torch.Tensor")
    return torch.tensor(args[0], dtype=torch.get_default_dtype())


def _device(args: list[Any], device: torch.device) -> torch.device:
    """torch.device("cuda"/"cpu"): always the device this run was asked to use."""
    name = args[0] if len(args) == 1 else None
    if not isinstance(name, torch.device) and name not in _DEVICE_NAMES:
        raise ForbiddenArgument("torch.device takes 'cpu' or 'cuda'")
    return device


def _seed(args: list[Any], kwargs: dict[str, Any], device: torch.device) -> None:
    """Seeds this run's generator (the child process is thrown away afterwards)."""
    if kwargs or len(args) != 1 or not isinstance(args[0], int) or not 0 <= args[0] < 2**63:
        raise ForbiddenArgument("torch.manual_seed takes one non-negative integer")
    manual_seed(args[0], device)
