"""The capture entry point and the Recorder a running program reports names, spans and quiet sections to."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator

import torch
from torch import nn

from app.capture.autograd import BackwardRunner
from app.capture.dispatch import FunctionRecorder, OpRecorder
from app.capture.hooks import global_hooks
from app.capture.records import Capture
from app.capture.session import Session
from app.limits import Limits

__all__ = ["Recorder", "capture"]

log = logging.getLogger(__name__)


class Recorder:
    """Handed to the program while it runs under capture; the interpreter calls these."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def at(self, line: int, col: int, end_line: int, end_col: int) -> None:
        """The statement now executing: every node made from now on gets this span."""
        self._session.at((line, col, end_line, end_col))

    def name(self, value: object, name: str) -> None:
        """`value` was just assigned to variable `name`: a tensor's node label or a module tree's root."""
        if isinstance(value, torch.Tensor):
            self._session.name(value, name)
        elif isinstance(value, nn.Module):
            self._session.modules.add_root(name, value)

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        """Torch ops inside are not graph nodes (module construction, printing, .item())."""
        self._session.paused += 1
        try:
            yield
        finally:
            self._session.paused -= 1

    def zero_grad(self) -> None:
        """optimizer.zero_grad() or module.zero_grad() just ran (a timeline entry)."""
        self._session.timeline("zero_grad", 0)


def capture(program: Callable[[Recorder], None], *, limits: Limits) -> Capture:
    """Runs `program(recorder)` under recording; its own failure is kept in `Capture.error`, not raised."""
    session = Session(limits)
    runner = BackwardRunner(session)
    start = time.perf_counter()
    try:
        with global_hooks(session), FunctionRecorder(runner), OpRecorder(session):
            program(Recorder(session))
    except Exception as error:  # the program's own failure: keep it with the partial graph
        log.debug("program stopped: %s", type(error).__name__)
        session.capture.error = error
    finally:
        session.resolve_pending()
        runner.remove_hooks()
    session.capture.modules = session.modules.infos({r.group for r in session.capture.values if r.group})
    session.capture.capture_ms = (time.perf_counter() - start) * 1000
    return session.capture
