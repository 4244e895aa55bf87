"""Global hooks for the length of one capture: module forwards (groups) and optimizer steps (events)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn
from torch.nn.modules import module as module_hooks
from torch.optim import Optimizer
from torch.optim import optimizer as optimizer_hooks

from app.capture.records import OptimizerRecord, ParamRecord
from app.capture.session import Session

__all__ = ["global_hooks"]


@contextmanager
def global_hooks(session: Session) -> Iterator[None]:
    """Module forward and optimizer step hooks, removed again however the program ends."""
    steps = _OptimizerSteps(session)
    handles = [
        module_hooks.register_module_forward_pre_hook(_enter_hook(session)),
        module_hooks.register_module_forward_hook(_exit_hook(session), always_call=True),
        optimizer_hooks.register_optimizer_step_pre_hook(steps.before),
        optimizer_hooks.register_optimizer_step_post_hook(steps.after),
    ]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


def _enter_hook(session: Session) -> Any:
    """Forward pre-hook: ops from now on belong to this module's group (or the enclosing one)."""

    def enter(module: nn.Module, args: object) -> None:
        path = session.modules.path_of(module)
        stack = session.module_stack
        stack.append(path if path is not None else (stack[-1] if stack else None))

    return enter


def _exit_hook(session: Session) -> Any:
    """Forward hook (always called, also when forward raised): back to the enclosing group."""

    def leave(module: nn.Module, args: object, output: object) -> None:
        if session.module_stack:
            session.module_stack.pop()

    return leave


class _OptimizerSteps:
    """Each parameter before and after `optimizer.step()`; the step's own ops are not graph nodes."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._open: list[tuple[ParamRecord, torch.Tensor]] = []

    def before(self, optimizer: Optimizer, args: object, kwargs: object) -> None:
        self.session.resolve_pending()
        self.session.paused += 1
        params = [p for group in optimizer.param_groups for p in group["params"]]
        self._open = [(update, p) for p in params if (update := self._before_param(p)) is not None]

    def _before_param(self, param: torch.Tensor) -> ParamRecord | None:
        """The parameter's node keeps its value from before the step; unused parameters are left out."""
        record = self.session.latest(param)
        if record is None:
            return None
        before = param.detach().clone()
        if record.value is param:
            record.value = before
        grad = None if param.grad is None else param.grad.detach().clone()
        return ParamRecord(record=record.index, before=before, grad=grad, after=before)

    def after(self, optimizer: Optimizer, args: object, kwargs: object) -> None:
        session = self.session
        lr = optimizer.param_groups[0].get("lr") if optimizer.param_groups else None
        event = OptimizerRecord(type(optimizer).__name__, float(lr) if isinstance(lr, int | float) else None)
        for update, param in self._open:
            update.after = param.detach().clone()
            event.params.append(update)
        self._open = []
        session.paused -= 1
        session.capture.optimizer.append(event)
        session.timeline("step", len(session.capture.optimizer) - 1)
