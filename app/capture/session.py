"""The state of one capture: value records by tensor identity, their versions in time, names and calls.

A tensor's record is found by identity while the record still holds that object; a record is stale once its
tensor's storage was written in place or swapped (`.data = ...`) since it was made, and its next use makes a
new version of the same node (same label, same kind: a parameter stays a parameter).
"""

from __future__ import annotations

from collections import defaultdict

import torch
from torch.autograd.graph import Node

from app.capture.ahead import StatsAhead
from app.capture.modules import ModuleTree
from app.capture.records import (
    CallRecord,
    Capture,
    Number,
    RecordKind,
    SpanTuple,
    TimelineRecord,
    ValueRecord,
)
from app.capture.snapshots import Snapshots, storage_of
from app.limits import Limits

__all__ = ["Session", "SourceText"]

_NAMED_ITEMS = 16  # items of a named tuple or list of tensors labelled `name[i]`
UNINITIALISED_FNS = frozenset({"empty", "empty_like", "new_empty", "empty_strided", "new_empty_strided"})


class SourceText:
    """The program's text, to label calls with what the program wrote."""

    def __init__(self, source: str) -> None:
        self.lines = source.split("\n")

    def text(self, span: SpanTuple | None) -> str | None:
        if span is None:
            return None
        line, col, end_line, end_col = span
        if not 0 < line <= end_line <= len(self.lines):
            return None
        if line == end_line:
            return self.lines[line - 1][col:end_col]
        middle = self.lines[line : end_line - 1]
        return "\n".join([self.lines[line - 1][col:], *middle, self.lines[end_line - 1][:end_col]])


