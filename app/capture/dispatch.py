"""The aten-level recorder: every op the program's calls run becomes value records, within the run's budget.

Ops are recorded below autograd (TorchDispatchMode), so the several autograd nodes one program-level call
builds (F.cross_entropy: log_softmax + nll_loss; F.linear on 3-D input: view, t, mm, view) each get their
node, inside that call (app/capture/functions.py says which call is running). `fn` names the aten op without
its overload: "aten.mm", "aten.sigmoid"; `torch.tensor(...)` literals appear as "torch.tensor". Python scalar
operands become `const` nodes. An op about to write in place first has what the capture holds of that memory
copied (snapshots.py), also while recording is paused (an optimizer step, a backward pass).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from app.capture.budget import Budget
from app.capture.failures import recording, transforming
from app.capture.session import Session

__all__ = ["OpRecorder", "tensors_in"]

_ALIAS_FNS = {"detach"}  # autograd detaches saved outputs; such tensors become nodes only when used
_FRESH_FNS = {"lift_fresh", "lift_fresh_copy"}  # a literal's data becomes a tensor: no input node
_READABLE = {"lift_fresh": "torch.tensor", "lift_fresh_copy": "torch.tensor"}


class _OpFacts:
    """What recording needs to know of one aten op overload, read from its schema once per process (the
    per-op path runs thousands of times per capture: no schema reads, no string work there)."""

    __slots__ = ("alias", "fn", "fresh", "scalars", "written", "written_names")

    def __init__(self, op: torch._ops.OpOverload) -> None:
        name: str = op._overloadpacket.__name__
        self.fn = _READABLE.get(name, f"aten.{name}")
        self.fresh = name in _FRESH_FNS
        self.alias = name in _ALIAS_FNS
        scalars: set[int] = set()  # positions that may hold a Python scalar operand
        written: list[int] = []  # positions written in place, and their keywords
        written_names: set[str] = set()
        for position, argument in enumerate(op._schema.arguments):
            if isinstance(argument.type, torch.NumberType | torch.TensorType):  # `x * 2` passes 2 as a Tensor
                scalars.add(position)
            if argument.alias_info is not None and argument.alias_info.is_write:
                written.append(position)
                written_names.add(argument.name)
        self.scalars = frozenset(scalars)
        self.written = tuple(written)
        self.written_names = frozenset(written_names)


@cache
def _facts(op: torch._ops.OpOverload) -> _OpFacts:
    return _OpFacts(op)


_BEFORE = recording("before an op")  # stateless: one instance serves every op
_AFTER = recording("after an op")


def tensors_in(value: object) -> Iterator[torch.Tensor]:
    """Tensors in an argument or a result: itself, or the items of a list/tuple (cat, split, index)."""
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, torch.Tensor):
                yield item


class OpRecorder(TorchDispatchMode):  # type: ignore[no-untyped-call]  # torch leaves it untyped
    """Records each aten op with its inputs (by node) and outputs, in the call that ran it."""

    def __init__(self, session: Session, budget: Budget) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.session = session
        self.budget = budget

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        """torch wraps a mode's __torch_dispatch__ in a Dynamo-disabling wrapper (~2 us per op, thousands of
        ops per capture) unless the mode says no here. Nothing to disable: Dynamo compiles no frame while a
        non-infra dispatch mode is on the stack, and this one is pushed and popped by the capture only."""
        return False

    def __torch_dispatch__(
        self,
        func: Any,
        types: Sequence[type],
        args: Sequence[object] = (),
        kwargs: Mapping[str, object] | None = None,
    ) -> object:
        kwargs = kwargs or {}
        session = self.session
        if session.stepping or transforming():
            return func(*args, **kwargs)
        facts = _facts(func)
        with _BEFORE:
            inputs = self._before(func, facts, args, kwargs)
        result = func(*args, **kwargs)  # the program's own op: its errors are the program's
        self.budget.after(func, result)
        if inputs is not None:
            with _AFTER:
                self._outputs(facts, args, result, inputs)
        return result

    def _before(
        self,
        func: torch._ops.OpOverload,
        facts: _OpFacts,
        args: Sequence[object],
        kwargs: Mapping[str, object],
    ) -> list[int] | None:
        """Budget, snapshots of what the op will overwrite, and its input nodes (None: not recorded)."""
        session = self.session
        self.budget.before(func, args, kwargs)
        inputs = None
        if not session.paused and session.check_room():
            session.resolve_pending()
            inputs = [] if facts.fresh else self._inputs(facts.scalars, args, kwargs)
        if facts.written:
            self._save_overwritten(facts, args, kwargs)  # after: an input is the version before the write
        return inputs

    def _inputs(
        self, scalars: frozenset[int], args: Sequence[object], kwargs: Mapping[str, object]
    ) -> list[int]:
        session = self.session
        inputs: list[int] = []
        for position, arg in enumerate(args):
            if isinstance(arg, torch.Tensor):
                inputs.append(session.input_of(arg))
            elif isinstance(arg, list | tuple):
                inputs.extend(session.input_of(item) for item in arg if isinstance(item, torch.Tensor))
            elif position in scalars and isinstance(arg, bool | int | float):
                inputs.append(session.const(arg))
        for arg in kwargs.values():
            inputs.extend(session.input_of(tensor) for tensor in tensors_in(arg))
        return inputs

    def _save_overwritten(
        self, facts: _OpFacts, args: Sequence[object], kwargs: Mapping[str, object]
    ) -> None:
        targets = [args[i] for i in facts.written if i < len(args)] + [
            v for k, v in kwargs.items() if k in facts.written_names
        ]
        for target in targets:
            for tensor in tensors_in(target):
                self.session.snapshots.before_write(tensor)

    def _outputs(self, facts: _OpFacts, args: Sequence[object], result: object, inputs: list[int]) -> None:
        session = self.session
        if isinstance(result, torch.Tensor):
            if facts.alias and args and isinstance(args[0], torch.Tensor):
                session.alias(result, args[0], facts.fn)
            else:
                session.add("op", result, fn=facts.fn, inputs=inputs)
            return
        for output_nr, tensor in enumerate(tensors_in(result)):
            session.add("op", tensor, fn=facts.fn, output_nr=output_nr, inputs=list(inputs))
