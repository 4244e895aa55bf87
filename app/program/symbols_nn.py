"""The `nn`, `F` and `optim` namespaces: layers are real torch modules, built quietly (not graph nodes)."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn, optim

from app.errors import ForbiddenArgument, ForbiddenOperation
from app.program.arguments import check_data, passthrough, torch_kwargs
from app.program.context import RunContext
from app.program.values import Builtin, Namespace

__all__ = ["nn_namespace"]

LAYERS = [
    "Linear", "Embedding", "LayerNorm", "Dropout", "ReLU", "GELU", "Tanh", "Sigmoid", "Softmax",
    "LogSoftmax", "SiLU", "LeakyReLU", "Identity", "MSELoss", "L1Loss", "CrossEntropyLoss", "NLLLoss",
    "BCELoss", "BCEWithLogitsLoss",
]  # fmt: skip
CONTAINERS = ("Sequential", "ModuleList")
FUNCTIONS = [
    "relu", "gelu", "tanh", "sigmoid", "silu", "leaky_relu", "elu", "softplus", "softmax", "log_softmax",
    "linear", "layer_norm", "dropout", "mse_loss", "l1_loss", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "scaled_dot_product_attention", "embedding",
    "normalize",
]  # fmt: skip
INITIALISERS = [
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "normal_", "uniform_",
    "zeros_", "ones_", "constant_",
]  # fmt: skip
OPTIMIZERS = {"SGD": optim.SGD, "Adam": optim.Adam, "AdamW": optim.AdamW}
OPTIMIZER_KEYWORDS = frozenset({"lr", "momentum", "dampening", "weight_decay", "nesterov", "betas", "eps",
                                "amsgrad", "maximize"})  # fmt: skip


def nn_namespace(ctx: RunContext) -> Namespace:
    """`nn` (with `nn.functional` and `torch.optim` reachable from it) for one run."""
    members: dict[str, object] = {name: _layer(name, ctx) for name in LAYERS}
    members.update({name: _container(name, ctx) for name in CONTAINERS})
    members["Module"] = Builtin("nn.Module", _module_base)
    members["Parameter"] = Builtin("nn.Parameter", lambda args, kwargs: _parameter(args, kwargs, ctx))
    functional = {
        name: passthrough(f"F.{name}", getattr(nn.functional, name), ctx.device) for name in FUNCTIONS
    }
    members["functional"] = Namespace("torch.nn.functional", functional)
    init = {name: passthrough(f"nn.init.{name}", getattr(nn.init, name), ctx.device) for name in INITIALISERS}
    members["init"] = Namespace("torch.nn.init", init)
    optimizers = {name: _optimizer(name, ctx) for name in OPTIMIZERS}
    members["optim"] = Namespace("torch.optim", optimizers)
    return Namespace("torch.nn", members)


def _layer(name: str, ctx: RunContext) -> Builtin:
    """A built-in layer's constructor: numbers and flags in, a real module out (built quietly)."""
    cls = getattr(nn, name)

    def build(args: list[Any], kwargs: dict[str, Any]) -> nn.Module:
        check_data(args, f"nn.{name}")
        checked = torch_kwargs(kwargs, ctx.device, f"nn.{name}")
        with ctx.recorder.quiet():
            module: nn.Module = cls(*args, **checked)
        return module

    return Builtin(f"nn.{name}", build)


def _container(name: str, ctx: RunContext) -> Builtin:
    """nn.Sequential(*modules) / nn.ModuleList([modules])."""
    cls = getattr(nn, name)

    def build(args: list[Any], kwargs: dict[str, Any]) -> nn.Module:
        items = args[0] if name == "ModuleList" and len(args) == 1 else args
        if kwargs or not isinstance(items, list | tuple) or not all(isinstance(m, nn.Module) for m in items):
            raise ForbiddenArgument(f"nn.{name} takes modules only")
        with ctx.recorder.quiet():
            module: nn.Module = cls(items) if name == "ModuleList" else cls(*items)
        return module

    return Builtin(f"nn.{name}", build)


def _module_base(args: list[Any], kwargs: dict[str, Any]) -> None:
    raise ForbiddenOperation("nn.Module is only used as a base class: class Net(nn.Module): ...")


def _parameter(args: list[Any], kwargs: dict[str, Any], ctx: RunContext) -> nn.Parameter:
    """nn.Parameter(tensor, requires_grad=True)."""
    if not args or not isinstance(args[0], torch.Tensor) or set(kwargs) - {"requires_grad"}:
        raise ForbiddenArgument("nn.Parameter takes a tensor and optionally requires_grad=")
    with ctx.recorder.quiet():
        return nn.Parameter(args[0], *args[1:2], **kwargs)


def _optimizer(name: str, ctx: RunContext) -> Builtin:
    """optim.SGD(params, lr=...): params are tensors (e.g. net.parameters()), options are numbers."""
    cls = OPTIMIZERS[name]

    def build(args: list[Any], kwargs: dict[str, Any]) -> optim.Optimizer:
        params = args[0] if args else kwargs.pop("params", None)
        if not isinstance(params, list | tuple) or not all(isinstance(p, torch.Tensor) for p in params):
            raise ForbiddenArgument(f"optim.{name} takes a list of parameters, e.g. net.parameters()")
        unknown = set(kwargs) - OPTIMIZER_KEYWORDS
        if unknown or len(args) > 2:
            raise ForbiddenArgument(f"optim.{name} does not accept {', '.join(sorted(unknown)) or 'that'}")
        check_data([*args[1:], *kwargs.values()], f"optim.{name}")
        with ctx.recorder.quiet():
            optimizer: optim.Optimizer = cls(list(params), *args[1:], **kwargs)
        return optimizer

    return Builtin(f"optim.{name}", build)
