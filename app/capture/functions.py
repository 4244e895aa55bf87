"""The torch-function-level recorder: program-level calls, quiet calls, `.data`/`.grad` access, backward.

Each outermost torch call the program makes opens its call record (app/capture/calls.py) for the aten ops it
runs; what it returns are the call's outputs. Calls that only read or print a tensor (`repr`, `.item()`,
`.tolist()`) record nothing. `.backward()` and `torch.autograd.grad` go to the backward runner, which hooks
the graph before the engine runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

from app.capture.autograd import BackwardRunner
from app.capture.calls import QUIET, attribute_call, func_name
from app.capture.dispatch import tensors_in
from app.capture.failures import recording, transforming
from app.capture.records import CallRecord
from app.capture.session import Session

__all__ = ["BACKWARD_FNS", "QUIET_NAMES", "FunctionRecorder", "paused"]

BACKWARD_FNS: frozenset[Callable[..., object]] = frozenset({torch.Tensor.backward, torch.autograd.backward})
QUIET_NAMES = frozenset(
    {"__repr__", "__str__", "__format__", "item", "tolist", "numpy", "__bool__", "__len__", "__array__",
     "__reduce_ex__", "__deepcopy__", "__getstate__", "__setstate__", "__hash__", "__dlpack__", "__index__",
     "__int__", "__float__", "__complex__", "is_nonzero", "equal", "allclose", "__contains__", "data_ptr",
     "untyped_storage", "storage", "_typed_storage", "__array_wrap__"}
)  # fmt: skip
_VIEW_PROPERTIES = frozenset({"T", "mT", "H", "mH", "real", "imag"})  # properties that are operations


class paused:  # lower case: used as `with paused(session):`, like a function
    """Torch work inside records no nodes (snapshots and budgets still apply). A plain class: it wraps
    every quiet call, where contextlib's generator machinery would cost ~2 us each."""

    __slots__ = ("session",)

    def __init__(self, session: Session) -> None:
        self.session = session

    def __enter__(self) -> None:
        self.session.paused += 1

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self.session.paused -= 1


class FunctionRecorder(TorchFunctionMode):
    """Sees each outermost torch call of the program and decides which call record its ops belong to."""

    def __init__(self, session: Session, runner: BackwardRunner) -> None:
        super().__init__()
        self.session = session
        self.runner = runner

    def __torch_function__(
        self,
        func: Any,
        types: Sequence[type],
        args: Sequence[object] = (),
        kwargs: Mapping[str, object] | None = None,
    ) -> object:
        kwargs = kwargs or {}
        session = self.session
        if session.stepping:
            return func(*args, **kwargs)
        if func in BACKWARD_FNS or func is torch.autograd.grad:
            return self.runner.run(func, args, kwargs)
        descriptor = _descriptor(func)
        if descriptor is not None and descriptor[0] in ("data", "grad"):
            return self._attribute(descriptor, func, args, kwargs)
        quiet = descriptor[0] not in _VIEW_PROPERTIES if descriptor is not None else _quiet(func)
        if session.paused or session.full or transforming():
            return func(*args, **kwargs)
        if quiet:
            with paused(session):
                return func(*args, **kwargs)
        with recording("attributing a call"):
            call = attribute_call(session, func, descriptor[0] if descriptor else func_name(func))
        if call is QUIET:
            with paused(session):
                return func(*args, **kwargs)
        if not isinstance(call, CallRecord):
            return func(*args, **kwargs)
        running, session.call = session.call, call
        try:
            result = func(*args, **kwargs)
        finally:
            session.call = running
        with recording("closing a call"):
            self._returned(call, result)
        return result

    def _returned(self, call: CallRecord, result: object) -> None:
        """What the call handed back to the program are its outputs (the last time, for a library call)."""
        session = self.session
        session.resolve_pending()
        outputs: list[int] = []
        for tensor in tensors_in(result):
            record = session.resolved(tensor)
            if record is not None and record.call == call.index and record.index not in outputs:
                outputs.append(record.index)
        call.outputs = outputs

    def _attribute(
        self, descriptor: tuple[str, str], func: Any, args: Sequence[object], kwargs: Mapping[str, object]
    ) -> object:
        """`x.data`, `x.data = ...`, `w.grad`, `w.grad = None`: identity and history, not operations."""
        session = self.session
        name, access = descriptor
        target = args[0] if args and isinstance(args[0], torch.Tensor) else None
        with paused(session):
            if target is not None and name == "data" and access == "__set__":
                session.snapshots.before_rebind(target)
            result = func(*args, **kwargs)
        if target is None or session.paused:
            return result
        if name == "data" and access == "__get__" and isinstance(result, torch.Tensor):
            session.same_as(result, target)
        elif name == "grad" and access == "__get__" and isinstance(result, torch.Tensor):
            record = session.latest(session.canonical(target))
            session.known_grad(result, record.label if record is not None else None)
        elif name == "grad" and access == "__set__" and args[1:2] == (None,):
            session.zeroed()  # `w.grad = None`
        return result


def _quiet(func: Any) -> bool:
    name = getattr(func, "__name__", "")
    return name in QUIET_NAMES or name.startswith("_record_function")  # profiler marks around steps


def _descriptor(func: Any) -> tuple[str, str] | None:
    """("grad", "__set__") for the setter of `Tensor.grad`, and so on for every tensor property."""
    owner: Any = getattr(func, "__self__", None)
    access = getattr(func, "__name__", "")
    if access in ("__get__", "__set__", "__delete__") and type(owner).__name__ == "getset_descriptor":
        return str(owner.__name__), access
    return None
