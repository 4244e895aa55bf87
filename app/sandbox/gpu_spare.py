"""What a spare child prepared for CUDA runs does while it waits (see app/sandbox/pool.py): run a few examples
on the GPU, so that the run that comes next finds cuBLAS, autograd's GPU thread and the kernels that the
capture, the encoder and the teaching extras use already loaded, then give their memory back.

Runs in the child only, as root before its job (like the context it needs); torch is imported there, never
in the web server that names this function.
"""

from __future__ import annotations

import contextlib

from app.errors import GradtraceError

__all__ = ["prepare_gpu"]

EXAMPLES = ("logistic", "simplenet", "softmax_ce", "gpt2_block")  # scalars, matmuls, softmax, attention


def prepare_gpu() -> None:
    """Each example once on the GPU, then an empty allocator cache: the run's memory share starts clean."""
    import torch

    from app.examples import example
    from app.limits import Limits
    from app.models import GraphOptions
    from app.runner import run

    options = GraphOptions(device="cuda", layout=False)
    for name in EXAMPLES:
        with contextlib.suppress(GradtraceError):
            run(example(name).code, options, Limits(), max_chars=100_000, max_lines=5_000)
    torch.cuda.synchronize()
    torch.cuda.empty_cache()
