"""Imported once by the fork server (never by the web server): torch loaded, one thread per run, no CUDA."""

from __future__ import annotations

import os

# torch.cuda.is_available() asks the CUDA runtime, which initialises the driver in the asking process, and a
# child forked after that cannot use the GPU; NVML answers the same question without (the children's cleared
# environment drops this again, so their own runs ask the runtime as usual).
os.environ["PYTORCH_NVML_BASED_CUDA_CHECK"] = "1"

import torch  # noqa: E402

__all__: list[str] = []

torch.set_num_threads(1)  # one core per run; concurrency comes from the pool. CUDA is never touched here.
