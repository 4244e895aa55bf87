"""What a local-derivative rule sees of one backward step: forward values, names, the upstream gradient."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.autograd.graph import Node

__all__ = ["Local", "Operands", "Rule", "saved_attribute"]


@dataclass(frozen=True)
class Operands:
    """One autograd node's forward values, aligned with its inputs (`next_functions`)."""

    inputs: list[torch.Tensor | None]  # forward value of each input; None where unknown
    names: list[str]  # each input's label ("z", "w", "fc1.weight")
    output: torch.Tensor  # the op's forward value
    out_name: str  # "a"; "L" for the root of the pass
    upstream: torch.Tensor | None  # grad_outputs[0]: dL/d(output)
    grad_fn: Node

    def value(self, position: int) -> torch.Tensor:
        """Input `position` as a plain tensor (detached); zero when it was not recorded."""
        tensor = self.inputs[position] if position < len(self.inputs) else None
        return torch.zeros(()) if tensor is None else tensor.detach()

    def name(self, position: int) -> str:
        return self.names[position] if position < len(self.names) else f"input{position}"


@dataclass(frozen=True)
class Local:
    """The local derivative along one input edge: exact (`tensor`) or, for Jacobians, a formula only."""

    tensor: torch.Tensor | None  # elementwise d(output)/d(input); None for a Jacobian
    text: str  # symbolic, e.g. "σ(z)(1−σ(z))"; for a Jacobian the whole "dL/dA = dL/dY · Bᵀ"


Rule = Callable[[Operands], list[Local]]


def saved_attribute(grad_fn: Node, name: str, default: object) -> object:
    """A non-tensor argument autograd kept (`_saved_alpha`, `_saved_reduction`), else `default`."""
    try:
        value = getattr(grad_fn, f"_saved_{name}")
    except (AttributeError, RuntimeError):
        return default
    return default if value is None else value
