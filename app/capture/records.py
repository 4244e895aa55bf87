"""What a capture holds: plain records with tensors kept by reference, encoded once at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias

import torch

from app.capture.ahead import StatsAhead
from app.limits import Limits

__all__ = [
    "BackwardRecord",
    "CallRecord",
    "Capture",
    "ModuleInfo",
    "OptimizerRecord",
    "ParamRecord",
    "PassRecord",
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
    """One graph node: a leaf, a Python scalar operand or one output of one aten op, at one version."""

    index: int
    kind: RecordKind
    tensor: torch.Tensor | None  # the live object (for requires_grad, grad_fn, identity); None: not seen
    value: torch.Tensor | None  # the value at this point of the run: `tensor` itself or a snapshot
    fn: str | None = None
    output_nr: int = 0
    inputs: list[int] = field(default_factory=list)
    span: SpanTuple | None = None
    group: str | None = None  # module path
    call: int | None = None  # the program-level call that made it (CallRecord index)
    label: str | None = None
    storage: int = 0  # the tensor's storage address when recorded (a `.data =` swap changes it)
    writes: int = 0  # in-place writes that storage had seen when recorded
    grad_fn: torch.autograd.graph.Node | None = None
    grad: torch.Tensor | None = None  # leaves: .grad after the last pass that reached them
    is_root: bool = False
    uninitialised: bool = False  # made by an `empty*` op and not written yet: no value to show
    segment: int = 0  # which backward pass's stretch of the run made it (for the recording window)
    dropped: bool = False  # left out by the recording window: tensors released, not in the response
    saved: list[SavedRecord] = field(default_factory=list)


@dataclass(eq=False)
class CallRecord:
    """One operation as the program wrote it: a torch function, operator, tensor method or nn module call.

    The aten ops that implement it are the value records whose `call` is this index; `outputs` are the
    records of the tensors it returned to the program, the rest its internals (shown when it is expanded)."""

    index: int
    fn: str  # as written: "torch.sigmoid", "F.cross_entropy", "x.softmax", "*", "fc1"
    text: str | None  # the source text of the call expression, when it is the program's own
    span: SpanTuple | None
    group: str | None  # module path it ran in
    module: str | None = None  # for a module call: the module's path
    values: list[int] = field(default_factory=list)
    outputs: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class PassRecord:
    """One backward pass of the run, kept in full or not by the recording window."""

    index: int
    loss: float | None  # the root's value when it has one element
    kept: bool = True


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
    dropped: bool = False  # left out by the recording window


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
    segment: int = 0
    dropped: bool = False  # left out by the recording window


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
    calls: list[CallRecord] = field(default_factory=list)
    passes: list[PassRecord] = field(default_factory=list)
    backward: list[BackwardRecord] = field(default_factory=list)
    optimizer: list[OptimizerRecord] = field(default_factory=list)
    timeline: list[TimelineRecord] = field(default_factory=list)
    modules: dict[str, ModuleInfo] = field(default_factory=dict)
    error: Exception | None = None
    stats_ahead: StatsAhead | None = None  # big tensors' statistics taken during the run, for the encoder
    capture_ms: float = 0.0
    nodes_truncated: bool = False  # recording stopped at limits.max_nodes; the program ran on
