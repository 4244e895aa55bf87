"""Seeding the generators a run uses, without torch.manual_seed's side trips."""

from __future__ import annotations

import torch

__all__ = ["manual_seed"]


def manual_seed(seed: int, device: torch.device | None = None) -> None:
    """Seed the CPU generator, and CUDA's when the run uses it.

    torch.manual_seed also queues lazy seeding for CUDA, XPU and MTIA, formatting a stack trace for each
    (stat calls included): ~1 ms per call warm and ~3 ms in a fresh sandbox child, on every request.
    """
    torch.default_generator.manual_seed(seed)
    if (device is not None and device.type == "cuda") or torch.cuda.is_initialized():  # type: ignore[no-untyped-call]
        torch.cuda.manual_seed_all(seed)
