"""Global hooks for the length of one capture: module forwards (groups) and optimizer steps (events)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn
from torch.nn.modules import module as module_hooks
from torch.optim import Optimizer
from torch.optim import optimizer as optimizer_hooks

from app.capture.aside import ModesAside
from app.capture.calls import open_module_call
from app.capture.dispatch import tensors_in
from app.capture.failures import unrecorded
from app.capture.records import OptimizerRecord, ParamRecord
from app.capture.session import Session
from app.program import PROGRAM_FILE

__all__ = ["global_hooks"]


@contextmanager
def global_hooks(session: Session, modes: ModesAside) -> Iterator[None]:
    """Module forward and optimizer step hooks, removed again however the program ends."""
    steps = _OptimizerSteps(session, modes)
    handles = [
        module_hooks.register_module_forward_pre_hook(_enter_hook(session)),
        module_hooks.register_module_forward_hook(_exit_hook(session), always_call=True),
        optimizer_hooks.register_optimizer_step_pre_hook(steps.before),
        optimizer_hooks.register_optimizer_step_post_hook(steps.after),
    ]
    originals = {owner: owner.zero_grad for owner in (Optimizer, nn.Module)}
    for owner, zero_grad in originals.items():
        owner.zero_grad = _noting_zero_grad(session, zero_grad)  # type: ignore[method-assign]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()
        for owner, zero_grad in originals.items():
            owner.zero_grad = zero_grad  # type: ignore[method-assign]


def _noting_zero_grad(session: Session, zero_grad: Any) -> Any:
    """`optimizer.zero_grad()` / `model.zero_grad()`: a timeline entry, even when no gradient exists yet."""

    @functools.wraps(zero_grad)
    def noted(*args: Any, **kwargs: Any) -> Any:
        session.zeroed()
        return zero_grad(*args, **kwargs)

    return noted


def _enter_hook(session: Session) -> Any:
    """Forward pre-hook: ops from now on belong to this module's group; a library module (nn.Linear,
    nn.LayerNorm) is itself one call of the program, until it turns out to call modules of its own."""

    def enter(module: nn.Module, args: object) -> None:
        session.modules.calling(module)
        path = session.modules.path_of(module)
        stack = session.module_stack
        running = session.call
        library = not _written_by_program(module)
        if running is not None and running.module is not None and running.index not in session.containers:
            session.containers.add(running.index)  # it calls modules: a group, not one call
            for index in running.values:
                session.values_at(index).call = None
            running.values = []
        session.module_calls.append(running)
        if library and session.paused == 0 and not session.full:
            session.call = open_module_call(session, module, path)
        elif not library:
            session.call = None  # its forward is the program's: its own calls follow
        stack.append(path if path is not None else (stack[-1] if stack else None))
        session.module_kinds.append("library" if library else "program")

    return enter


def _exit_hook(session: Session) -> Any:
    """Forward hook (always called, also when forward raised): back to the enclosing group and call."""

    def leave(module: nn.Module, args: object, output: object) -> None:
        if not session.module_stack:
            return
        session.module_stack.pop()
        session.module_kinds.pop()
        call = session.call
        opened = session.module_calls and session.module_calls[-1] is not call
        if call is not None and call.module is not None and opened:
            session.resolve_pending()
            call.outputs = _returned(session, call.index, output)
        session.call = session.module_calls.pop() if session.module_calls else None

    return leave


def _returned(session: Session, call: int, output: object) -> list[int]:
    """The records of the tensors a call handed back to the program (those it made itself)."""
    records = (session.resolved(tensor) for tensor in tensors_in(output))
    return [record.index for record in records if record is not None and record.call == call]


def _written_by_program(module: nn.Module) -> bool:
    """A module whose forward is the program's own code (a class it defined) is a group of the program's
    calls; any other (torch's) is a library module."""
    forward = getattr(type(module), "forward", None)
    code = getattr(forward, "__code__", None)
    return code is not None and code.co_filename == PROGRAM_FILE


class _OptimizerSteps:
    """Each parameter before and after `optimizer.step()`; the step's own ops are not graph nodes."""

    def __init__(self, session: Session, modes: ModesAside) -> None:
        self.session = session
        self.modes = modes
        self._open: list[tuple[ParamRecord, torch.Tensor]] = []

    def before(self, optimizer: Optimizer, args: object, kwargs: object) -> None:
        """The step writes into every parameter: what the capture holds of them is copied now, and the
        step itself then runs past the recording modes (its ops are no graph nodes)."""
        session = self.session
        session.resolve_pending()
        params = [p for group in optimizer.param_groups for p in group["params"]]
        with unrecorded():
            self._open = [(update, p) for p in params if (update := self._before_param(p)) is not None]
            for param in params:
                session.snapshots.before_write(param)
        session.stepping += 1
        self.modes.step_aside()

    def _before_param(self, param: torch.Tensor) -> ParamRecord | None:
        """Each used parameter before the step."""
        record = self.session.latest(param)
        if record is None:
            return None
        before = param.detach().clone()
        grad = None if param.grad is None else param.grad.detach().clone()
        return ParamRecord(record=record.index, before=before, grad=grad, after=before)

    def after(self, optimizer: Optimizer, args: object, kwargs: object) -> None:
        session = self.session
        self.modes.step_back()
        session.stepping = max(session.stepping - 1, 0)
        lr = optimizer.param_groups[0].get("lr") if optimizer.param_groups else None
        rate = float(lr) if isinstance(lr, int | float) else None
        event = OptimizerRecord(type(optimizer).__name__, rate, segment=session.pass_index)
        with unrecorded():
            for update, param in self._open:
                update.after = param.detach().clone()
                event.params.append(update)
        self._open = []
        session.capture.optimizer.append(event)
        session.timeline("step", len(session.capture.optimizer) - 1)
