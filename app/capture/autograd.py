"""Backward passes: walk each root's autograd graph (iteratively), hook every node, record the engine's order.

A node's prehook fires right before the engine runs it, so the order of BackwardRecords is the real execution
order. Its post hook adds the gradients it sent on. Leaves get their `.grad` as torch holds it after the pass.
`.backward()`, `torch.autograd.backward` and `torch.autograd.grad` (`create_graph` too) all come here.
Gradients are kept by reference and copied only when something later writes into them (snapshots.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache, partial

import torch
from torch.autograd.graph import Node
from torch.utils.hooks import RemovableHandle

from app.capture.failures import recording, transforming, unrecorded
from app.capture.records import BackwardRecord, SavedRecord
from app.capture.session import Session
from app.capture.window import end_of_pass

__all__ = ["BackwardRunner"]

Grads = Sequence[torch.Tensor | None]


class BackwardRunner:
    """Runs `.backward()` calls of the program with every reachable autograd node hooked."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._by_fn: dict[tuple[int, int], int] = {}  # (id(grad_fn), output_nr) -> value record index
        self._synced = 0  # value records already in _by_fn
        # nodes hooked, with their hooks' handles (kept after a pass only where the graph lives on)
        self._hooked: dict[int, tuple[Node, tuple[RemovableHandle, ...]]] = {}
        self._leaf_of: dict[int, int] = {}  # id(AccumulateGrad) -> leaf record index, this pass
        self._last: dict[int, BackwardRecord] = {}  # id(grad_fn) -> its latest event, this pass
        self._final = 0  # value records before this one were handed to the stats taken ahead

    def run(
        self, func: Callable[..., object], args: Sequence[object], kwargs: Mapping[str, object]
    ) -> object:
        """One backward call: mark roots, hook the graph, run it unrecorded, then read the leaves' grads."""
        session = self.session
        if session.full or transforming():
            with unrecorded():
                return func(*args, **kwargs)
        roots = _roots(args[0] if args else kwargs.get("tensors", kwargs.get("outputs")))
        first_event = len(session.capture.backward)
        session.paused += 1  # unpacking saved tensors and the pass itself run ops that are not graph nodes
        try:
            with recording("preparing a backward pass"):
                self._start_pass(roots)
            with unrecorded():  # the engine's own ops skip the recording mode altogether
                return func(*args, **kwargs)
        finally:
            with recording("finishing a backward pass"):
                self._read_leaf_grads(first_event)
                self._hold_grads(first_event)
                self._end_pass(roots)
                self._forget_freed(kwargs)
            session.paused -= 1

    def _start_pass(self, roots: list[torch.Tensor]) -> None:
        session = self.session
        session.paused -= 1  # the roots are program values: a root first seen here is a node
        try:
            session.resolve_pending()
            for root in roots:
                session.values_at(session.input_of(root)).is_root = True
        finally:
            session.paused += 1
        self._keep_earlier_grads()
        self._prepare([root.grad_fn for root in roots if root.grad_fn is not None])
        self._ahead_values()

    def record_of(self, grad_fn: Node, output_nr: int) -> int | None:
        """The value record an autograd node's output belongs to (leaves for AccumulateGrad)."""
        leaf = self._leaf_of.get(id(grad_fn))
        if leaf is not None:
            return leaf
        index = self._by_fn.get((id(grad_fn), output_nr))
        # an id is only this node's while that record still holds it (a dropped record freed its node)
        if index is None or self.session.capture.values[index].grad_fn is not grad_fn:
            return None
        return index

    def _forget_freed(self, kwargs: Mapping[str, object]) -> None:
        """Without retain_graph the pass freed its graph: only the leaves' accumulators live on."""
        self._last.clear()
        if kwargs.get("retain_graph") or kwargs.get("create_graph"):
            return
        for key, (node, handles) in list(self._hooked.items()):
            if not _is_accumulate(node):  # a graph without saved tensors can run again: hooked afresh then
                for handle in handles:
                    handle.remove()
                del self._hooked[key]

    def remove_hooks(self) -> None:
        for _, handles in self._hooked.values():
            for handle in handles:
                handle.remove()
        self._hooked.clear()

    # ------------------------------------------------------------ graph walk

    def _prepare(self, starts: list[Node]) -> None:
        self._sync_records()
        self._leaf_of.clear()
        unmatched: list[Node] = []
        for node in _reachable(starts):
            if _is_accumulate(node):
                self._leaf_of[id(node)] = self.session.input_of(node.variable)  # type: ignore[attr-defined]
            elif self.record_of(node, 0) is None:
                unmatched.append(node)
            if id(node) not in self._hooked:
                self._hook(node)
        for node in sorted(unmatched, key=lambda n: n._sequence_nr()):
            self._add_unseen(node)

    def _sync_records(self) -> None:
        values = self.session.capture.values
        for record in values[self._synced :]:
            if record.grad_fn is not None and record.kind == "op":
                key = (id(record.grad_fn), record.output_nr)
                known = self._by_fn.get(key)
                if known is None or values[known].grad_fn is not record.grad_fn:
                    self._by_fn[key] = record.index
        self._synced = len(values)

    def _hook(self, node: Node) -> None:
        handles = (
            node.register_prehook(partial(self._before_node, node)),
            node.register_hook(partial(self._after_node, node)),
        )
        self._hooked[id(node)] = (node, handles)
        record = self.record_of(node, 0)
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

    def _ahead_values(self) -> None:
        """The forward values so far are final (or their writes counted): their statistics can be taken
        while the pass runs."""
        values = self.session.capture.values
        submit = self.session.ahead.submit
        for record in values[self._final :]:
            submit(record.value)
        self._final = len(values)

    def _before_node(self, node: Node, grad_outputs: Grads) -> None:
        session = self.session
        leaf = self._leaf_of.get(id(node))
        grads = _aliases(grad_outputs)
        for grad in grads:  # final now: the engine hands them to this node
            session.ahead.submit(grad)
        event = BackwardRecord(session.pass_index, node, grads, node=self.record_of(node, 0), leaf=leaf)
        session.capture.backward.append(event)
        session.timeline("backward", len(session.capture.backward) - 1)
        self._last[id(node)] = event

    def _after_node(self, node: Node, grad_inputs: Grads, grad_outputs: Grads) -> None:
        event = self._last[id(node)]
        event.grad_inputs = _aliases(grad_inputs)
        event.sources = [None if fn is None else self.record_of(fn, nr) for fn, nr in node.next_functions]

    # ------------------------------------------------------------ leaves

    def _read_leaf_grads(self, first_event: int) -> None:
        session = self.session
        values = session.capture.values
        for event in session.capture.backward[first_event:]:
            if event.leaf is not None:
                record = values[event.leaf]
                record.grad = record.tensor.grad if record.tensor is not None else None
                if record.grad is not None:
                    session.snapshots.hold(record.grad, record, "grad")
                    session.known_grad(record.grad, record.label)

    def _hold_grads(self, first_event: int) -> None:
        """The pass's gradients are aliases of the engine's: the program may write into them later
        (`w.grad.zero_()`, the next pass adding into `.grad`), which must not rewrite this pass."""
        hold = self.session.snapshots.hold
        for event in self.session.capture.backward[first_event:]:
            for grads in (event.grad_outputs, event.grad_inputs):
                for position, grad in enumerate(grads):
                    hold(grad, grads, position)

    def _keep_earlier_grads(self) -> None:
        """This pass may add into `.grad`s in place (the engine's writes are not seen): copy first."""
        for node, _ in self._hooked.values():
            grad = node.variable.grad if _is_accumulate(node) else None  # type: ignore[attr-defined]
            if grad is not None:
                self.session.snapshots.before_write(grad)

    def _end_pass(self, roots: list[torch.Tensor]) -> None:
        """The loss of this pass for the curve, and the recording window's cut."""
        session = self.session
        loss = None
        if len(roots) == 1 and roots[0].numel() == 1:
            with unrecorded():
                loss = float(roots[0].detach().reshape(()).item())
        session.live -= end_of_pass(session.capture, session.pass_index, loss, session.segments)
        session.pass_index += 1


def _aliases(grads: Grads) -> list[torch.Tensor | None]:
    """Detached aliases share memory but not the tensor: AccumulateGrad may still steal the gradient
    instead of copying it (a copy per parameter costs ~10% of a GPT-2 backward)."""
    return [None if grad is None else grad.detach() for grad in grads]


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
