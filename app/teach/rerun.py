"""Re-running a program up to its first `.backward()`, with its trainable leaves overwritten at first use.

A `LeafMode` (a TorchFunctionMode) sees every torch call the program makes. The first time a trainable leaf
(requires_grad, no grad_fn) appears in a call's arguments (printing and construction aside), the mode numbers
it (0, 1, ... in order of first use) and, when asked, copies a given value into it before the call runs, past
any capture (the leaf's node then shows that value: it is the leaf's value in this run).
At the first `.backward()` it keeps the root's value and, when asked, runs the pass and keeps every leaf's
`.grad`; then it stops the program. Nothing else about the program changes, so the same seed gives the same
leaves in the same order on every run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

from app.capture.calls import constructing
from app.capture.failures import unrecorded
from app.capture.functions import BACKWARD_FNS, QUIET_NAMES
from app.capture.recorder import Recorder
from app.seeding import manual_seed

__all__ = ["LeafMode", "Program", "Rerun", "rerun", "traced"]

Program = Callable[[Recorder], None]  # runs the program once (a fresh __main__) under the given recorder


class _Stop(Exception):
    """The run reached its first .backward(): nothing after it is needed."""


@dataclass
class Rerun:
    """What one run up to the first backward found."""

    leaves: list[torch.Tensor] = field(default_factory=list)  # value of each leaf at its first use
    root: torch.Tensor | None = None  # the first backward's objective: root (or sum(root * gradient))
    grads: list[torch.Tensor | None] = field(default_factory=list)  # each leaf's .grad after that pass


class LeafMode(TorchFunctionMode):
    """Numbers trainable leaves at first use, sets them to `values`, stops at the first backward.

    With `promote`, nothing is written: each use of a leaf is given its value from `values` and every
    other floating tensor a float64 copy, so the whole run computes in float64 (for finite differences)
    while random numbers are drawn exactly as the program's own dtype draws them.
    """

    def __init__(self, values: Mapping[int, torch.Tensor], *, backward: bool, promote: bool = False) -> None:
        super().__init__()
        self.values = values  # leaf number -> its value in this run
        self.backward = backward  # run the first pass (for .grad) or only read the root
        self.promote = promote
        self.found = Rerun()
        self.stopped = False
        self._live: list[torch.Tensor] = []
        self._numbers: dict[int, int] = {}  # id(leaf) -> its number

    def __torch_function__(
        self,
        func: Any,
        types: Sequence[type],
        args: Sequence[object] = (),
        kwargs: Mapping[str, object] | None = None,
    ) -> object:
        kwargs = kwargs or {}
        if func in BACKWARD_FNS:
            return self._first_backward(func, args, kwargs)
        if not _keeps_arguments(func) and not _quiet(func):
            for tensor in _tensors([*args, *kwargs.values()]):
                if id(tensor) not in self._numbers and tensor.requires_grad and tensor.grad_fn is None:
                    self._first_use(tensor)
        if self.promote and not _keeps_arguments(func):
            args = [self._promoted(arg) for arg in args]
            kwargs = {name: self._promoted(arg) for name, arg in kwargs.items()}
        return func(*args, **kwargs)

    def _first_use(self, tensor: torch.Tensor) -> None:
        number = len(self._live)
        self._numbers[id(tensor)] = number
        self._live.append(tensor)
        value = self.values.get(number)
        if self.promote:
            self.found.leaves.append(value if value is not None else tensor.detach().double())
            return
        with unrecorded(), torch.no_grad():  # past a capture: the leaf's node shows this value, no new node
            if value is not None:
                tensor.copy_(value)
            self.found.leaves.append(tensor.detach().clone())

    def _promoted(self, value: object) -> object:
        """A leaf's value for this run, or a float64 copy of any other floating tensor."""
        if isinstance(value, list | tuple):
            return type(value)(self._promoted(item) for item in value)
        if not isinstance(value, torch.Tensor):
            return value
        number = self._numbers.get(id(value))
        if number is not None:
            return self.found.leaves[number]
        if value.is_floating_point() and value.dtype != torch.float64:
            return value.detach().double()
        return value

    def _first_backward(self, func: Any, args: Sequence[object], kwargs: Mapping[str, object]) -> object:
        root = args[0] if args else kwargs.get("tensors")
        gradient = args[1] if len(args) > 1 else kwargs.get("gradient")
        with unrecorded(), torch.no_grad():
            if isinstance(root, torch.Tensor):
                weight = gradient if isinstance(gradient, torch.Tensor) else torch.ones_like(root)
                self.found.root = (root.detach().double() * weight.detach().double()).sum()
        if self.backward:
            func(*args, **kwargs)
            with unrecorded():
                self.found.grads = [None if t.grad is None else t.grad.detach().clone() for t in self._live]
        self.stopped = True
        raise _Stop


class _NoRecorder(Recorder):
    """A bare re-run records nothing."""

    def __init__(self) -> None:
        pass

    def name(self, name: str, value: object) -> None:
        return None

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        yield


def traced(program: Program, mode: LeafMode) -> Program:
    """`program` under `mode`, ending quietly at the first backward; give it to `capture()` or call it."""

    def run(recorder: Recorder) -> None:
        with mode:
            try:
                program(recorder)
            except Exception:  # the interpreter wraps _Stop in a program error: the mode knows better
                if not mode.stopped:
                    raise

    return run


def rerun(
    program: Program, values: Mapping[int, torch.Tensor], *, seed: int, backward: bool, promote: bool = False
) -> Rerun:
    """One bare run (no capture) up to the first backward, with leaves set from `values`."""
    mode = LeafMode(values, backward=backward, promote=promote)
    manual_seed(seed)
    traced(program, mode)(_NoRecorder())
    return mode.found


def _quiet(func: Any) -> bool:
    """Printing and reading a leaf, or a library constructor initialising it, is no use of it."""
    return getattr(func, "__name__", "") in QUIET_NAMES or constructing()


def _keeps_arguments(func: Any) -> bool:
    """In-place calls (`add_`, `__iadd__`, `__setitem__`, `init.uniform_`) must write into the program's
    tensors, and attribute reads (`__get__`) must see them."""
    name: str = getattr(func, "__name__", "")
    return name in _IN_PLACE_DUNDERS or name == "__get__" or (name.endswith("_") and not name.endswith("__"))


_IN_PLACE_DUNDERS = frozenset(
    {"__setitem__", "__iadd__", "__isub__", "__imul__", "__itruediv__", "__ipow__", "__imatmul__"}
)


def _tensors(values: Sequence[object]) -> Iterator[torch.Tensor]:
    for value in values:
        if isinstance(value, torch.Tensor):
            yield value
        elif isinstance(value, list | tuple):
            yield from (item for item in value if isinstance(item, torch.Tensor))
