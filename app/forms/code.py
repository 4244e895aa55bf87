"""Program-text pieces both forms share: tensors from variables, the loss line, imports, fresh names."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.forms.models import InitSpec, LossName, TensorSpec, Variable
from app.forms.values import literal

if TYPE_CHECKING:
    from app.models import GraphResponse

__all__ = ["ResolvedProgram", "fresh_name", "import_lines", "loss_line", "tensor_code"]

LOSS_FUNCTIONS: dict[LossName, str] = {
    "bce": "F.binary_cross_entropy",
    "bce_with_logits": "F.binary_cross_entropy_with_logits",
    "mse": "F.mse_loss",
    "cross_entropy": "F.cross_entropy",
    "l1": "F.l1_loss",
}

IMPORTS = {
    "torch": "import torch",
    "nn": "import torch.nn as nn",
    "F": "import torch.nn.functional as F",
    "optim": "import torch.optim as optim",
    "math": "import math",
}


@dataclass(frozen=True)
class ResolvedProgram:
    """What a request asks to run, as program text, plus what the generation decided (for the response)."""

    program: str
    notes: tuple[str, ...] = ()
    generated: bool = True  # False when the request sent the program itself

    def annotate(self, response: GraphResponse) -> GraphResponse:
        """The response with the generated program and the notes, so a user can paste it and go on."""
        if not self.generated:
            return response
        return response.model_copy(update={"program": self.program, "notes": list(self.notes)})


def dtype_argument(dtype: str | None) -> list[str]:
    return [f"dtype=torch.{dtype}"] if dtype else []


def grad_argument(requires_grad: bool) -> list[str]:
    return ["requires_grad=True"] if requires_grad else []


def call(function: str, arguments: Iterable[str]) -> str:
    return f"{function}({', '.join(arguments)})"


def init_code(spec: InitSpec) -> str:
    """`torch.randn(3, 4)`, `torch.zeros(...)`, `torch.ones(...)` or `torch.arange(12.0).reshape(3, 4)`."""
    dims = [str(size) for size in spec.shape] or ["()"]
    keywords = dtype_argument(spec.dtype) + grad_argument(spec.requires_grad)
    if spec.init != "arange":
        return call(f"torch.{spec.init}", dims + keywords)
    count = math.prod(spec.shape)
    integers = spec.dtype == "int64"  # torch.arange of an int stop makes int64 already
    stop = literal(count, as_float=not integers)
    start = call("torch.arange", [stop, *dtype_argument(None if integers else spec.dtype)])
    shaped = start if len(spec.shape) == 1 else f"{start}.reshape({', '.join(dims)})"
    return shaped + (".requires_grad_()" if spec.requires_grad else "")


def tensor_code(variable: Variable, *, exact: bool = False) -> str:
    """The expression that makes a variable's tensor; `exact` keeps ints as ints (class indices, ids)."""
    if isinstance(variable, InitSpec):
        return init_code(variable)
    if isinstance(variable, TensorSpec):
        as_float = variable.dtype != "int64" and not (exact and variable.dtype is None)
        keywords = dtype_argument(variable.dtype) + grad_argument(variable.requires_grad)
        return call("torch.tensor", [literal(variable.value, as_float=as_float), *keywords])
    return call("torch.tensor", [literal(variable, as_float=not exact)])


def loss_line(name: str, loss: LossName, output: str, target: str) -> str:
    """`loss = F.binary_cross_entropy(out, y)`."""
    return f"{name} = {LOSS_FUNCTIONS[loss]}({output}, {target})"


def import_lines(modules: Collection[str]) -> list[str]:
    """Import lines for the module names a program uses, torch always first."""
    return [line for name, line in IMPORTS.items() if name == "torch" or name in modules]


def fresh_name(base: str, taken: Collection[str]) -> str:
    """`base`, or `base_1`, `base_2`, ... when a user's name already holds it."""
    candidates = (base if index == 0 else f"{base}_{index}" for index in range(len(taken) + 1))
    return next(name for name in candidates if name not in taken)
