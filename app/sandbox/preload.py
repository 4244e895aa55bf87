"""Imported once by the fork server (never by the web server): torch loaded, one thread per run, no CUDA."""

from __future__ import annotations

import torch

__all__: list[str] = []

torch.set_num_threads(1)  # one core per run; concurrency comes from the pool. CUDA is never touched here.
