"""What a capture holds: plain records with tensors kept by reference, encoded once at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias

import torch

from app.limits import Limits

__all__ = [
    "BackwardRecord",
    "Capture",
    "ModuleInfo",
    "OptimizerRecord",
    "ParamRecord",
    "SavedRecord",
    "SpanTuple",
    "TimelineRecord",
    "ValueRecord",
]

SpanTuple: TypeAlias = tuple[int, int, int, int]  # line, col, end_line, end_col
Number: TypeAlias = bool | int | float
RecordKind: TypeAlias = Literal["leaf", "op", "const"]


@dataclass(eq=False)
class SavedRecord:
    """A tensor an autograd node saved for backward, unpacked before the pass freed it."""

    name: str  # without the `_saved_` prefix
    tensor: torch.Tensor


@dataclass(eq=False)
class ValueRecord:
    """One graph node: a leaf, a Python scalar operand or one output of one op, at one version."""

    index: int
    kind: RecordKind
    tensor: torch.Tensor | None  # the live object (for requires_grad, grad_fn, identity); None: not seen
    value: torch.Tensor | None  # the value at this point of the run: `tensor` itself or a clone
    fn: str | None = None
    output_nr: int = 0
    inputs: list[int] = field(default_factory=list)
    span: SpanTuple | None = None
    group: str | None = None
    label: str | None = None
    version: int = 0
    grad_fn: torch.autograd.graph.Node | None = None
    grad: torch.Tensor | None = None  # leaves: .grad after the last pass that reached them
    is_root: bool = False
    saved: list[SavedRecord] = field(default_factory=list)


@dataclass(eq=False)
class BackwardRecord:
    """One autograd node the engine executed, in the engine's order."""

    pass_index: int
    grad_fn: torch.autograd.graph.Node
    grad_outputs: list[torch.Tensor | None]
    grad_inputs: list[torch.Tensor | None] = field(default_factory=list)
    node: int | None = None  # the value record of the grad_fn's first output (the leaf for AccumulateGrad)
    sources: list[int | None] = field(default_factory=list)  # value record per next_functions entry
    leaf: int | None = None  # for AccumulateGrad: the leaf record it accumulated into


@dataclass(eq=False)
class ParamRecord:
    """One parameter around an optimizer step."""

    record: int  # the parameter's value record before the step
    before: torch.Tensor
    grad: torch.Tensor | None
    after: torch.Tensor


@dataclass(eq=False)
class OptimizerRecord:
    optimizer: str
    lr: float | None
    params: list[ParamRecord] = field(default_factory=list)


@dataclass(frozen=True)
class TimelineRecord:
    phase: Literal["forward", "backward", "step", "zero_grad"]
    index: int
    pass_index: int


@dataclass(frozen=True)
class ModuleInfo:
    """A module of the tree the program named, by path."""

    path: str
    module: str  # class name
    parent: str | None
    params: int  # parameter elements, recursive


@dataclass(eq=False)
class Capture:
    """Everything one run recorded; `error` is set when the program stopped early."""

    limits: Limits
    values: list[ValueRecord] = field(default_factory=list)
    backward: list[BackwardRecord] = field(default_factory=list)
    optimizer: list[OptimizerRecord] = field(default_factory=list)
    timeline: list[TimelineRecord] = field(default_factory=list)
    modules: dict[str, ModuleInfo] = field(default_factory=dict)
    error: Exception | None = None
    capture_ms: float = 0.0
