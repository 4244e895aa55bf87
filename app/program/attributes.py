"""Attribute access keyed by receiver kind: tensors, modules, optimizers, namespaces, dicts, lists."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn, optim

from app.errors import ForbiddenArgument, ForbiddenAttribute
from app.program.arguments import check_data
from app.program.context import RunContext
from app.program.diagnostics import missing
from app.program.symbols_torch import REFUSED
from app.program.tensor_methods import tensor_attribute
from app.program.values import Builtin, Namespace, UserMethod

__all__ = ["get_attribute", "set_attribute"]

_LIST_METHODS = frozenset({"append"})
_DICT_METHODS = frozenset({"keys", "values", "items", "get"})
_RESULT_FIELDS = frozenset({"values", "indices"})


def get_attribute(value: Any, name: str, ctx: RunContext) -> Any:
    """`value.name` when the receiver kind allows it; otherwise forbidden_attribute with a suggestion."""
    if isinstance(value, Namespace):
        if name in value.members:
            return value.members[name]
        raise missing(f"{value.path}.{name}", name, value.members, REFUSED.get(name))
    if isinstance(value, torch.Tensor):
        return tensor_attribute(value, name, ctx)
    if isinstance(value, nn.Module):
        return _module_attribute(value, name, ctx)
    if isinstance(value, optim.Optimizer):
        return _optimizer_attribute(value, name, ctx)
    if isinstance(value, torch.device) and name in ("type", "index"):
        return getattr(value, name)
    if isinstance(value, dict) and name in _DICT_METHODS:
        return Builtin(f"dict.{name}", lambda args, kwargs: _dict_method(value, name, args))
    if isinstance(value, list) and name in _LIST_METHODS:
        return Builtin("list.append", lambda args, kwargs: value.append(*args))
    if isinstance(value, tuple) and hasattr(type(value), "n_fields") and name in _RESULT_FIELDS:
        return getattr(value, name)
    raise ForbiddenAttribute(f"'{type(value).__name__}' values have no attribute '{name}' available here")


def set_attribute(target: Any, name: str, value: Any) -> None:
    """`self.name = value` in a method, `tensor.requires_grad = flag`, or `w.data -= lr * w.grad`."""
    if isinstance(target, torch.Tensor) and name == "requires_grad":
        target.requires_grad = bool(value)
        return
    if isinstance(target, torch.Tensor) and name == "data" and isinstance(value, torch.Tensor):
        target.data = value
        return
    if not isinstance(target, nn.Module):
        raise ForbiddenAttribute(f"cannot set '{name}' on a {type(target).__name__}")
    if hasattr(type(target), name) or name == "training":
        raise ForbiddenAttribute(f"'{name}' is a built-in attribute of modules; choose another name")
    setattr(target, name, value)


_MODULE_METHODS = frozenset({
    "parameters", "named_parameters", "children", "named_children", "buffers", "train", "eval", "zero_grad",
    "register_buffer", "to", "cuda", "cpu", "float", "double", "forward", "append",
})  # fmt: skip
_LISTED = frozenset({"parameters", "named_parameters", "children", "named_children", "buffers"})
_REFUSED_MODULE = {
    "apply": "runs Python callbacks", "state_dict": "exposes internals",
    "load_state_dict": "changes internals",
    "register_forward_hook": "runs Python callbacks", "register_forward_pre_hook": "runs Python callbacks",
    "register_full_backward_hook": "runs Python callbacks", "share_memory": "touches shared memory",
}  # fmt: skip
_PLAIN = (bool, int, float, str, type(None), tuple, list, dict, torch.Tensor, nn.Module)


def _module_attribute(module: nn.Module, name: str, ctx: RunContext) -> Any:
    """Submodules, parameters, buffers, values set in __init__, program methods, then the method table."""
    parts = (module._parameters, module._buffers, module._modules)
    if any(name in part for part in parts):
        return getattr(module, name)
    if name in module.__dict__ and isinstance(module.__dict__[name], _PLAIN) or name == "training":
        return getattr(module, name)
    methods = getattr(type(module), "gt_methods", {})
    if name in methods:
        return UserMethod(methods[name], module)
    constants = getattr(type(module), "gt_constants", {})
    if name in constants:
        return constants[name]
    if name in _MODULE_METHODS and hasattr(module, name):
        qualified = f"{type(module).__name__}.{name}"
        return Builtin(qualified, lambda args, kwargs: _module_call(module, name, args, kwargs, ctx))
    known = [*_MODULE_METHODS, *module._modules, *module._parameters, *module._buffers, *methods]
    public = [key for key in module.__dict__ if not key.startswith("_")]
    raise missing(f"{type(module).__name__}.{name}", name, known + public, _REFUSED_MODULE.get(name))


def _module_call(
    module: nn.Module, name: str, args: list[Any], kwargs: dict[str, Any], ctx: RunContext
) -> Any:
    """A method of the module table; generators become lists, devices become the run's."""
    if name in ("to", "cuda", "cpu", "float", "double"):
        with ctx.recorder.quiet():
            return _convert(module, name, [*args, *kwargs.values()], ctx)
    if name == "forward":
        return module(*args, **kwargs)
    if name == "register_buffer":
        return _register_buffer(module, args, kwargs)
    if name == "append" and not (args and isinstance(args[0], nn.Module)):
        raise ForbiddenArgument("append takes a module")
    check_data([*args, *kwargs.values()] if name != "append" else [], f"{type(module).__name__}.{name}")
    result = getattr(module, name)(*args, **kwargs)
    if name == "zero_grad":
        ctx.recorder.zero_grad()
    return list(result) if name in _LISTED else result


