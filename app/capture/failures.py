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


@contextlib.contextmanager
def recording(what: str) -> Iterator[None]:
    """Bookkeeping inside: its failure is RecordingFailed; budgets (GradtraceError) pass unchanged."""
    try:
        yield
    except (GradtraceError, RecordingFailed):
        raise
    except Exception as error:
        raise RecordingFailed(f"recording failed while {what}") from error


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
