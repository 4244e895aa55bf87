"""What a program finds different in the sandbox, and is told about: one process, one thread; and whether it
read anything that makes its answer differ from run to run.

A sandboxed run is one process on one core. `DataLoader(num_workers=4)` would fork workers that talk over
shared memory the jail does not allow, and changing torch's thread count after the fork server started OpenMP
hangs the run; so workers become 0 and thread counts stay, each with a note in the response. A program that
reads the clock or the system's randomness (os.urandom) may answer differently each time: it is flagged
nondeterministic, and its answer is never cached. (Python's, numpy's and torch's generators are seeded per
run, app/seeding.py.) Everything is restored after the run (tests run programs in-process).
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import torch
import torch.utils.data

from app.program.positions import PROGRAM_FILE

__all__ = ["Observed", "sandbox_environment"]


_CLOCKS = ("time", "time_ns", "perf_counter", "perf_counter_ns", "monotonic", "monotonic_ns", "process_time")


@dataclass
class Observed:
    """What a run did that the sandbox tells about."""

    notes: list[str] = field(default_factory=list)
    nondeterministic: bool = False

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


@contextlib.contextmanager
def sandbox_environment(observed: Observed) -> Iterator[None]:
    """Within: DataLoader workers run in-process and thread-count changes are ignored (each noted once), and
    reading the clock or os.urandom marks the run nondeterministic."""
    with _one_process(observed), _watched(observed):
        yield


@contextlib.contextmanager
def _watched(observed: Observed) -> Iterator[None]:
    patched = [(time, name) for name in _CLOCKS] + [(os, "urandom"), (os, "getrandom")]
    originals = [(owner, name, getattr(owner, name)) for owner, name in patched if hasattr(owner, name)]

    def flagging(function: Any) -> Any:
        @functools.wraps(function)
        def read(*args: Any, **kwargs: Any) -> Any:
            if _for_the_program(sys._getframe(1)):
                observed.nondeterministic = True
            return function(*args, **kwargs)

        return read

    for owner, name, function in originals:
        setattr(owner, name, flagging(function))
    try:
        yield
    finally:
        for owner, name, function in originals:
            setattr(owner, name, function)


def _for_the_program(frame: FrameType | None) -> bool:
    """The program's own code asked (directly or through a library), not a module being imported (torch
    names some of its registries with uuid4 when first imported)."""
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename == PROGRAM_FILE:
            return True
        if filename.startswith("<frozen importlib"):
            return False
        frame = frame.f_back
    return False


@contextlib.contextmanager
def _one_process(observed: Observed) -> Iterator[None]:
    loader_init = torch.utils.data.DataLoader.__init__
    originals = {name: getattr(torch, name) for name in ("set_num_threads", "set_num_interop_threads")}
    note = observed.note

    @functools.wraps(loader_init)
    def in_process_loader(self: Any, *args: Any, **kwargs: Any) -> None:
        workers = kwargs.get("num_workers", 0)
        if isinstance(workers, int) and workers > 0:
            note(f"DataLoader(num_workers={workers}) ran with num_workers=0: the sandbox runs one process")
            kwargs["num_workers"] = 0
            kwargs.pop("prefetch_factor", None)
            kwargs.pop("persistent_workers", None)
        loader_init(self, *args, **kwargs)

    def thread_count(name: str) -> Any:
        def ignored(count: int) -> None:
            note(f"torch.{name}({count}) was ignored: each sandboxed run has one CPU thread")

        return ignored

    torch.utils.data.DataLoader.__init__ = in_process_loader  # type: ignore[method-assign]
    for name in originals:
        setattr(torch, name, thread_count(name))
    try:
        yield
    finally:
        torch.utils.data.DataLoader.__init__ = loader_init  # type: ignore[method-assign]
        for name, original in originals.items():
            setattr(torch, name, original)
