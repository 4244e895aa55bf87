"""Backward passes: walk each root's autograd graph (iteratively), hook every node, record the engine's order.

A node's prehook fires right before the engine runs it, so the order of BackwardRecords is the real execution
order. Its post hook adds the gradients it sent on. Leaves get their `.grad` as torch holds it after the pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache, partial

import torch
from torch.autograd.graph import Node
from torch.utils._python_dispatch import _disable_current_modes
from torch.utils.hooks import RemovableHandle

from app.capture.records import BackwardRecord, SavedRecord
from app.capture.session import Session

__all__ = ["BackwardRunner"]

Grads = Sequence[torch.Tensor | None]


class BackwardRunner:
    """Runs `.backward()` calls of the program with every reachable autograd node hooked."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.handles: list[RemovableHandle] = []
        self._by_fn: dict[tuple[int, int], int] = {}  # (id(grad_fn), output_nr) -> value record index
        self._synced = 0  # value records already in _by_fn
        self._hooked: dict[int, Node] = {}
        self._leaf_of: dict[int, int] = {}  # id(AccumulateGrad) -> leaf record index, this pass
        self._last: dict[int, BackwardRecord] = {}  # id(grad_fn) -> its latest event

    def run(
        self, func: Callable[..., object], args: Sequence[object], kwargs: Mapping[str, object]
    ) -> object:
        """One backward call: mark roots, hook the graph, run it unrecorded, then read the leaves' grads."""
        session = self.session
        session.resolve_pending()
        roots = _roots(args[0] if args else kwargs.get("tensors"))
        for root in roots:
            session.values_at(session.input_of(root)).is_root = True
        self._keep_earlier_grads()
        first_event = len(session.capture.backward)
        session.paused += 1  # unpacking saved tensors and the pass itself run ops that are not graph nodes
        try:
            self._prepare([root.grad_fn for root in roots if root.grad_fn is not None])
            with _disable_current_modes():  # the engine's own ops skip the recording mode altogether
                return func(*args, **kwargs)
        finally:
            session.paused -= 1
            self._read_leaf_grads(first_event)
            session.pass_index += 1

    def record_of(self, grad_fn: Node, output_nr: int) -> int | None:
        """The value record an autograd node's output belongs to (leaves for AccumulateGrad)."""
        leaf = self._leaf_of.get(id(grad_fn))
        return leaf if leaf is not None else self._by_fn.get((id(grad_fn), output_nr))

    def remove_hooks(self) -> None:
        for handle in self.handles:
            handle.remove()
        self.handles.clear()

    # ------------------------------------------------------------ graph walk

    def _prepare(self, starts: list[Node]) -> None:
        self._sync_records()
        unmatched: list[Node] = []
        for node in _reachable(starts):
            if _is_accumulate(node):
                self._leaf_of[id(node)] = self.session.input_of(node.variable)  # type: ignore[attr-defined]
            elif (id(node), 0) not in self._by_fn:
                unmatched.append(node)
            if id(node) not in self._hooked:
                self._hook(node)
        for node in sorted(unmatched, key=lambda n: n._sequence_nr()):
            self._add_unseen(node)

    def _sync_records(self) -> None:
        values = self.session.capture.values
        for record in values[self._synced :]:
            if record.grad_fn is not None and record.kind == "op":
                self._by_fn.setdefault((id(record.grad_fn), record.output_nr), record.index)
        self._synced = len(values)

    def _hook(self, node: Node) -> None:
        self._hooked[id(node)] = node
        self.handles.append(node.register_prehook(partial(self._before_node, node)))
        self.handles.append(node.register_hook(partial(self._after_node, node)))
        record = self._by_fn.get((id(node), 0))
        if record is not None:
            self.session.capture.values[record].saved = _saved_tensors(node)

    def _add_unseen(self, node: Node) -> None:
        """An autograd node no recorded op made (built under quiet code): a node with what it saved."""
        inputs = [
            i
            for i in (self.record_of(fn, nr) for fn, nr in node.next_functions if fn is not None)
            if i is not None
        ]
        result = getattr(node, "_saved_result", None)
        tensor = result if isinstance(result, torch.Tensor) else None
        record = self.session.add_unseen(tensor, inputs=inputs, grad_fn=node)
        record.saved = _saved_tensors(node)
        self._by_fn[(id(node), 0)] = record.index

    # ------------------------------------------------------------ hooks

    def _before_node(self, node: Node, grad_outputs: Grads) -> None:
        session = self.session
        leaf = self._leaf_of.get(id(node))
        event = BackwardRecord(
            session.pass_index, node, _aliases(grad_outputs), node=self.record_of(node, 0), leaf=leaf
        )
        session.capture.backward.append(event)
        session.timeline("backward", len(session.capture.backward) - 1)
        self._last[id(node)] = event

    def _after_node(self, node: Node, grad_inputs: Grads, grad_outputs: Grads) -> None:
        event = self._last[id(node)]
        event.grad_inputs = _aliases(grad_inputs)
        event.sources = [None if fn is None else self.record_of(fn, nr) for fn, nr in node.next_functions]

    # ------------------------------------------------------------ leaves

    def _read_leaf_grads(self, first_event: int) -> None:
        values = self.session.capture.values
        for event in self.session.capture.backward[first_event:]:
            if event.leaf is not None:
                record = values[event.leaf]
                record.grad = record.tensor.grad if record.tensor is not None else None

    def _keep_earlier_grads(self) -> None:
        """This pass may add into `.grad`s in place: earlier records sharing their memory get copies."""
        live = {
            grad.untyped_storage().data_ptr()
            for node in self._hooked.values()
            if _is_accumulate(node) and (grad := node.variable.grad) is not None  # type: ignore[attr-defined]
        }
        if not live:
            return
        for event in self.session.capture.backward:
            event.grad_outputs = [_own(g, live) for g in event.grad_outputs]
            event.grad_inputs = [_own(g, live) for g in event.grad_inputs]
        for record in self.session.capture.values:
            record.grad = _own(record.grad, live)