class Session:
    """Turns tensors seen by the recording modes into value records; one per run."""

    def __init__(self, limits: Limits, source: str = "") -> None:
        self.capture = Capture(limits=limits)
        self.source = SourceText(source)
        self.modules = ModuleTree()
        self.module_stack: list[str | None] = []  # innermost module path last; None: outside named trees
        self.module_kinds: list[str] = []  # beside module_stack: "program" or "library" (its forward's code)
        self.call: CallRecord | None = None  # the program-level call now running, if any
        self.module_calls: list[CallRecord | None] = []  # beside module_stack: the call running before it
        self.containers: set[int] = set()  # library module calls that called modules themselves (groups)
        self.merge: tuple[object, CallRecord] | None = None  # (library frame, its call): one per activation
        self.segments: defaultdict[int, list[int]] = defaultdict(list)  # pass segment -> its records
        self.paused = 0  # > 0 while quiet or in backward: ops run (budgeted, snapshotted), unrecorded
        self.stepping = 0  # > 0 inside optimizer.step(): its ops pass the recording modes untouched
        self.full = False  # limits.max_nodes reached: nothing more is recorded, the program runs on
        self.pass_index = 0
        self.snapshots = Snapshots()
        self.ahead = self.capture.stats_ahead = StatsAhead(self.snapshots)
        self.live = 0  # records not dropped by the recording window
        self._by_tensor: dict[int, int] = {}  # id(tensor) -> index of its latest value record
        self._aliases: dict[int, tuple[torch.Tensor, int, str]] = {}  # detached views, made nodes on use
        self._same: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}  # id(x.data) -> (x.data, x)
        self._grad_labels: dict[int, tuple[torch.Tensor, str]] = {}  # id(w.grad) -> (w.grad, "w.grad")
        self._pending: list[ValueRecord] = []  # op outputs whose grad_fn autograd has not attached yet
        self._named_from: dict[int, int] = {}  # id(program frame) -> first record its next name may relabel
        self._bound: dict[tuple[int, str], int] = {}  # (id(program frame), name) -> record it last held

    # ------------------------------------------------------------ recording

    def add(
        self,
        kind: RecordKind,
        tensor: torch.Tensor,
        *,
        fn: str | None = None,
        output_nr: int = 0,
        inputs: list[int] | None = None,
        label: str | None = None,
    ) -> ValueRecord:
        """A new value record (a graph node) for a tensor just made or first seen, in forward order. An op's
        output without a label of its own keeps the tensor's (written in place: the new version of it)."""
        tensor = self.canonical(tensor)
        call = self.call
        if kind == "op" and label is None:
            before = self.latest(tensor)
            label = before.label if before is not None else None
        storage = storage_of(tensor)
        in_call = call if kind == "op" else None  # an op's output belongs to the running call
        record = ValueRecord(
            index=len(self.capture.values),
            kind=kind,
            tensor=tensor,
            value=tensor,
            fn=fn,
            output_nr=output_nr,
            inputs=[] if inputs is None else inputs,
            span=call.span if call is not None else None,
            group=call.group if call is not None else self.current_group(),
            call=in_call.index if in_call is not None else None,
            label=label,
            storage=storage,
            writes=self.snapshots.writes(storage),
            segment=self.pass_index,
        )
        if fn is not None and fn.rpartition(".")[2] in UNINITIALISED_FNS:
            record.uninitialised = True
        else:
            self.snapshots.hold_storage(storage, record, "value")
        self._append(record)
        if in_call is not None:
            in_call.values.append(record.index)
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
            segment=self.pass_index,
        )
        self._append(record)
        return record

    def _append(self, record: ValueRecord) -> None:
        self.capture.values.append(record)
        self.segments[record.segment].append(record.index)
        self.live += 1
        self.capture.timeline.append(TimelineRecord("forward", record.index, self.pass_index))

    def current_group(self) -> str | None:
        return self.module_stack[-1] if self.module_stack else None

    def values_at(self, index: int) -> ValueRecord:
        return self.capture.values[index]

    def check_room(self) -> bool:
        """False once limits.max_nodes records are alive: recording stops there, the run goes on."""
        if not self.full and self.live >= self.capture.limits.max_nodes:
            self.full = self.capture.nodes_truncated = True
        return not self.full

    def resolve_pending(self) -> None:
        """Attach the grad_fn autograd gave each recent op output (set after the dispatch call returned)."""
        for record in self._pending:
            if record.tensor is not None:
                record.grad_fn = record.tensor.grad_fn
        self._pending.clear()

    def input_of(self, tensor: torch.Tensor) -> int:
        """The record index of a tensor flowing into an op: its latest version, else a new leaf or const."""
        tensor = self.canonical(tensor)
        record = self.latest(tensor)
        if record is not None:
            if self._current(record, tensor):
                return record.index
            return self._new_version(record, tensor).index
        known = self.resolved(tensor)
        return known.index if known is not None else self._leaf(tensor).index

    def resolved(self, tensor: torch.Tensor) -> ValueRecord | None:
        """The record a tensor the program holds stands for, when it has one: its own, or for a detached
        view that an op returned (`torch.randn(3)` hands back a detach of its result) the node it joins."""
        tensor = self.canonical(tensor)
        record = self.latest(tensor)
        if record is not None:
            return record
        alias = self._aliases.pop(id(tensor), None)
        if alias is not None and alias[0] is tensor:
            return self.capture.values[self._from_alias(tensor, alias[1], alias[2])]
        wrapped = self._fresh_result_over(tensor)  # `w = nn.Parameter(torch.randn(3))`
        return self._rebind(wrapped, tensor) if wrapped is not None else None

    def canonical(self, tensor: torch.Tensor) -> torch.Tensor:
        """`x.data` is `x` for the graph: same node, same memory, no op of the program's between them."""
        same = self._same.get(id(tensor))
        return same[1] if same is not None and same[0] is tensor else tensor

    def same_as(self, alias: torch.Tensor, tensor: torch.Tensor) -> None:
        """`alias` (what `tensor.data` returned) stands for `tensor` itself."""
        self._aliases.pop(id(alias), None)
        self._same[id(alias)] = (alias, self.canonical(tensor))

    def _current(self, record: ValueRecord, tensor: torch.Tensor) -> bool:
        storage = storage_of(tensor)
        return record.storage == storage and record.writes == self.snapshots.writes(storage)

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
        record.tensor = tensor
        self._by_tensor[id(tensor)] = record.index
        return record

    def _fresh_result_over(self, tensor: torch.Tensor) -> ValueRecord | None:
        """A grad-free result of the running call over the same memory (`nn.Parameter(torch.randn(3))`)."""
        call = self.call
        start = call.values[0] if call is not None and call.values else len(self.capture.values)
        for record in reversed(self.capture.values[max(start - 8, 0) :]):
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
        grad_of = self._grad_labels.get(id(tensor))
        is_grad = grad_of is not None and grad_of[0] is tensor
        label = grad_of[1] if grad_of is not None and is_grad else self.modules.tensor_label(tensor)
        record = self.add("leaf", tensor, label=label)
        if label is not None and grad_of is None:
            owner = self.modules.owner_path(label)
            call = self.call
            # a library module's own weights sit beside its call, in the module that called it
            record.group = call.group if call is not None and call.module == owner else owner
        self._by_tensor[id(tensor)] = record.index
        return record

    def _new_version(self, old: ValueRecord, tensor: torch.Tensor) -> ValueRecord:
        """The tensor changed outside recording (optimizer step, quiet code): a new node, same tensor."""
        record = self.add("leaf" if old.kind != "op" else "op", tensor, label=old.label, fn=old.fn)
        record.group = old.group
        record.grad_fn = tensor.grad_fn
        self._by_tensor[id(tensor)] = record.index
        return record

    def latest(self, tensor: torch.Tensor) -> ValueRecord | None:
        """The tensor's latest record; an id left by a tensor since freed (a record rebound to the
        Parameter wrapping it) is not this tensor's, even when Python gives its id to a new one."""
        index = self._by_tensor.get(id(tensor))
        record = None if index is None else self.capture.values[index]
        if record is None or record.tensor is not tensor or record.dropped:
            return None
        return record

    def known_grad(self, grad: torch.Tensor, label: str | None) -> None:
        """`grad` is a leaf's `.grad`: used by the program later, it is the node `w.grad`."""
        if label is not None:
            self._grad_labels[id(grad)] = (grad, f"{label}.grad")

    # ------------------------------------------------------------ program hooks

    def name(self, value: object, name: str, frame: object) -> None:
        """`name = value` just ran in the program. A tensor's node takes the name when it has none yet, or
        when it was made since that frame's previous assignment (so `out = block(x)` outnames the `x = ...`
        inside `block.forward`, and `y = x` leaves x's node named x)."""
        if self.paused:
            return
        values = self.capture.values
        start = self._named_from.get(id(frame), len(values))
        self._named_from[id(frame)] = len(values)
        if isinstance(value, torch.Tensor):
            record = self.resolved(value)
            if record is None:
                return
            before = self._bound.get((id(frame), name))
            self._bound[(id(frame), name)] = record.index
            fresh = record.label is None or record.index >= start
            if fresh and not self._rebinds_an_input(record, before):
                record.label = name
        elif isinstance(value, torch.nn.Module):
            self.modules.add_root(name, value)
        elif isinstance(value, tuple | list) and 0 < len(value) <= _NAMED_ITEMS:
            for position, item in enumerate(value):  # `parts = x.unbind(0)`: parts[0], parts[1]
                if isinstance(item, torch.Tensor):
                    record = self.resolved(item)
                    if record is not None and (record.label is None or record.index >= start):
                        record.label = f"{name}[{position}]"

    def _rebinds_an_input(self, record: ValueRecord, before: int | None) -> bool:
        """`x = self.fc1(x)`, `h = torch.tanh(h)`: the name held what went in, so the node is better told by
        its call (`fc1`, `torch.tanh(h)`) than by `x` once more."""
        if before is None:
            return False
        values = self.capture.values
        members = self.capture.calls[record.call].values if record.call is not None else [record.index]
        return any(before in values[member].inputs for member in members)

    def name_module_tensors(self) -> None:
        """A tensor made by the program and then registered in a named module (`self.register_buffer("mask",
        torch.tril(...))`) is that module's tensor: labelled `attn.mask` (it stays where it was made)."""
        for record in self.capture.values:
            if record.label is None and record.tensor is not None and not record.dropped:
                record.label = self.modules.tensor_label(record.tensor)

    def entered(self, frame: object) -> None:
        """A call from this program frame begins: names given in it later may relabel what it makes."""
        self._named_from.setdefault(id(frame), len(self.capture.values))

    def zeroed(self) -> None:
        """Gradients were set to None or zero: one timeline entry per run of such calls."""
        timeline = self.capture.timeline
        if not self.paused and (not timeline or timeline[-1].phase != "zero_grad"):
            self.timeline("zero_grad", 0)

    def timeline(self, phase: str, index: int) -> None:
        self.capture.timeline.append(TimelineRecord(phase, index, self.pass_index))  # type: ignore[arg-type]


def _number_label(number: Number) -> str:
    return repr(number) if not isinstance(number, float) else f"{number:g}"


def _grad_free_result(record: ValueRecord) -> bool:
    return record.kind == "op" and record.grad_fn is None and record.tensor is not None


def _same_view(a: torch.Tensor, b: torch.Tensor) -> bool:
    storage = storage_of(a)
    if not storage or storage != storage_of(b):
        return False
    view = (a.storage_offset(), a.shape, a.stride(), a.dtype)
    return view == (b.storage_offset(), b.shape, b.stride(), b.dtype)
