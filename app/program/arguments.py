"""Argument rules shared by every wrapper: only data goes into torch, and `device`/`dtype` are the run's."""

from __future__ import annotations

from typing import Any

import torch

from app.errors import ForbiddenArgument
from app.program.values import Builtin

__all__ = ["DTYPES", "check_data", "passthrough", "torch_kwargs"]

DTYPES: dict[str, torch.dtype] = {
    "float32": torch.float32, "float": torch.float32, "float64": torch.float64, "double": torch.float64,
    "float16": torch.float16, "half": torch.float16, "bfloat16": torch.bfloat16, "int64": torch.int64,
    "long": torch.int64, "int32": torch.int32, "int": torch.int32, "int16": torch.int16, "short": torch.int16,
    "int8": torch.int8, "uint8": torch.uint8, "bool": torch.bool,
}  # fmt: skip
_ALLOWED_DTYPES = frozenset(DTYPES.values())
_REFUSED_KEYWORDS = frozenset({"out", "generator", "pin_memory", "layout", "memory_format", "names"})
_DATA = (torch.Tensor, bool, int, float, str, type(None), torch.dtype, torch.device, slice)
_MAX_NESTING = 32


def check_data(value: Any, where: str, depth: int = 0) -> None:
    """Tensors, numbers, strings, dtypes, devices and containers of them; never modules or functions."""
    if isinstance(value, _DATA):
        if isinstance(value, torch.dtype) and value not in _ALLOWED_DTYPES:
            raise ForbiddenArgument(f"dtype {value} is not available in {where}")
        return
    if isinstance(value, list | tuple) and depth < _MAX_NESTING:
        for item in value:
            check_data(item, where, depth + 1)
        return
    raise ForbiddenArgument(f"{where} does not accept {_kind(value)} as an argument")


def torch_kwargs(kwargs: dict[str, Any], device: torch.device, where: str) -> dict[str, Any]:
    """Keywords for a torch call: `device=` means the run's device; `out=`, generators etc. are refused."""
    checked: dict[str, Any] = {}
    for name, value in kwargs.items():
        if name in _REFUSED_KEYWORDS:
            raise ForbiddenArgument(f"{where} does not accept the keyword {name}=")
        check_data(value, where)
        checked[name] = device if name == "device" else value
    return checked


def _kind(value: Any) -> str:
    """A user-facing name for a value's type."""
    return "a module" if isinstance(value, torch.nn.Module) else f"a {type(value).__name__}"


def passthrough(qualified: str, fn: Any, device: torch.device) -> Builtin:
    """A wrapper (name, call) that checks data arguments and keywords, then calls `fn`."""

    def call(args: list[Any], kwargs: dict[str, Any]) -> Any:
        check_data(args, qualified)
        return fn(*args, **torch_kwargs(kwargs, device, qualified))

    return Builtin(qualified, call)
