"""Oracle for the generator tests: run a generated program with plain Python and torch, outside gradtrace.

Only tests do this, on program text the generator made; the app itself never executes program text.
"""

from __future__ import annotations

from typing import Any

import torch  # conftest.py imported it first, with the numpy warning silenced


def run_plain(program: str, seed: int = 0) -> dict[str, Any]:
    """The program's variables after it ran, seeded the way the runner seeds a run."""
    torch.manual_seed(seed)
    namespace: dict[str, Any] = {}
    exec(compile(program, "<generated>", "exec"), namespace)  # test oracle only
    return namespace