def _aliases(grads: Grads) -> list[torch.Tensor | None]:
    """Detached aliases share memory but not the tensor: AccumulateGrad may still steal the gradient
    instead of copying it (a copy per parameter costs ~10% of a GPT-2 backward)."""
    return [None if grad is None else grad.detach() for grad in grads]


def _own(grad: torch.Tensor | None, live: set[int]) -> torch.Tensor | None:
    if grad is None or grad.untyped_storage().data_ptr() not in live:
        return grad
    return grad.clone()


def _roots(tensors: object) -> list[torch.Tensor]:
    if isinstance(tensors, torch.Tensor):
        return [tensors]
    if isinstance(tensors, list | tuple):
        return [t for t in tensors if isinstance(t, torch.Tensor)]
    return []


def _is_accumulate(node: Node) -> bool:
    return hasattr(node, "variable")


def _reachable(starts: list[Node]) -> list[Node]:
    """Every autograd node reachable over next_functions, found with an explicit stack (no recursion)."""
    seen: set[int] = set()
    order: list[Node] = []
    stack = list(starts)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(fn for fn, _ in node.next_functions if fn is not None)
    return order


@cache
def _saved_names(node_type: type) -> tuple[str, ...]:
    """The `_saved_*` attributes of one autograd node class (dir() is slow: once per class)."""
    return tuple(name for name in dir(node_type) if name.startswith("_saved_"))


def _saved_tensors(node: Node) -> list[SavedRecord]:
    """The tensors a node saved for backward (`_saved_self`, `_saved_result`, ...), while they still exist."""
    saved: list[SavedRecord] = []
    for attribute in _saved_names(type(node)):
        try:
            value = getattr(node, attribute)
        except RuntimeError:  # already freed by an earlier pass without retain_graph
            continue
        if isinstance(value, torch.Tensor):
            saved.append(SavedRecord(attribute.removeprefix("_saved_"), value))
    return saved
