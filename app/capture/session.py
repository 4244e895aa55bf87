"""The state of one capture: value records by tensor identity and version, names, spans, module groups."""

from __future__ import annotations

from typing import Any

import torch
from torch.autograd.graph import Node

from app.capture.modules import ModuleTree
from app.capture.records import Capture, Number, RecordKind, SpanTuple, TimelineRecord, ValueRecord
from app.errors import LimitExceeded
from app.limits import Limits

__all__ = ["Session"]


class Session:
    """Turns tensors seen by the recording modes into value records; one per run."""

    def __init__(self, limits: Limits) -> None:
        self.capture = Capture(limits=limits)
        self.modules = ModuleTree()
        self.module_stack: list[str | None] = []  # innermost module path last; None: outside named trees
        self.span: SpanTuple | None = None
        self.paused = 0  # > 0 while quiet, in backward or in an optimizer step
        self.pass_index = 0
        self._by_tensor: dict[int, int] = {}  # id(tensor) -> index of its latest value record
        self._aliases: dict[int, tuple[torch.Tensor, int, str]] = {}  # detached views, made nodes on use
        self._pending: list[ValueRecord] = []  # op outputs whose grad_fn autograd has not attached yet
        self._statement_start = 0
        self._starts_by_depth: dict[int, int] = {}  # module call depth -> first record of its statement

    # ------------------------------------------------------------ recording

    def add(self, kind: RecordKind, tensor: torch.Tensor, **fields: Any) -> ValueRecord:
        """A new value record (a graph node) for a tensor just made or first seen, in forward order."""
        fields.setdefault("group", self.module_stack[-1] if self.module_stack else None)
        record = ValueRecord(
            index=len(self.capture.values),
            kind=kind,
            tensor=tensor,
            value=tensor,
            span=self.span,
            version=tensor._version,
            **fields,
        )
        self._append(record)
        if kind == "op":
            self._by_tensor[id(tensor)] = record.index
            self._pending.append(record)
        return record

    def add_unseen(self, tensor: torch.Tensor | None, *, inputs: list[int], grad_fn: Node) -> ValueRecord:
        """A record for an autograd node no recorded op made; its value is what it saved, if anything."""
        record = ValueRecord(
            index=len(self.capture.values),
            kind="op",
            tensor=tensor,
            value=tensor,
            inputs=inputs,
            grad_fn=grad_fn,
            span=self.span,
        )
        self._append(record)
        return record

    def values_at(self, index: int) -> ValueRecord:
        return self.capture.values[index]

    def _append(self, record: ValueRecord) -> None:
        """Stops the run with LimitExceeded past limits.max_nodes; what was recorded stays."""
        cap = self.capture.limits.max_nodes
        if len(self.capture.values) >= cap:
            raise LimitExceeded(f"graph nodes: the program made more than {cap} (limit max_nodes={cap})")
        self.capture.values.append(record)
        self.capture.timeline.append(TimelineRecord("forward", record.index, self.pass_index))

    def resolve_pending(self) -> None:
        """Attach the grad_fn autograd gave each recent op output (set after the dispatch call returned)."""
        for record in self._pending:
            if record.tensor is not None:
                record.grad_fn = record.tensor.grad_fn
                record.version = record.tensor._version
        self._pending.clear()

    def input_of(self, tensor: torch.Tensor) -> int:
        """The record index of a tensor flowing into an op: its latest version, else a new leaf or const."""
        record = self.latest(tensor)
        if record is not None:
            if record.version == tensor._version:
                return record.index
            return self._new_version(record).index
        alias = self._aliases.pop(id(tensor), None)
        if alias is not None:
            return self._from_alias(tensor, alias[1], alias[2])
        return self._leaf(tensor).index

    def _from_alias(self, tensor: torch.Tensor, source: int, fn: str) -> int:
        """A used detach: of a grad-free value it is that value (`torch.randn(2, requires_grad=True)` is
        randn + detach); of a value in the autograd graph, a node of its own."""
        record = self.capture.values[source]
        if not _grad_free_result(record):
            return self.add("op", tensor, fn=fn, inputs=[source]).index
        return self._rebind(record, tensor).index

    def _rebind(self, record: ValueRecord, tensor: torch.Tensor) -> ValueRecord:
        """`tensor` is a new object over a grad-free result's memory: it is that same node."""
        if record.value is record.tensor:
            record.value = tensor
        record.tensor, record.version = tensor, tensor._version
        self._by_tensor[id(tensor)] = record.index
        return record

    def _fresh_result_over(self, tensor: torch.Tensor) -> ValueRecord | None:
        """A grad-free result of this statement over the same memory (`nn.Parameter(torch.randn(3))`)."""
        for record in reversed(self.capture.values[self._statement_start :]):
            if _grad_free_result(record) and record.tensor is not None and _same_view(record.tensor, tensor):
                return record
        return None

    def alias(self, tensor: torch.Tensor, source: torch.Tensor, fn: str) -> None:
        """A detached view (autograd saves many): it becomes a node only if the program uses it."""
        self._aliases[id(tensor)] = (tensor, self.input_of(source), fn)

    def const(self, number: Number) -> int:
        """A Python scalar operand, shown as its own node (the 2 in `x * 2`)."""
        tensor = torch.tensor(number)
        return self.add("const", tensor, label=_number_label(number)).index

    def _leaf(self, tensor: torch.Tensor) -> ValueRecord:
        wrapped = self._fresh_result_over(tensor)
        if wrapped is not None:
            return self._rebind(wrapped, tensor)
        label = self.modules.tensor_label(tensor)
        record = self.add("leaf", tensor, label=label)
        if label is not None:
            record.group = self.modules.owner_path(label)
        self._by_tensor[id(tensor)] = record.index
        return record

    def _new_version(self, old: ValueRecord) -> ValueRecord:
        """The tensor changed outside recording (optimizer step, quiet code): a new node, same tensor."""
        tensor = old.tensor
        assert tensor is not None  # only records of seen tensors are indexed by identity
        record = self.add("leaf" if old.kind != "op" else "op", tensor, label=old.label, group=old.group)
        record.grad_fn = tensor.grad_fn
        self._by_tensor[id(tensor)] = record.index
        return record

    def before_write(self, tensor: torch.Tensor) -> None:
        """An op is about to change `tensor` in place: its current node keeps a copy of the old value."""
        record = self.latest(tensor)
        if record is not None and record.value is tensor:
            record.value = tensor.detach().clone()

    def latest(self, tensor: torch.Tensor) -> ValueRecord | None:
        """The tensor's latest record; an id left by a tensor since freed (a record rebound to the
        Parameter wrapping it) is not this tensor's, even when Python gives its id to a new one."""
        index = self._by_tensor.get(id(tensor))
        record = None if index is None else self.capture.values[index]
        return record if record is not None and record.tensor is tensor else None

    # ------------------------------------------------------------ program hooks

    def at(self, span: SpanTuple) -> None:
        self.span = span
        self._statement_start = len(self.capture.values)
        self._starts_by_depth[len(self.module_stack)] = self._statement_start

    def name(self, tensor: torch.Tensor, name: str) -> None:
        """Label a tensor's node: the first name sticks, except on a result made in this very statement; the
        statement is the one at this module call depth, so `out = block(x)` outnames `x = ...` in forward."""
        if self.paused:
            return
        record = self.capture.values[self.input_of(tensor)]
        start = self._starts_by_depth.get(len(self.module_stack), self._statement_start)
        if record.label is None or record.index >= start:
            record.label = name

    def timeline(self, phase: str, index: int) -> None:
        self.capture.timeline.append(TimelineRecord(phase, index, self.pass_index))  # type: ignore[arg-type]


def _number_label(number: Number) -> str:
    return repr(number) if not isinstance(number, float) else f"{number:g}"


def _grad_free_result(record: ValueRecord) -> bool:
    return record.kind == "op" and record.grad_fn is None and record.tensor is not None


def _same_view(a: torch.Tensor, b: torch.Tensor) -> bool:
    return (a.data_ptr(), a.shape, a.stride(), a.dtype) == (b.data_ptr(), b.shape, b.stride(), b.dtype)
