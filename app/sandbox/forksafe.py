"""What the fork server may do before it forks: its children must still be able to use CUDA and autograd.

Autograd's engine, on its first run, counts the GPUs (which initialises the CUDA driver) and, on a machine
with a GPU, starts a thread per device. After either, a forked child can neither use the GPU nor run
backward at all ("autograd's threading in combination with fork-based multiprocessing"): on an H200 every
sandboxed run failed until the warm-up stopped running the engine.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

__all__ = ["autograd_engine_untouched"]


@contextlib.contextmanager
def autograd_engine_untouched() -> Iterator[None]:
    """`.backward()` and `torch.autograd.grad` return without running the engine (gradients stay None)."""
    engine_run = torch.autograd._engine_run_backward  # type: ignore[attr-defined]
    torch.autograd._engine_run_backward = lambda *args, **kwargs: ()  # type: ignore[attr-defined]
    try:
        yield
    finally:
        torch.autograd._engine_run_backward = engine_run  # type: ignore[attr-defined]
