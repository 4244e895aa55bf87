"""Imported once by the fork server (never by the web server): torch and matplotlib loaded, one thread per
run, no CUDA."""

from __future__ import annotations

import os
import tempfile

# torch.cuda.is_available() asks the CUDA runtime, which initialises the driver in the asking process, and a
# child forked after that cannot use the GPU; NVML answers the same question without (the children's cleared
# environment drops this again, so their own runs ask the runtime as usual).
os.environ["PYTORCH_NVML_BASED_CUDA_CHECK"] = "1"

# matplotlib draws without a display (Agg) and builds its font cache once, here, in a folder of the fork
# server's own: children, which may not write outside their run's folder, find it loaded
os.environ["MPLBACKEND"] = "Agg"
os.environ.setdefault("MPLCONFIGDIR", tempfile.mkdtemp(prefix="gradtrace-matplotlib-"))

import matplotlib.pyplot  # noqa: E402, F401
import torch  # noqa: E402

__all__: list[str] = []

torch.set_num_threads(1)  # one core per run; concurrency comes from the pool. CUDA is never touched here.
