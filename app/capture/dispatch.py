"""The recording modes: every aten op becomes value records; `.backward()` calls are routed to autograd.py.

Ops are recorded at the aten level (TorchDispatchMode), below autograd, so the several autograd nodes one
user-level call builds (F.cross_entropy: log_softmax + nll_loss; indexing; F.linear on 3-D input) each get
their node. `fn` names the aten op without its overload: "aten.mm", "aten.sigmoid", "aten._log_softmax";
`torch.tensor(...)` literals appear as "torch.tensor". Python scalar operands become `const` nodes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from typing import Any

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

from app.capture.autograd import BackwardRunner
from app.capture.session import Session

__all__ = ["BACKWARD_FNS", "FunctionRecorder", "OpRecorder"]

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


def _tensors(value: object) -> Iterator[torch.Tensor]:
    """Tensors in an argument or a result: itself, or the items of a list/tuple (cat, split, index)."""
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, torch.Tensor):
                yield item


class OpRecorder(TorchDispatchMode):  # type: ignore[no-untyped-call]  # torch leaves it untyped
    """Records each aten op with its inputs (by node), outputs and the statement that ran it."""

    def __init__(self, session: Session) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.session = session

    def __torch_dispatch__(
        self,
        func: Any,
        types: Sequence[type],
        args: Sequence[object] = (),
        kwargs: Mapping[str, object] | None = None,
    ) -> object:
        kwargs = kwargs or {}
        if self.session.paused:
            return func(*args, **kwargs)
        self.session.resolve_pending()
        fresh = func._overloadpacket.__name__ in _FRESH_FNS
        inputs = [] if fresh else self._inputs(func, args, kwargs)
        self._save_overwritten(func, args, kwargs)
        result = func(*args, **kwargs)
        self._outputs(func, args, result, inputs)
        return result

    def _inputs(
        self, func: torch._ops.OpOverload, args: Sequence[object], kwargs: Mapping[str, object]
    ) -> list[int]:
        scalars = _schema_facts(func)[0]
        inputs: list[int] = []
        for position, arg in enumerate(args):
            if position in scalars and isinstance(arg, bool | int | float):
                inputs.append(self.session.const(arg))
            else:
                inputs.extend(self.session.input_of(tensor) for tensor in _tensors(arg))
        for arg in kwargs.values():
            inputs.extend(self.session.input_of(tensor) for tensor in _tensors(arg))
        return inputs

    def _save_overwritten(
        self, func: torch._ops.OpOverload, args: Sequence[object], kwargs: Mapping[str, object]
    ) -> None:
        _, written, written_names = _schema_facts(func)
        targets = [args[i] for i in written if i < len(args)] + [
            v for k, v in kwargs.items() if k in written_names
        ]
        for target in targets:
            for tensor in _tensors(target):
                self.session.before_write(tensor)

    def _outputs(
        self, func: torch._ops.OpOverload, args: Sequence[object], result: object, inputs: list[int]
    ) -> None:
        name = func._overloadpacket.__name__
        outputs = list(_tensors(result))
        if name in _ALIAS_FNS and len(outputs) == 1 and args and isinstance(args[0], torch.Tensor):
            self.session.alias(outputs[0], args[0], _fn_name(func))
            return
        for output_nr, tensor in enumerate(outputs):
            self.session.add("op", tensor, fn=_fn_name(func), output_nr=output_nr, inputs=list(inputs))


BACKWARD_FNS: frozenset[Callable[..., object]] = frozenset({torch.Tensor.backward, torch.autograd.backward})


class FunctionRecorder(TorchFunctionMode):
    """Sees Python-level torch calls; only `.backward()` needs it, to walk and hook the graph first."""

    def __init__(self, runner: BackwardRunner) -> None:
        super().__init__()
        self.runner = runner

    def __torch_function__(
        self,
        func: Any,
        types: Sequence[type],
        args: Sequence[object] = (),
        kwargs: Mapping[str, object] | None = None,
    ) -> object:
        kwargs = kwargs or {}
        if func in BACKWARD_FNS:
            return self.runner.run(func, args, kwargs)
        return func(*args, **kwargs)
