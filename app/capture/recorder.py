"""The capture entry point, and the Recorder whose `name` the running program calls after its assignments."""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Callable, Iterator

from app.capture.aside import ModesAside
from app.capture.autograd import BackwardRunner
from app.capture.budget import Budget
from app.capture.dispatch import OpRecorder
from app.capture.failures import recording, transforming
from app.capture.functions import FunctionRecorder
from app.capture.hooks import global_hooks
from app.capture.records import Capture
from app.capture.session import Session
from app.limits import Limits

__all__ = ["Recorder", "capture"]

log = logging.getLogger(__name__)


class Recorder:
    """Handed to the program while it runs under capture (its name hook, see app/program/instrument.py)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def name(self, name: str, value: object) -> None:
        """The program just assigned `value` to `name`: a tensor's node label or a module tree's root."""
        if transforming():  # a torch.func transform's wrapped tensors are not the program's nodes
            return
        with recording("naming a value"):
            self._session.name(value, name, sys._getframe(1))

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        """Torch work inside is no graph node (the teaching re-runs overwriting a leaf)."""
        self._session.paused += 1
        try:
            yield
        finally:
            self._session.paused -= 1


def capture(program: Callable[[Recorder], None], *, limits: Limits, source: str = "") -> Capture:
    """Runs `program(recorder)` under recording; its own failure is kept in `Capture.error`, not raised.
    `source` is the program's text, which labels its calls."""
    session = Session(limits, source)
    runner = BackwardRunner(session)
    budget = Budget(limits)
    functions, ops = FunctionRecorder(session, runner), OpRecorder(session, budget)
    modes = ModesAside(functions, ops)
    start = time.perf_counter()
    try:
        with global_hooks(session, modes), functions, ops:
            try:
                program(Recorder(session))
            finally:
                modes.step_back()  # an optimizer step that raised left them aside
    except Exception as error:  # the program's own failure: keep it with the partial graph
        log.debug("program stopped: %s", type(error).__name__)
        session.capture.error = error
    finally:
        session.resolve_pending()
        runner.remove_hooks()
        session.ahead.stop()
    if session.capture.error is None and budget.tripped is not None:
        session.capture.error = budget.tripped  # the program caught it and ran on: still over budget
    capture = session.capture
    session.name_module_tensors()
    used = {r.group for r in capture.values if r.group and not r.dropped}
    capture.modules = session.modules.infos(used | {c.group for c in capture.calls if c.group and c.values})
    capture.capture_ms = (time.perf_counter() - start) * 1000
    return capture
