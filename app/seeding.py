"""Seeding the generators a run uses, without torch.manual_seed's side trips."""

from __future__ import annotations

import random

import numpy
import torch

__all__ = ["manual_seed"]


def manual_seed(seed: int, device: torch.device | None = None) -> None:
    """Seed torch's CPU generator, and CUDA's when the run uses it, and Python's and numpy's global ones (a
    program that never seeds them still gives the same answer each time, so it can be cached and shared).

    torch.manual_seed also queues lazy seeding for CUDA, XPU and MTIA, formatting a stack trace for each
    (stat calls included): ~1 ms per call warm and ~3 ms in a fresh sandbox child, on every request.
    """
    torch.default_generator.manual_seed(seed)
    random.seed(seed)
    numpy.random.seed(seed)
    if (device is not None and device.type == "cuda") or torch.cuda.is_initialized():  # type: ignore[no-untyped-call]
        torch.cuda.manual_seed_all(seed)