def _convert(module: nn.Module, name: str, args: list[Any], ctx: RunContext) -> nn.Module:
    """module.to(device/dtype), .cuda(), .cpu(), .float(), .double(): devices always mean the run's."""
    if name in ("float", "double"):
        converted: nn.Module = getattr(module, name)()
        return converted
    dtypes = [arg for arg in args if isinstance(arg, torch.dtype)]
    check_data(dtypes, f"{type(module).__name__}.{name}")
    moved: nn.Module = module.to(ctx.device, dtypes[0] if dtypes else None)
    return moved


def _register_buffer(module: nn.Module, args: list[Any], kwargs: dict[str, Any]) -> None:
    """register_buffer("mask", tensor, persistent=False): the name follows the program's naming rules."""
    if len(args) != 2 or not isinstance(args[0], str) or set(kwargs) - {"persistent"}:
        raise ForbiddenArgument("register_buffer takes a name, a tensor and optionally persistent=")
    name, tensor = args
    if not name.isidentifier() or name.startswith("_") or hasattr(type(module), name):
        raise ForbiddenArgument(f"'{name}' cannot be a buffer name")
    if tensor is not None and not isinstance(tensor, torch.Tensor):
        raise ForbiddenArgument("register_buffer needs a tensor")
    module.register_buffer(name, tensor, **kwargs)


def _optimizer_attribute(optimizer: optim.Optimizer, name: str, ctx: RunContext) -> Any:
    """zero_grad() and step() (no closures)."""
    if name == "zero_grad":

        def zero_grad(args: list[Any], kwargs: dict[str, Any]) -> None:
            optimizer.zero_grad(*args, **kwargs)
            ctx.recorder.zero_grad()

        return Builtin("optimizer.zero_grad", zero_grad)
    if name == "step":
        return Builtin("optimizer.step", lambda args, kwargs: _step(optimizer, args, kwargs))
    raise missing(f"{type(optimizer).__name__}.{name}", name, ["zero_grad", "step"])


def _step(optimizer: optim.Optimizer, args: list[Any], kwargs: dict[str, Any]) -> None:
    if args or kwargs:
        raise ForbiddenArgument("optimizer.step() takes no arguments here")
    optimizer.step()


def _dict_method(value: dict[Any, Any], name: str, args: list[Any]) -> Any:
    if name == "get":
        return value.get(*args)
    return list(getattr(value, name)())
