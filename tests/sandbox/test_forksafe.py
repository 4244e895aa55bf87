"""The fork server's warm-up leaves autograd's engine alone (on a GPU machine its first run would leave every
forked child unable to use the GPU or run backward) and puts it back afterwards."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch
from waiting import BACKSTOP_SECONDS

from app.sandbox.forksafe import autograd_engine_untouched

ROOT = Path(__file__).resolve().parents[2]


def test_backward_skips_the_engine_inside_and_runs_it_again_after() -> None:
    w = torch.tensor([2.0], requires_grad=True)
    with autograd_engine_untouched():
        (w * 3).sum().backward()
        assert w.grad is None
    (w * 3).sum().backward()
    assert w.grad is not None and w.grad.tolist() == [3.0]


WARM_UP_COUNTING_ENGINE_RUNS = """
import torch
runs = []
engine_run = torch.autograd._engine_run_backward
def counted(*args, **kwargs):
    runs.append(1)
    return engine_run(*args, **kwargs)
torch.autograd._engine_run_backward = counted
import app.sandbox.graph_warmup
print(len(runs), torch.autograd._engine_run_backward is counted)
"""


@pytest.mark.slow
def test_the_fork_servers_warm_up_runs_no_backward_through_the_engine() -> None:
    done = subprocess.run(
        [sys.executable, "-c", WARM_UP_COUNTING_ENGINE_RUNS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BACKSTOP_SECONDS,
        check=True,
    )
    assert done.stdout.split() == ["0", "True"]
