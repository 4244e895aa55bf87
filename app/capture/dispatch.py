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


@cache
def _schema_facts(op: torch._ops.OpOverload) -> tuple[frozenset[int], frozenset[int], frozenset[str]]:
    """Positions that may hold a Python scalar operand, positions written in place, and their keywords."""
    scalars: set[int] = set()
    written: set[int] = set()
    written_names: set[str] = set()
    for position, argument in enumerate(op._schema.arguments):
        if isinstance(argument.type, torch.NumberType | torch.TensorType):  # `x * 2` passes 2 as a Tensor arg
            scalars.add(position)
        if argument.alias_info is not None and argument.alias_info.is_write:
            written.add(position)
            written_names.add(argument.name)
    return frozenset(scalars), frozenset(written), frozenset(written_names)


@cache
def _fn_name(op: torch._ops.OpOverload) -> str:
    name: str = op._overloadpacket.__name__
    return _READABLE.get(name, f"aten.{name}")


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

    def __torch_dispatch__(
        self,
        func: Any,
        types: Sequence[type],
        args: Sequence[object] = (),
        kwargs: Mapping[str, object] | None = None,
    ) -> object:
        kwargs = kwargs or {}
        if self.session.stepping or transforming():
            return func(*args, **kwargs)
        with recording("before an op"):
            inputs = self._before(func, args, kwargs)
        result = func(*args, **kwargs)  # the program's own op: its errors are the program's
        self.budget.after(func, result)
        if inputs is not None:
            with recording("after an op"):
                self._outputs(func, args, result, inputs)
        return result

    def _before(
        self, func: torch._ops.OpOverload, args: Sequence[object], kwargs: Mapping[str, object]
    ) -> list[int] | None:
        """Budget, snapshots of what the op will overwrite, and its input nodes (None: not recorded)."""
        session = self.session
        self.budget.before(func, args, kwargs)
        inputs = None
        if not session.paused and session.check_room():
            session.resolve_pending()
            fresh = func._overloadpacket.__name__ in _FRESH_FNS
            inputs = [] if fresh else self._inputs(func, args, kwargs)
        self._save_overwritten(func, args, kwargs)  # after: an input is the version before the write
        return inputs

    def _inputs(
        self, func: torch._ops.OpOverload, args: Sequence[object], kwargs: Mapping[str, object]
    ) -> list[int]:
        scalars = _schema_facts(func)[0]
        inputs: list[int] = []
        for position, arg in enumerate(args):
            if position in scalars and isinstance(arg, bool | int | float):
                inputs.append(self.session.const(arg))
            else:
                inputs.extend(self.session.input_of(tensor) for tensor in tensors_in(arg))
        for arg in kwargs.values():
            inputs.extend(self.session.input_of(tensor) for tensor in tensors_in(arg))
        return inputs

    def _save_overwritten(
        self, func: torch._ops.OpOverload, args: Sequence[object], kwargs: Mapping[str, object]
    ) -> None:
        _, written, written_names = _schema_facts(func)
        if not written and not written_names:
            return
        targets = [args[i] for i in written if i < len(args)] + [
            v for k, v in kwargs.items() if k in written_names
        ]
        for target in targets:
            for tensor in tensors_in(target):
                self.session.snapshots.before_write(tensor)

    def _outputs(
        self, func: torch._ops.OpOverload, args: Sequence[object], result: object, inputs: list[int]
    ) -> None:
        name = func._overloadpacket.__name__
        outputs = list(tensors_in(result))
        if name in _ALIAS_FNS and len(outputs) == 1 and args and isinstance(args[0], torch.Tensor):
            self.session.alias(outputs[0], args[0], _fn_name(func))
            return
        for output_nr, tensor in enumerate(outputs):
            self.session.add("op", tensor, fn=_fn_name(func), output_nr=output_nr, inputs=list(inputs))
