"""The capture's own failures are gradtrace bugs, never the program's; and where the capture steps aside.

Bookkeeping runs inside the program's torch calls, so an exception there would look like the program's own.
`recording(...)` turns it into RecordingFailed (an internal_error answer, logged with its cause).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch.utils._python_dispatch import _disable_current_modes

from app.errors import GradtraceError
from app.program import RecordingFailed

__all__ = ["recording", "transforming", "unrecorded"]


class recording:  # lower case: used as `with recording("before an op"):`, like a function
    """Bookkeeping inside: its failure is RecordingFailed; budgets (GradtraceError) pass unchanged.

    A plain class, not a generator context manager: it wraps every op of a run, and contextlib's
    generator machinery costs ~2 us per use (a GPT-2 capture enters it thousands of times)."""

    __slots__ = ("what",)

    def __init__(self, what: str) -> None:
        self.what = what

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: object) -> None:
        if isinstance(error, Exception) and not isinstance(error, GradtraceError | RecordingFailed):
            raise RecordingFailed(f"recording failed while {self.what}") from error


@contextlib.contextmanager
def unrecorded() -> Iterator[None]:
    """Torch work of the capture's own (copies, the backward engine's run, an optimizer step's bookkeeping):
    past both recording modes, at torch's own speed."""
    with torch._C.DisableTorchFunction(), _disable_current_modes():
        yield


def transforming() -> bool:
    """Inside a torch.func transform (grad, vmap, jacrev): its wrapped tensors have no storage and its inner
    ops are not the program's autograd graph, so the capture lets them run unrecorded."""
    return torch._C._functorch.peek_interpreter_stack() is not None
