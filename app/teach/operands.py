"""What a local-derivative rule sees of one backward step (forward values, names, the upstream gradient)
and what it gives back for each input edge."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch.autograd.graph import Node

from app.models import Card
from app.teach.cards import INLINE, Arg, written

__all__ = ["Fills", "Local", "Operands", "Rule", "saved_attribute", "small"]


class Fills:
    """Tensors of one number everywhere (the local derivatives of `+` and `−`), made once per shape, layout
    and number for all the steps of a response, so that each is encoded once (GPT-2 124M's 50 residual-add
    locals are one tensor); nothing writes to a local derivative."""

    def __init__(self) -> None:
        self._made: dict[tuple[object, ...], torch.Tensor] = {}

    def like(self, tensor: torch.Tensor, value: float) -> torch.Tensor:
        """torch.full_like(tensor, value), shared (the number by its bits: −0.0 is not 0.0)."""
        key = (tuple(tensor.shape), tensor.stride(), tensor.dtype, tensor.device, float(value).hex())
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = torch.full_like(tensor, value)
        return made


@dataclass(frozen=True)
class Operands:
    """One autograd node's forward values, aligned with its inputs (`next_functions`)."""

    inputs: list[torch.Tensor | None]  # forward value of each input; None where unknown
    names: list[str]  # each input's name in derivative notation ("z", "fc1.weight", "(x * w)")
    output: torch.Tensor  # the op's forward value
    out_name: str  # "a"; "L" for the root of the pass
    upstream: torch.Tensor | None  # grad_outputs[0]: dL/d(output)
    grad_fn: Node
    outputs: int = 1  # outputs of the op (split: one per piece)
    fills: Fills = field(default_factory=Fills)  # shared by the steps of one response

    def value(self, position: int) -> torch.Tensor:
        """Input `position` as a plain tensor (detached); zero when it was not recorded."""
        tensor = self.inputs[position] if position < len(self.inputs) else None
        return torch.zeros(()) if tensor is None else tensor.detach()

    def name(self, position: int) -> str:
        return self.names[position] if position < len(self.names) else f"input{position}"


@dataclass(frozen=True)
class Local:
    """One input edge of a backward step.

    Elementwise ops, reductions and losses have an exact local derivative (`tensor`) and `formula` is it
    (`local.sigmoid`: da/dz = σ(z)(1 − σ(z))); with `valued` its numbers follow it. For a Jacobian (matmul,
    softmax, layer norm, views) `tensor` is None and `formula` is the chain rule itself (`chain.mm.left`),
    with `work` the arithmetic when the operands are small enough to write out."""

    tensor: torch.Tensor | None
    formula: Card
    valued: bool = True
    work: Card | None = None
    notes: tuple[Card, ...] = ()  # lines that help read the formula (softmax's probabilities)


Rule = Callable[[Operands], list[Local]]


def saved_attribute(grad_fn: Node, name: str, default: object) -> object:
    """A non-tensor argument autograd kept (`_saved_alpha`, `_saved_reduction`), else `default`."""
    try:
        value = getattr(grad_fn, f"_saved_{name}")
    except (AttributeError, RuntimeError):
        return default
    return default if value is None else value


def small(tensor: torch.Tensor | None) -> Arg:
    """The numbers of a tensor small enough to write out in a formula; None otherwise."""
    if tensor is None or tensor.numel() > INLINE:
        return None
    return written(tensor)
